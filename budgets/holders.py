"""Who holds a budget reservation: every process that reserves (a web worker, a Celery worker)
says in Redis that it is alive, every BEAT_SECONDS, under a key that lives HOLDER_TTL_SECONDS.
Each hold names its holder, so reconciliation lets go of the holds of a process that died (a
pod killed, a worker OOM-killed, a call whose admission script ran as Redis was killed, with no
answer back to release it) within a minute, not after `reservations.HOLD_SECONDS`.

A hold is let go when its holder's key is gone and the hold is older than HOLDER_TTL_SECONDS
(so taken before the holder's last beat could have kept the key alive): a process's key missing
for a moment (Redis emptied since its last beat) costs none of its new holds. No holder is judged
while Redis has been up less than HOLDER_TTL_SECONDS: a Redis restarted from its files has the
holds back but its holders' keys expired, until each beats again. A process too starved to beat
for HOLDER_TTL_SECONDS may see its running calls' holds let go (the counter is low by them until
the next reconciliation).
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import socket
import threading

import redis

from kernel.redis_client import shared_redis
from kernel.redis_keys import platform_key

logger = logging.getLogger("atrium.metering")

HOLDER_TTL_SECONDS = 30
BEAT_SECONDS = 10


def holder_key(holder: str) -> str:
    return platform_key("holder", holder)


class _Holder:
    """This process, as a holder: named once per process (a forked child is named afresh) and
    kept alive by a daemon thread."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        host = re.sub(r"[^A-Za-z0-9.-]", "-", socket.gethostname())
        self.name = f"{host}-{self.pid}-{secrets.token_hex(4)}"
        self.stopped = threading.Event()
        self.beat()  # alive before its first hold is taken
        threading.Thread(target=self.beating, name="budget-holder", daemon=True).start()

    def beat(self) -> None:
        try:
            shared_redis().set(holder_key(self.name), 1, ex=HOLDER_TTL_SECONDS)
        except redis.RedisError as error:  # Redis away: so are the holds; try again later
            logger.warning("budget holder %s could not beat: %s", self.name, error)

    def beating(self) -> None:
        while not self.stopped.wait(BEAT_SECONDS):
            try:
                self.beat()
            except Exception:  # the thread must outlive any one beat: a silent end kills holds
                logger.exception("budget holder %s: a beat failed", self.name)


_this: _Holder | None = None
_lock = threading.Lock()


def _forked() -> None:
    """In a forked child: the parent's holder and lock are not this process's."""
    global _this, _lock
    _this, _lock = None, threading.Lock()


os.register_at_fork(after_in_child=_forked)


def this_holder() -> str:
    """The name under which this process holds reservations (alive while it runs)."""
    global _this
    holder = _this
    if holder is None or holder.pid != os.getpid():
        with _lock:
            if _this is None or _this.pid != os.getpid():
                _this = _Holder()
            holder = _this
    return holder.name


def _judging(client: redis.Redis) -> bool:
    """Whether Redis has been up long enough for every living holder to have beaten."""
    try:
        return int(client.info("server").get("uptime_in_seconds", 0)) >= HOLDER_TTL_SECONDS
    except redis.RedisError:  # INFO refused (a managed Redis may rename it): judge no one
        return False


def dead_among(holders: set[str], client: redis.Redis) -> list[str]:
    """Those of `holders` that no longer beat (none while Redis is too young to tell)."""
    if not holders or not _judging(client):
        return []
    names = sorted(holders)
    with client.pipeline(transaction=False) as pipe:
        for name in names:
            pipe.exists(holder_key(name))
        alive = pipe.execute()
    return [name for name, exists in zip(names, alive, strict=True) if not exists]
