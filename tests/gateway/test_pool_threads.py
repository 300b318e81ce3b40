"""Work a call hands to a pool thread: settling runs even when its caller is cancelled before the
work started, and what an admission reserved for a caller who went away is given back."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

from kernel.pool_threads import pooled, run_in_pool, run_in_pool_or_undo


def _one_busy_thread(loop: asyncio.AbstractEventLoop) -> threading.Event:
    """The loop's pool is one thread, kept busy until the returned event is set."""
    loop.set_default_executor(ThreadPoolExecutor(max_workers=1))
    busy = threading.Event()
    loop.run_in_executor(None, busy.wait, 10)
    return busy


def test_work_queued_for_a_caller_cancelled_still_runs() -> None:
    ran = threading.Event()

    async def main() -> None:
        busy = _one_busy_thread(asyncio.get_running_loop())
        with pooled():
            caller = asyncio.create_task(run_in_pool(ran.set))
        await asyncio.sleep(0.05)
        caller.cancel()  # the client went away while its settlement waited for a thread
        busy.set()
        await asyncio.sleep(0)
        assert await asyncio.to_thread(ran.wait, 10)

    asyncio.run(main())


def test_what_was_reserved_for_a_caller_who_went_away_is_given_back() -> None:
    admitted, undone = threading.Event(), []
    done = threading.Event()

    def admit() -> str:
        admitted.wait(10)  # a slow admission (guardrails, a Redis round trip)
        return "hold-1"

    def undo(hold: str) -> None:
        undone.append(hold)
        done.set()

    async def main() -> None:
        with pooled():
            caller = asyncio.create_task(run_in_pool_or_undo(undo, admit))
        await asyncio.sleep(0.05)
        caller.cancel()
        admitted.set()
        assert await asyncio.to_thread(done.wait, 10)

    asyncio.run(main())
    assert undone == ["hold-1"]


def test_a_caller_still_there_gets_the_result_and_nothing_is_undone() -> None:
    undone: list[str] = []

    async def main() -> str:
        with pooled():
            return await run_in_pool_or_undo(undone.append, lambda: "hold-2")

    assert asyncio.run(main()) == "hold-2" and undone == []
