"""The usage queue: the gateway hands each call's usage event to a Redis stream (in the same round
trip that settles its rate-limit reservation: no database on the hot path); recorders move the
events into UsageEvent in batches (`record_queued_usage`, a Celery beat task every few seconds).

Nothing is lost and nothing counts twice: an event is in Redis (append-only file) before the
answer goes out; a recorder acknowledges entries only after their rows are committed; entries a
recorder took and never acknowledged (it died) are claimed again by the next one after
CLAIM_IDLE_MS; the unique request id turns a second insert into a no-op.
"""

from __future__ import annotations

import json
import os
import socket
from datetime import datetime
from decimal import Decimal
from typing import Any

import redis
from django.db import connection, transaction

from kernel.redis_client import shared_redis
from kernel.redis_keys import platform_key
from metering.models import UsageEvent

STREAM = platform_key("usage")
GROUP = "recorders"
CLAIM_IDLE_MS = 60_000


def _encode(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot queue {type(value).__name__}")


def enqueue(pipe: redis.client.Pipeline, event: dict[str, Any]) -> None:
    """Add one event to `pipe` (executed by the caller, with whatever else that round trip does)."""
    pipe.xadd(STREAM, {"event": json.dumps(event, default=_encode)})


COLUMNS = [
    field.column
    for field in UsageEvent._meta.concrete_fields
    if field.column not in {"id", "created_at"}
]
# The column names come from the model, never from input.
STAGE = f"""
CREATE TEMP TABLE IF NOT EXISTS usage_incoming ON COMMIT DELETE ROWS AS
SELECT {", ".join(COLUMNS)} FROM metering_usageevent WITH NO DATA
"""  # noqa: S608
MOVE = f"""
INSERT INTO metering_usageevent ({", ".join(COLUMNS)}, created_at)
SELECT {", ".join(COLUMNS)}, now() FROM usage_incoming
ON CONFLICT (request_id) DO NOTHING
"""  # noqa: S608


# An event queued before a column existed (by a web process of the previous release) takes the
# column's default, so an upgrade never wedges the recorder on a NOT NULL column.
DEFAULTS = {
    field.column: field.get_default()
    for field in UsageEvent._meta.concrete_fields
    if field.has_default() and not callable(field.default)
}


def _row(raw: bytes) -> tuple[Any, ...]:
    """The queued JSON as a row for COPY (decimals and times stay text: PostgreSQL parses them)."""
    fields = json.loads(raw)
    return tuple(fields.get(column, DEFAULTS.get(column)) for column in COLUMNS)


def _store(rows: list[tuple[Any, ...]]) -> None:
    """COPY into a session-local staging table, then one INSERT that skips request ids already
    recorded: the speed of COPY, the idempotency of ON CONFLICT, in one transaction."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(STAGE)
        with cursor.cursor.copy(f"COPY usage_incoming ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(MOVE)


def _consumer() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


def _ensure_group(client: redis.Redis) -> None:
    try:
        client.xgroup_create(STREAM, GROUP, id="0", mkstream=True)
    except redis.ResponseError as error:
        if "BUSYGROUP" not in str(error):
            raise


def _next_batch(client: redis.Redis, consumer: str, size: int) -> list[tuple[bytes, Any]]:
    """Entries abandoned by a recorder that died first, then new ones."""
    claimed = client.xautoclaim(STREAM, GROUP, consumer, CLAIM_IDLE_MS, "0-0", count=size)[1]
    if claimed:
        return list(claimed)
    answer = client.xreadgroup(GROUP, consumer, {STREAM: ">"}, count=size)
    return list(answer[0][1]) if answer else []


def record_queued_usage(*, batch_size: int = 2000, limit: int = 1_000_000) -> int:
    """Move queued usage events into the table; returns how many entries were handled."""
    client = shared_redis()
    _ensure_group(client)
    consumer = _consumer()
    handled = 0
    while handled < limit:
        entries = _next_batch(client, consumer, batch_size)
        if not entries:
            break
        _store([_row(fields[b"event"]) for _, fields in entries if fields])
        ids = [entry_id for entry_id, _ in entries]
        with client.pipeline(transaction=False) as pipe:
            pipe.xack(STREAM, GROUP, *ids)
            pipe.xdel(STREAM, *ids)
            pipe.execute()
        handled += len(entries)
    return handled


def queued_usage() -> int:
    """Events waiting to be recorded (`atrium_usage_queue_length` on /metrics)."""
    return int(shared_redis().xlen(STREAM))
