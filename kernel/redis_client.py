"""One pooled Redis client per process (per URL), shared by rate limits and the hot-path caches."""

from __future__ import annotations

import functools
from urllib.parse import urlsplit

import redis
from django.conf import settings


@functools.cache
def _client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)


def shared_redis() -> redis.Redis:
    return _client(settings.REDIS_URL)


def redacted_url(url: str) -> str:
    """The URL without its password, fit for a message or a log line."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = f"{parts.username}:***@" if parts.username else ":***@"
    return parts._replace(netloc=user + netloc).geturl()
