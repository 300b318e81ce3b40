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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import ParamSpec, TypeVar

from asgiref.sync import sync_to_async
from django.db import connection

from kernel.hot_cache import one_generation

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
    """Await `work(*args, **kwargs)`, run in a pool thread."""
    if not _pooled.get():
        return await sync_to_async(_in_generation)(work, *args, **kwargs)
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, functools.partial(_contained, work, *args, **kwargs))


def start_in_pool(work: Callable[[], object]) -> None:
    """Run `work()` in a pool thread without waiting: it completes even if the caller's task is
    cancelled (a client that went away mid-stream)."""
    asyncio.get_running_loop().run_in_executor(None, functools.partial(_contained, work))
