"""Synchronous work (Redis, a cache miss that reads the database, JWT verification) from async
views: in the event loop's thread pool, whose threads are reused (Django's request handling
would start a thread per request); under one hot-cache generation; and with any database
connection the work opened handed back to the pool at the end, since a pool thread has no
request cycle to close it.

Only where the lean gateway handler serves the request (`pooled()`); under Django's own handler
(its test client, WSGI) the work runs where Django runs sync code, in the request's thread.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, ParamSpec, TypeVar

from asgiref.sync import sync_to_async
from django.db import connection

from kernel.errors import DomainError
from kernel.hot_cache import one_generation

logger = logging.getLogger("atrium.gateway")
P = ParamSpec("P")
T = TypeVar("T")

_pooled: ContextVar[bool] = ContextVar("pool_threads_pooled", default=False)


@contextmanager
def pooled() -> Iterator[None]:
    token = _pooled.set(True)
    try:
        yield
    finally:
        _pooled.reset(token)


def _in_generation(work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    with one_generation():
        return work(*args, **kwargs)


def _contained(work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    # whatever this thread's last work left there
    connection.set_schema_to_public()  # type: ignore[attr-defined]  # django-tenants' backend has it
    try:
        return _in_generation(work, *args, **kwargs)
    finally:
        connection.close()  # back to the pool, if one was taken


async def run_in_pool(work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Await `work(*args, **kwargs)`, run in a pool thread. A caller cancelled while it waits
    (its client went away) does not cancel the work: settling a call must run once queued."""
    if not _pooled.get():
        return await sync_to_async(_in_generation)(work, *args, **kwargs)
    return await _outlived(_pool_job(work, *args, **kwargs), _orphan_done)


async def run_in_pool_or_undo(
    undo: Callable[[T], object], work: Callable[P, T], *args: P.args, **kwargs: P.kwargs
) -> T:
    """`run_in_pool(work, ...)`; where the caller is cancelled before it ends (a client that
    hung up while its call was admitted), `undo(result)` once it has one, in a pool thread:
    what the work reserved for a caller who is gone is given back."""
    if _pooled.get():
        job: asyncio.Future[T] = _pool_job(work, *args, **kwargs)
    else:
        job = asyncio.ensure_future(sync_to_async(_in_generation)(work, *args, **kwargs))
    return await _outlived(job, functools.partial(_orphan_done, undo=undo))


def _pool_job(work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> asyncio.Future[T]:
    loop = asyncio.get_running_loop()
    return loop.run_in_executor(None, functools.partial(_contained, work, *args, **kwargs))


# Work whose caller went away, still running so that its outcome is read (and what it took given
# back): held here, since the event loop keeps only weak references to its tasks.
_ORPHANED: set[asyncio.Future[Any]] = set()


async def _outlived(job: asyncio.Future[T], orphaned: Callable[[asyncio.Future[T]], None]) -> T:
    """`job`'s result; a caller cancelled meanwhile leaves it running, `orphaned(job)` once done."""
    try:
        return await asyncio.shield(job)
    except asyncio.CancelledError:
        _ORPHANED.add(job)
        job.add_done_callback(orphaned)
        raise


def _orphan_done(job: asyncio.Future[T], undo: Callable[[T], object] | None = None) -> None:
    """Work nobody awaits any more, done: its result undone (`undo`), or its failure logged (a
    refusal, DomainError, is no fault)."""
    _ORPHANED.discard(job)
    if job.cancelled():
        return
    error = job.exception()
    if error is None:
        if undo is not None:
            result = job.result()
            start_in_pool(lambda: undo(result))
    elif not isinstance(error, DomainError):
        logger.error("work in a pool thread failed after its caller went away", exc_info=error)


def start_in_pool(work: Callable[[], object]) -> None:
    """Run `work()` in a pool thread without waiting: it completes even if the caller's task is
    cancelled (a client that went away mid-stream); a failure is logged."""
    _pool_job(work).add_done_callback(_orphan_done)
