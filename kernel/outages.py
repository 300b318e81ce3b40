"""Which failures mean that a dependency (PostgreSQL, Redis) is down rather than that the code is
wrong. One place decides, so that every entry point (pages, the platform API, the gateway's
handler) answers an outage the same way: a fast 503 with Retry-After, and a warning in the log
instead of a traceback per request."""

from __future__ import annotations

import django.db
import kombu.exceptions
import psycopg
import redis

from kernel.errors import DependencyUnavailable

# SQLSTATEs of a server that is gone, going or full (class 08: connection exception); None is a
# failure on the client's side of the socket (refused, closed, the pool's wait timed out).
SERVER_GONE_SQLSTATES = frozenset({"57P01", "57P02", "57P03", "53300"})

DATABASE_DOWN = "The service's database cannot be reached just now; try again in a few seconds."
REDIS_DOWN = "The service's Redis cannot be reached just now; try again in a few seconds."


def dependency_outage(error: BaseException) -> DependencyUnavailable | None:
    """The 503 that `error` amounts to, or None when it is not an outage (a bug, a bad query)."""
    if isinstance(error, DependencyUnavailable):
        return error
    if isinstance(error, redis.ConnectionError | redis.TimeoutError):
        return DependencyUnavailable(REDIS_DOWN)
    if isinstance(error, kombu.exceptions.OperationalError):  # a task sent to a dead broker
        return DependencyUnavailable(REDIS_DOWN)
    if _database_gone(error):
        return DependencyUnavailable(DATABASE_DOWN)
    return None


def _database_gone(error: BaseException) -> bool:
    if isinstance(error, django.db.InterfaceError):  # "connection already closed"
        return True
    if isinstance(error, django.db.OperationalError):
        error = error.__cause__ or error  # Django wraps the driver's error
    if isinstance(error, psycopg.InterfaceError):
        return True
    if not isinstance(error, psycopg.OperationalError):
        return False  # Django's own OperationalError without a driver cause is not ours to judge
    sqlstate = error.sqlstate
    return sqlstate is None or sqlstate.startswith("08") or sqlstate in SERVER_GONE_SQLSTATES
