"""One pooled Redis client per process (per URL), shared by rate limits and the hot-path caches."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

import redis
from django.conf import settings


@functools.cache
def _client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)


def shared_redis() -> redis.Redis:
    return _client(settings.REDIS_URL)


def run_script(
    source: str, keys: Sequence[Any], args: Sequence[Any], client: redis.Redis | None = None
) -> Any:
    """Run a Lua script by its SHA1 (EVALSHA), sending its text only when Redis does not know it
    yet (after a restart): the hot path's scripts are kilobytes, the hash is 40 bytes."""
    return _registered(client or shared_redis(), source)(keys=keys, args=args)


@functools.cache
def _registered(client: redis.Redis, source: str) -> Any:
    return client.register_script(source)


def redacted_url(url: str) -> str:
    """The URL without its password, fit for a message or a log line."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = f"{parts.username}:***@" if parts.username else ":***@"
    return parts._replace(netloc=user + netloc).geturl()
