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
    loop = asyncio.get_running_loop()
    job = loop.run_in_executor(None, functools.partial(_contained, work, *args, **kwargs))
    try:
        return await asyncio.shield(job)
    except asyncio.CancelledError:
        job.add_done_callback(_logged_if_failed)  # no one else will read its outcome
        raise


# Work whose caller went away, still running so that what it took is given back: held here, since
# the event loop keeps only weak references to its tasks.
_ORPHANED: set[asyncio.Future[Any]] = set()


async def run_in_pool_or_undo(
    undo: Callable[[T], object], work: Callable[P, T], *args: P.args, **kwargs: P.kwargs
) -> T:
    """`run_in_pool(work, ...)`; where the caller is cancelled before it ends (a client that
    hung up while its call was admitted), `undo(result)` once it has one, in a pool thread:
    what the work reserved for a caller who is gone is given back."""
    job = asyncio.ensure_future(run_in_pool(work, *args, **kwargs))
    try:
        return await asyncio.shield(job)
    except asyncio.CancelledError:
        _ORPHANED.add(job)
        job.add_done_callback(functools.partial(_undone, undo))
        raise


def _undone(undo: Callable[[T], object], job: asyncio.Future[T]) -> None:
    _ORPHANED.discard(job)
    if not job.cancelled() and job.exception() is None:
        result = job.result()
        start_in_pool(lambda: undo(result))


def _logged_if_failed(job: asyncio.Future[Any]) -> None:
    """Work whose caller went away, and failed: a refusal (DomainError) is no fault; anything
    else is logged, since nobody awaits it."""
    if job.cancelled() or (error := job.exception()) is None or isinstance(error, DomainError):
        return
    logger.error("work in a pool thread failed after its caller went away", exc_info=error)


def start_in_pool(work: Callable[[], object]) -> None:
    """Run `work()` in a pool thread without waiting: it completes even if the caller's task is
    cancelled (a client that went away mid-stream); a failure is logged."""
    job = asyncio.get_running_loop().run_in_executor(None, functools.partial(_contained, work))
    job.add_done_callback(_logged_if_failed)
