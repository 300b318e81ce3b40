"""The usage queue: the gateway hands each call's usage event to a Redis stream (in the same round
trip that settles its rate-limit reservation: no database on the hot path); recorders move the
events into UsageEvent in batches (`record_queued_usage`, a Celery beat task every few seconds).

Nothing is lost and nothing counts twice: an event is in Redis (append-only file) before the
answer goes out; a recorder acknowledges entries only after their rows are committed; entries a
recorder took and never acknowledged (it died) are claimed again by the next one after
CLAIM_IDLE_MS; the unique request id turns a second insert into a no-op. An event the table
refuses (a value out of range, a text it cannot hold) never wedges the recorder: a batch that
fails for its data is halved until the bad event is alone, and that one is set aside as a
UsageDeadLetter, to be mended and replayed.
"""

from __future__ import annotations

import json
import logging
import os
import socket
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import psycopg
import redis
from django.db import DatabaseError, DataError, IntegrityError, connection, transaction
from django.utils import timezone

from kernel.redis_client import shared_redis
from kernel.redis_keys import platform_key
from metering.models import UsageDeadLetter, UsageEvent

logger = logging.getLogger("atrium.metering")

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


# What a row's own data can make PostgreSQL (or the COPY's adaptation of it) refuse; anything else
# (the database gone) propagates, and the batch is taken again later.
BAD_DATA = (
    DataError, IntegrityError, psycopg.DataError, psycopg.IntegrityError, ValueError, TypeError,
    KeyError, AttributeError,
)  # fmt: skip


@dataclass(frozen=True)
class Queued:
    entry_id: str
    raw: bytes


def _text(value: str | bytes) -> str:
    """Storable text of anything (PostgreSQL text holds no NUL)."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "backslashreplace")
    return value.replace("\x00", "\\x00")


def _set_aside(queued: Queued, error: Exception) -> None:
    try:
        fields = json.loads(queued.raw)
        request_id, tenant_id = str(fields.get("request_id", ""))[:64], fields.get("tenant_id")
    except (ValueError, AttributeError):
        request_id, tenant_id = "", None
    UsageDeadLetter.objects.create(
        entry_id=queued.entry_id, request_id=_text(request_id),
        tenant_id=tenant_id if isinstance(tenant_id, int) and abs(tenant_id) < 2**63 else None,
        payload=_text(queued.raw), error=_text(f"{type(error).__name__}: {error}")[:2000],
    )  # fmt: skip
    logger.error("usage event %s set aside: %s", request_id or queued.entry_id, error)


def _record(batch: list[Queued]) -> None:
    """Store `batch`; when its data is refused, halve it until each bad event is alone, and set
    that one aside (a poison event costs log2(batch) failed transactions, once)."""
    try:
        _store([_row(queued.raw) for queued in batch])
    except BAD_DATA as error:
        if len(batch) == 1:
            _set_aside(batch[0], error)
            return
        middle = len(batch) // 2
        _record(batch[:middle])
        _record(batch[middle:])


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
        _record([
            Queued(entry_id.decode(), fields.get(b"event", b""))
            for entry_id, fields in entries if fields
        ])  # fmt: skip
        ids = [entry_id for entry_id, _ in entries]
        with client.pipeline(transaction=False) as pipe:
            pipe.xack(STREAM, GROUP, *ids)
            pipe.xdel(STREAM, *ids)
            pipe.execute()
        handled += len(entries)
    return handled


def replay_dead_letters(ids: list[int] | None = None) -> tuple[int, int]:
    """Write the set-aside events again (`ids`, or all not replayed yet), each as its payload
    now reads; answers (recorded, still refused). A refused one keeps its new error."""
    letters = UsageDeadLetter.objects.filter(replayed_at__isnull=True)
    if ids is not None:
        letters = letters.filter(pk__in=ids)
    recorded = refused = 0
    for letter in letters.order_by("pk"):
        try:
            _store([_row(letter.payload.encode())])
        except BAD_DATA as error:
            letter.error = _text(f"{type(error).__name__}: {error}")[:2000]
            letter.save(update_fields=["error"])
            refused += 1
            continue
        letter.replayed_at = timezone.now()
        letter.save(update_fields=["replayed_at"])
        recorded += 1
    return recorded, refused


def record_now(event: dict[str, Any]) -> None:
    """Write one call's event straight to the table, when the queue cannot take it (Redis
    down): idempotent by its request id, so the copy the queue may still hold (a pipeline that
    failed after its XADD) is skipped when recorded. Set aside if its data is refused; only if
    PostgreSQL is down too is it left to the log, whole, for an operator to replay."""
    raw = json.dumps(event, default=_encode).encode()
    try:
        _record([Queued(entry_id="direct", raw=raw)])
    except DatabaseError:
        logger.critical("usage event not recorded (Redis and PostgreSQL down): %s", raw.decode())


def queued_usage() -> int:
    """Events waiting to be recorded (`atrium_usage_queue_length` on /metrics)."""
    return int(shared_redis().xlen(STREAM))
