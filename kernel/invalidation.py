"""Changes pushed to every process at once, over one Redis pub/sub channel.

A process that changes something others cache (the hot cache's generation, a service account's
state) publishes `<kind>:<payload>`; every web and worker process holds one subscriber thread
that hands each message to the handlers registered for its kind. While a process is subscribed
(`listening()`), what it caches is current within the message's delivery (well under a
millisecond on a local network), with no Redis read per call.

A subscriber can miss messages only while its connection is down, and then it is not listening:
callers fall back to reading the truth from Redis on every call, and when the subscription is back
each `on_resync` handler re-reads what it may have missed, before `listening()` is true again. A
connection that dies silently (a partition with no reset) is noticed by a ping every
PING_SECONDS: no answer within DEAD_AFTER_SECONDS and the process stops trusting it.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable

import redis
from django.conf import settings

from kernel.redis_client import shared_redis
from kernel.redis_keys import platform_key

CHANNEL = platform_key("invalidate")
PING_SECONDS = 2.0
DEAD_AFTER_SECONDS = 6.0
RETRY_SECONDS = 0.5

logger = logging.getLogger("atrium.invalidation")

_handlers: dict[str, list[Callable[[str], None]]] = {}
_resync: list[Callable[[], None]] = []


def on_message(kind: str, handler: Callable[[str], None]) -> None:
    """Call `handler(payload)` for each `kind` message (registered at import time)."""
    _handlers.setdefault(kind, []).append(handler)


def on_resync(handler: Callable[[], None]) -> None:
    """Call `handler()` whenever the subscription (re)starts: messages may have been missed."""
    _resync.append(handler)


def publish(kind: str, payload: object) -> None:
    """Tell every process (this one included, through its subscriber)."""
    shared_redis().publish(CHANNEL, f"{kind}:{payload}")


def listening() -> bool:
    """Whether this process has received every message since its caches last resynced."""
    return _subscriber().ready


class _Subscriber:
    def __init__(self, url: str) -> None:
        self.url = url
        self.pid = os.getpid()
        self.ready = False
        self.stopped = False
        self.thread = threading.Thread(target=self._run, name="atrium-invalidation", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stopped:
            try:
                self._listen()
            except (redis.RedisError, OSError) as error:
                if self.ready:
                    logger.warning("invalidation channel lost (%s): reading Redis per call", error)
            self.ready = False
            if not self.stopped:
                time.sleep(RETRY_SECONDS)

    def _listen(self) -> None:
        client = redis.Redis.from_url(self.url, socket_connect_timeout=2, socket_timeout=None)
        pubsub = client.pubsub()
        try:
            pubsub.subscribe(CHANNEL)
            last_heard = last_ping = time.monotonic()
            while not self.stopped:
                message = pubsub.get_message(timeout=PING_SECONDS / 2)
                now = time.monotonic()
                if message is not None:
                    last_heard = now
                    self._handle(message)
                if now - last_ping >= PING_SECONDS:
                    pubsub.ping()
                    last_ping = now
                if now - last_heard > DEAD_AFTER_SECONDS:
                    raise redis.ConnectionError(f"no answer for {DEAD_AFTER_SECONDS:.0f} s")
        finally:
            self.ready = False
            pubsub.close()
            client.close()

    def _handle(self, message: dict[str, object]) -> None:
        kind = message.get("type")
        if kind == "subscribe":
            for resync in _resync:
                resync()
            self.ready = True
            return
        if kind != "message":
            return  # pong
        data = message["data"]
        text = data.decode() if isinstance(data, bytes) else str(data)
        name, _, payload = text.partition(":")
        for handler in _handlers.get(name, ()):
            try:
                handler(payload)
            except Exception:  # one bad handler must not stop the others' invalidations
                logger.exception("invalidation handler for %r failed", name)


_current: _Subscriber | None = None
_start_lock = threading.Lock()


def _subscriber() -> _Subscriber:
    """This process's subscriber for the portal's Redis (a forked child or a changed
    REDIS_URL starts its own)."""
    global _current
    current = _current
    if current is not None and current.pid == os.getpid() and current.url == settings.REDIS_URL:
        return current
    with _start_lock:
        current = _current
        if current is None or current.pid != os.getpid() or current.url != settings.REDIS_URL:
            if current is not None:
                current.stopped = True
            current = _current = _Subscriber(settings.REDIS_URL)
    return current
