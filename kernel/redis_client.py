"""One pooled Redis client per process (per URL), shared by rate limits and the hot-path caches."""

from __future__ import annotations

import functools

import redis
from django.conf import settings


@functools.cache
def _client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)


def shared_redis() -> redis.Redis:
    return _client(settings.REDIS_URL)
