"""The benchmark's load generator: processes of their own (so the client's CPU is not the
server's), each an aiohttp client keeping its share of the connections busy. Every answer is
read whole and checked; errors are counted by kind, never dropped. Where the body holds UNIQUE,
each call sends it with a word of its own there (letters: no call's text is another's, so no
cache of the server's answers a check it already made).

    load(url, headers, body, total=2000, concurrency=16, processes=2) -> Cell
"""

from __future__ import annotations

import asyncio
import itertools
import json
import multiprocessing
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

WARMUP = 20
UNIQUE = "UNIQUE"


def _letters(number: int) -> bytes:
    word = ""
    while True:
        number, digit = divmod(number, 26)
        word += chr(ord("a") + digit)
        if not number:
            return word.encode()


@dataclass
class Cell:
    latencies: list[float] = field(default_factory=list)  # seconds, sorted
    errors: Counter[str] = field(default_factory=Counter)
    elapsed: float = 0.0

    @property
    def ok(self) -> int:
        return len(self.latencies)

    def percentile(self, share: float) -> float:
        """In milliseconds; nearest-rank."""
        if not self.latencies:
            return float("nan")
        rank = max(1, round(share * len(self.latencies)))
        return self.latencies[rank - 1] * 1000

    @property
    def rps(self) -> float:
        return (self.ok + sum(self.errors.values())) / self.elapsed if self.elapsed else 0.0


def _problem(status: int, raw: bytes) -> str | None:
    """Why an answer is not the expected completion, or None."""
    if status != 200:
        return f"HTTP {status}"
    try:
        data = json.loads(raw)
        text = data["choices"][0]["message"]["content"]
        usage = data["usage"]["total_tokens"]
    except (ValueError, KeyError, IndexError, TypeError):
        return "malformed answer"
    if text != "ok" or not usage:
        return "wrong answer"
    return None


async def _run(
    url: str, headers: dict[str, str], body: bytes, total: int, concurrency: int, start: float,
    process: int,
) -> tuple[list[float], dict[str, int], float]:  # fmt: skip
    import aiohttp

    sent = itertools.count()
    prefix = _letters(process) + b"x"

    def unique_body() -> bytes:
        return body.replace(UNIQUE.encode(), prefix + _letters(next(sent)))

    latencies: list[float] = []
    errors: Counter[str] = Counter()
    connector = aiohttp.TCPConnector(limit=concurrency)
    headers = {**headers, "Content-Type": "application/json"}
    async with aiohttp.ClientSession(connector=connector) as session:

        async def call() -> None:
            began = time.perf_counter()
            try:
                async with session.post(url, data=unique_body(), headers=headers) as response:
                    problem = _problem(response.status, await response.read())
            except (aiohttp.ClientError, TimeoutError) as error:
                problem = type(error).__name__
            if problem is None:
                latencies.append(time.perf_counter() - began)
            else:
                errors[problem] += 1

        for _ in range(WARMUP):  # connections opened, lazy imports done, on both sides
            await call()
        latencies.clear()  # not timed; a warm-up that failed still counts as an error
        while time.time() < start:  # every process starts the measured run together
            await asyncio.sleep(0.001)
        remaining = total

        async def worker() -> None:
            nonlocal remaining
            while remaining > 0:
                remaining -= 1
                await call()

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies, dict(errors), time.time()


def _process(args: tuple[Any, ...], results: Any) -> None:
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    results.put(asyncio.run(_run(*args)))


def load(
    url: str,
    headers: dict[str, str],
    body: dict[str, Any],
    *,
    total: int,
    concurrency: int,
    processes: int,
) -> Cell:
    processes = max(1, min(processes, concurrency))
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    start = time.time() + 2.0 + 0.3 * processes  # after every process has warmed up
    workers = []
    for index in range(processes):
        share_total = total // processes + (1 if index < total % processes else 0)
        share_conc = concurrency // processes + (1 if index < concurrency % processes else 0)
        args = (url, headers, json.dumps(body).encode(), share_total, share_conc, start, index)
        worker = context.Process(target=_process, args=(args, results), daemon=True)
        worker.start()
        workers.append(worker)
    cell, finished = Cell(), start
    for _ in workers:
        latencies, errors, finished_at = results.get(timeout=600)
        cell.latencies.extend(latencies)
        cell.errors.update(errors)
        finished = max(finished, finished_at)
    for worker in workers:
        worker.join(30)
    cell.elapsed = finished - start
    cell.latencies.sort()
    return cell
