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

import logging
import os
import queue
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from decimal import Decimal
from operator import itemgetter
from typing import Any, NamedTuple

import orjson
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
BATCH_SIZE = 5000


def _encode(value: Any) -> Any:
    """What orjson cannot write itself (it writes datetimes as ISO 8601, as PostgreSQL reads)."""
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot queue {type(value).__name__}")


def _dumps(event: dict[str, Any]) -> bytes:
    return orjson.dumps(event, default=_encode)


def enqueue(pipe: redis.client.Pipeline, event: dict[str, Any]) -> None:
    """Add one event to `pipe` (executed by the caller, with whatever else that round trip does)."""
    pipe.xadd(STREAM, {"event": _dumps(event)})


COLUMNS = [
    column
    for field in UsageEvent._meta.concrete_fields
    if (column := field.column) is not None and column not in {"id", "created_at"}
]
# An event queued before a column existed (by a web process of the previous release) takes the
# column's default ("" for a text without one), so an upgrade never wedges the recorder on a NOT
# NULL column. No queued column has a callable default.
DEFAULTS = {
    field.column: field.get_default()
    for field in UsageEvent._meta.concrete_fields
    if field.column in COLUMNS and not (field.has_default() and callable(field.default))
}
_ROW = itemgetter(*COLUMNS)
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
COPY = f"COPY usage_incoming ({', '.join(COLUMNS)}) FROM STDIN"
COPY_DIRECT = f"COPY metering_usageevent ({', '.join(COLUMNS)}, created_at) FROM STDIN"


class Queued(NamedTuple):
    """One queued event: its row for COPY (decimals and times stay text: PostgreSQL parses
    them), or why it has none. A tuple: a batch makes thousands."""

    entry_id: str
    raw: bytes
    row: tuple[Any, ...] | None
    unreadable: Exception | None = None


def queued_event(entry_id: str, raw: bytes) -> Queued:
    try:
        fields = orjson.loads(raw)
        try:
            row = _ROW(fields)
        except KeyError:  # queued by an older release: a column it did not know
            row = _ROW({**DEFAULTS, **fields})
    except (orjson.JSONDecodeError, TypeError) as error:  # not JSON, or not an object
        return Queued(entry_id, raw, None, error)
    return Queued(entry_id, raw, row)


class UnwritableValue(ValueError):
    """A queued value COPY cannot adapt to any column type."""


def _copy(cursor: Any, statement: str, rows: list[tuple[Any, ...]], *extra: Any) -> None:
    with cursor.cursor.copy(statement) as copy:
        try:
            for row in rows:
                copy.write_row((*row, *extra) if extra else row)
        except psycopg.ProgrammingError as error:  # a JSON object where a column wants text
            raise UnwritableValue(str(error)) from error


def _store(rows: list[tuple[Any, ...]]) -> None:
    """COPY straight into the table: the usual batch, never recorded before, costs PostgreSQL
    half of a staged insert. A batch taken again (its recorder died between commit and
    acknowledgement) meets its own request ids: that one goes through a session-local staging
    table and one INSERT that skips the ids already recorded. Either way, one transaction."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            _copy(cursor, COPY_DIRECT, rows, timezone.now())
    except psycopg.errors.UniqueViolation:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(STAGE)
            _copy(cursor, COPY, rows)
            cursor.execute(MOVE)


def _consumer() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


def _ensure_group(client: redis.Redis) -> None:
    try:
        client.xgroup_create(STREAM, GROUP, id="0", mkstream=True)
    except redis.ResponseError as error:
        if "BUSYGROUP" not in str(error):
            raise


@dataclass(frozen=True)
class Batch:
    entry_ids: list[bytes]
    events: list[Queued]


def _batches(client: redis.Redis, consumer: str, size: int) -> Iterator[Batch]:
    """Entries abandoned by a recorder that died (pending, idle for CLAIM_IDLE_MS), then new
    ones, `size` at a time, decoded."""
    cursor: bytes | str = "0-0"
    while True:
        answer = client.xautoclaim(STREAM, GROUP, consumer, CLAIM_IDLE_MS, cursor, count=size)
        cursor = answer[0]
        if answer[1]:
            yield _batch(answer[1])
        if cursor in (b"0-0", "0-0"):
            break
    reader = _raw_reader(client)
    while entries := _new_entries(reader, consumer, size):
        yield _batch(entries)


def _as_sent(answer: Any, **options: Any) -> Any:
    return answer


def _raw_reader(client: redis.Redis) -> redis.Redis:
    """`client`'s connections, with XREADGROUP's answer left as Redis sent it: redis-py's
    reshaping of every entry's fields into a dict was a tenth of the recorder's Python time."""
    raw = redis.Redis(connection_pool=client.connection_pool)
    raw.set_response_callback("XREADGROUP", _as_sent)
    return raw


def _new_entries(client: redis.Redis, consumer: str, size: int) -> list[tuple[bytes, Any]]:
    # As sent: {stream: [[id, [field, value, ...]], ...]} (RESP3), [[stream, [...]]] (RESP2), or
    # nothing.
    answer: Any = client.xreadgroup(GROUP, consumer, {STREAM: ">"}, count=size)
    if not answer:
        return []
    return list(next(iter(answer.values())) if isinstance(answer, dict) else answer[0][1])


def _event_field(fields: Any) -> bytes:
    """The queued event among an entry's fields: a dict (XAUTOCLAIM's, reshaped by redis-py) or
    the list Redis sent (XREADGROUP's, read raw)."""
    event: bytes = b""
    if isinstance(fields, dict):
        event = fields.get(b"event", b"")
    else:
        for at in range(0, len(fields) - 1, 2):
            if fields[at] == b"event":
                event = fields[at + 1]
                break
    return event


def _batch(entries: list[tuple[bytes, Any]]) -> Batch:
    # An entry deleted while pending comes back without fields: acknowledged, nothing to write.
    return Batch(
        entry_ids=[entry_id for entry_id, _ in entries],
        events=[
            queued_event(entry_id.decode(), _event_field(fields))
            for entry_id, fields in entries if fields
        ],
    )  # fmt: skip


# The reader thread's last word: no more entries.
DONE = object()


@contextmanager
def _read_ahead(client: redis.Redis, size: int, limit: int) -> Iterator[Iterator[Batch]]:
    """The batches of `_batches`, read by a thread while the caller writes the previous one to
    PostgreSQL (both wait on a server most of the time, so Python and PostgreSQL overlap).
    Reading only marks entries pending: a batch read and never written is claimed again later.
    An error of the reader is raised to the caller."""
    ahead: queue.Queue[Any] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def read() -> None:
        try:
            taken = 0
            for batch in _batches(client, _consumer(), size):
                if stop.is_set():
                    return
                ahead.put(batch)
                taken += len(batch.entry_ids)
                if taken >= limit:
                    return
        except Exception as error:  # handed to the writer, which raises it
            ahead.put(error)
        finally:
            ahead.put(DONE)

    def handed() -> Iterator[Batch]:
        while (item := ahead.get()) is not DONE:
            if isinstance(item, Exception):
                raise item
            yield item

    reader = threading.Thread(target=read, name="usage-reader", daemon=True)
    reader.start()
    try:
        yield handed()
    finally:
        stop.set()
        while reader.is_alive():  # unblock a reader waiting to hand over a batch
            with suppress(queue.Empty):
                ahead.get(timeout=0.05)
        reader.join()


# What a row's own data can make PostgreSQL (or the COPY) refuse; anything else (the database
# gone) propagates, and the batch is taken again later.
BAD_DATA = (
    DataError, IntegrityError, psycopg.DataError, psycopg.IntegrityError, UnwritableValue,
)  # fmt: skip


def _text(value: str | bytes) -> str:
    """Storable text of anything (PostgreSQL text holds no NUL)."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "backslashreplace")
    return value.replace("\x00", "\\x00")


def _set_aside(queued: Queued, error: Exception) -> None:
    try:
        fields = orjson.loads(queued.raw)
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
    rows = []
    for queued in batch:
        if queued.row is None:
            _set_aside(queued, queued.unreadable or ValueError("no event"))
        else:
            rows.append(queued.row)
    if len(rows) < len(batch):
        batch = [queued for queued in batch if queued.row is not None]
    try:
        _store(rows)
    except BAD_DATA as error:
        if len(batch) == 1:
            _set_aside(batch[0], error)
            return
        middle = len(batch) // 2
        _record(batch[:middle])
        _record(batch[middle:])


def _acknowledge(client: redis.Redis, entry_ids: list[bytes]) -> None:
    with client.pipeline(transaction=False) as pipe:
        pipe.xack(STREAM, GROUP, *entry_ids)
        pipe.xdel(STREAM, *entry_ids)
        pipe.execute()


def record_queued_usage(*, batch_size: int = BATCH_SIZE, limit: int = 1_000_000) -> int:
    """Move queued usage events into the table; returns how many entries were handled."""
    client = shared_redis()
    _ensure_group(client)
    handled = 0
    with _read_ahead(client, batch_size, limit) as batches:
        for batch in batches:
            _record(batch.events)
            # Acknowledged only now, the rows committed: a recorder that dies before this line
            # leaves the entries pending, and their second insert is a no-op.
            _acknowledge(client, batch.entry_ids)
            handled += len(batch.entry_ids)
    return handled


def replay_dead_letters(ids: list[int] | None = None) -> tuple[int, int]:
    """Write the set-aside events again (`ids`, or all not replayed yet), each as its payload
    now reads; answers (recorded, still refused). A refused one keeps its new error."""
    letters = UsageDeadLetter.objects.filter(replayed_at__isnull=True)
    if ids is not None:
        letters = letters.filter(pk__in=ids)
    recorded = refused = 0
    for letter in letters.order_by("pk"):
        queued = queued_event(letter.entry_id, letter.payload.encode())
        error = queued.unreadable
        if queued.row is not None:
            try:
                _store([queued.row])
            except BAD_DATA as refused_by_table:
                error = refused_by_table
        if error is not None:
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
    raw = _dumps(event)
    try:
        _record([queued_event("direct", raw)])
    except DatabaseError:
        logger.critical("usage event not recorded (Redis and PostgreSQL down): %s", raw.decode())


def queued_usage() -> int:
    """Events waiting to be recorded (`atrium_usage_queue_length` on /metrics)."""
    return int(shared_redis().xlen(STREAM))
