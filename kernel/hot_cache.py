"""What every call needs to know (model resolution, the caller's role, prices), cached in each
process and dropped everywhere at once when anything it depends on changes.

Every change of a catalogue, grant, membership or user row bumps one generation number in Redis
(`post_save`/`post_delete` signals, and again when the write's transaction commits) and publishes
the new number on the invalidation channel (`kernel.invalidation`); cached entries are keyed by
that number, so a revocation holds on every replica as soon as the message arrives. While this
process listens to the channel, the number costs no Redis read at all; when it does not (its
subscription is down or starting), each lookup reads the number with one GET, as the truth.
Writes that bypass model signals (`QuerySet.update()`) must call `bump_generation()` themselves.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

import redis
from django.conf import settings
from django.db import transaction

from kernel import invalidation
from kernel.errors import DependencyUnavailable
from kernel.redis_client import redacted_url, run_script, shared_redis
from kernel.redis_keys import platform_key

KEY = platform_key("hot-cache", "generation")
MAX_ENTRIES = 10_000
T = TypeVar("T")

# INCR and PUBLISH in one step, so no process can see the number before it is announced.
BUMP = """
local value = redis.call('INCR', KEYS[1])
redis.call('PUBLISH', ARGV[1], 'generation:' .. value)
return value
"""

_entries: dict[tuple[Any, ...], tuple[int, Any]] = {}
_lock = threading.Lock()
# The number as the channel announced it (None: read it from Redis).
_known: int | None = None
# Inside `one_generation()`: a holder filled by the first read (empty: not read yet).
_pinned: ContextVar[list[int] | None] = ContextVar("hot_cache_pinned_generation", default=None)


def generation() -> int:
    holder = _pinned.get()
    if holder:
        return holder[0]
    listening = invalidation.listening()  # first: it starts the subscription
    known = _known
    current = known if listening and known is not None else _read()
    if holder is not None:
        holder.append(current)
    return current


def _read() -> int:
    return int(shared_redis().get(KEY) or 0)


def _resync() -> None:
    """The subscription (re)started: messages may have been missed, so read the truth; and
    Redis may have lost its data meanwhile (restarted empty, failed over to a replica behind)."""
    _settle_on(_read())


def _announced(payload: str) -> None:
    """Another process (or this one) bumped the number. Numbers only grow: a smaller one than
    ours is an announcement older than our own bump, or Redis lost its data (flushed, evicted,
    failed over): read the truth."""
    global _known
    value = int(payload)
    with _lock:
        if _known is None or value > _known:
            _known = value
            return
        if value == _known:
            return
    _settle_on(_read())


def _settle_on(truth: int) -> None:
    """Take `truth` as the number. Where it went back (Redis lost data), the numbers entries were
    cached under come round again for rows changed since: every entry is dropped."""
    global _known
    with _lock:
        went_back = (_known is not None and truth < _known) or any(
            number > truth for number, _ in _entries.values()
        )
        if went_back:
            _entries.clear()
        if _known is None or truth != _known:
            _known = truth


invalidation.on_resync(_resync)
invalidation.on_message("generation", _announced)


@contextmanager
def one_generation() -> Iterator[None]:
    """Every lookup inside reads the generation once: one Redis round trip for a whole step of a
    call (routing, authentication, model resolution) instead of one per cached value, and none
    for a step that looks nothing up."""
    token = _pinned.set([])
    try:
        yield
    finally:
        _pinned.reset(token)


def bump_generation(**kwargs: Any) -> None:
    """A signal receiver too: any change of what the cache holds makes every entry stale — at
    once (this connection's own next reads see the change), and again when the transaction
    commits: until then other connections still read the old rows, and one of them may have
    cached them under the first bump's generation."""
    _bump()
    atomic = transaction.get_connection(kwargs.get("using")).in_atomic_block
    if atomic:
        transaction.on_commit(_bump, using=kwargs.get("using"))


def _bump() -> None:
    global _known
    try:
        value = int(run_script(BUMP, [KEY], [invalidation.CHANNEL]))
        # This process's next lookup sees it, message or not; a number that went back (Redis
        # lost its data, and this is the first bump since) drops every entry here too.
        _settle_on(value)
    except redis.RedisError as error:
        # A change the other processes cannot learn of is refused (the write's transaction rolls
        # back): once Redis is back they would serve their cached copies under the old number,
        # and a command run with another Redis than the portal's would change nothing it serves.
        raise DependencyUnavailable(
            f"Redis at {redacted_url(settings.REDIS_URL)} cannot be reached, so the change was not "
            "made: every process of the portal must learn of it. Start Redis (or `manage.py up`), "
            "or set REDIS_URL to the portal's Redis, and try again."
        ) from error


def cached(
    key: tuple[Any, ...], load: Callable[[], T], *, keep_none: bool = True
) -> T:
    """`load()`'s value for `key`, reused while nothing it depends on has changed. With
    `keep_none` False, a None (a tenant no route names) is loaded again next time rather than
    kept: keys made from what anyone may send (a slug in a URL) must not fill the cache, whose
    every entry is dropped when it is full."""
    current = generation()
    found = _entries.get(key)
    if found is not None and found[0] == current:
        hit: T = found[1]  # stored under this key by a `load` of the same type
        return hit
    value = load()
    if value is None and not keep_none:
        return value
    with _lock:
        if len(_entries) >= MAX_ENTRIES:
            _entries.clear()
        _entries[key] = (current, value)
    return value
