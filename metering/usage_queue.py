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

An event is queued as a line of COPY text under a field that names its columns' layout
(`metering.usage_rows`); the recorder hands a batch of lines to COPY as they came. An event
queued as a JSON object (`event`: by a release before lines, or holding a value no line can
carry) is read by name, as before.
"""

from __future__ import annotations

import logging
import os
import queue
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from decimal import Decimal
from itertools import repeat
from typing import Any, NamedTuple

import orjson
import psycopg
import redis
from django.db import DatabaseError, DataError, IntegrityError, connection, transaction
from django.utils import timezone

from kernel.redis_client import run_script, shared_redis
from kernel.redis_keys import platform_key
from metering.models import UsageDeadLetter
from metering.usage_rows import (
    COLUMNS,
    EVENT_FIELD,
    LAYOUT,
    LAYOUTS,
    ROW_FIELD,
    ROW_PREFIX,
    UNWRITABLE,
    UnknownLayout,
    event_line,
    is_one_line,
    line_fields,
)  # fmt: skip

logger = logging.getLogger("atrium.metering")

# Lines go to a stream of their own: a recorder of a release before lines reads only the stream
# of JSON objects, so during an upgrade or a rollback it never meets a line it cannot read. The
# recorder drains what is left in the old stream first, and removes it once empty.
STREAM = platform_key("usage-lines")
LEGACY_STREAM = platform_key("usage")
GROUP = "recorders"
CLAIM_IDLE_MS = 60_000
BATCH_SIZE = 5000
# Writers of a backlog: Python reads the next batch while two PostgreSQL backends write, which
# keeps two cores busy (bench/metering.py: 1M events recorded in 21.7 s with two, 25.7 with one).
WRITERS = 2


def _encode(value: Any) -> Any:
    """What orjson cannot write itself (it writes datetimes as ISO 8601, as PostgreSQL reads)."""
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot queue {type(value).__name__}")


def _dumps(event: dict[str, Any]) -> bytes:
    return orjson.dumps(event, default=_encode)


# Registered again now and then, so a Redis that lost it (flushed, replaced) has it back soon.
REGISTER_EVERY_S = 60.0
_registered_at = -REGISTER_EVERY_S


def enqueue(pipe: redis.client.Pipeline, event: dict[str, Any]) -> None:
    """Add one event to `pipe`, executed by the caller with whatever else that round trip does:
    as a line of COPY text (a column it lacks takes its default), or, if it holds a value no line
    can carry, as a JSON object the recorder reads (and sets aside what the table refuses)."""
    global _registered_at
    if (now := time.monotonic()) - _registered_at >= REGISTER_EVERY_S:
        pipe.hset(LAYOUTS, LAYOUT, orjson.dumps(COLUMNS))
        _registered_at = now
    # The command as Redis reads it: `pipe.xadd` building it from its options cost every call
    # another 1.5 µs (bench/metering.py's producers).
    try:
        pipe.execute_command("XADD", STREAM, "*", ROW_FIELD, event_line(event))
    except UNWRITABLE:
        pipe.execute_command("XADD", STREAM, "*", EVENT_FIELD, _dumps(event))


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
    """One queued event: its line for COPY (decimals and times stay text: PostgreSQL parses
    them), or why it has none; `layout` names the columns of a `raw` that is a line, None for a
    JSON object. A tuple: a batch makes thousands."""

    entry_id: str
    raw: bytes
    line: bytes | None
    unreadable: Exception | None = None
    layout: Sequence[str] | None = None
    field: bytes = EVENT_FIELD  # the entry's field: EVENT_FIELD, or ROW_PREFIX and a layout


def queued_event(entry_id: str, raw: bytes) -> Queued:
    """The event `raw`, queued as a JSON object of named values."""
    try:
        fields = orjson.loads(raw)
        if not isinstance(fields, dict):
            raise TypeError(f"an object expected, not {type(fields).__name__}")
        return Queued(entry_id, raw, event_line(fields))
    except (orjson.JSONDecodeError, *UNWRITABLE) as error:  # not JSON, or not an event
        return Queued(entry_id, raw, None, error)


def queued_line(entry_id: str, raw: bytes, layout: Sequence[str], field: bytes) -> Queued:
    """The event `raw`, a line of `layout` (queued under `field`): as it is, in this release's
    layout."""
    if not is_one_line(raw, len(layout)):
        error = ValueError(f"not one line of {len(layout)} values")
        return Queued(entry_id, raw, None, error, layout, field)
    if layout is COLUMNS:
        return Queued(entry_id, raw, raw, None, layout, field)
    try:
        line = event_line(line_fields(raw, layout))
    except UNWRITABLE as error:
        return Queued(entry_id, raw, None, error, layout, field)
    return Queued(entry_id, raw, line, None, layout, field)


def _copy(cursor: Any, statement: str, data: bytes, rows: int) -> None:
    """COPY `data`, which must be `rows` rows: a line that is COPY's end-of-data marker (`\\.`)
    would end it early without an error, and one ending in a backslash would take the next line
    into it. Neither comes from psycopg's formatter; either is refused here, as bad data."""
    with cursor.cursor.copy(statement) as copy:
        copy.write(data)
    if cursor.cursor.rowcount != rows:
        raise DataError(f"COPY read {cursor.cursor.rowcount} rows of {rows}")


def _store(lines: list[bytes]) -> None:
    """COPY straight into the table: the usual batch, never recorded before, costs PostgreSQL
    half of a staged insert. A batch taken again (its recorder died between commit and
    acknowledgement) meets its own request ids: that one goes through a session-local staging
    table and one INSERT that skips the ids already recorded. Either way, one transaction."""
    # Each line holds exactly one newline, its last byte (`is_one_line`, or psycopg wrote it).
    stamped = b"".join(lines).replace(b"\n", f"\t{timezone.now().isoformat()}\n".encode())
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            _copy(cursor, COPY_DIRECT, stamped, len(lines))
    except psycopg.errors.UniqueViolation:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(STAGE)
            _copy(cursor, COPY, b"".join(lines), len(lines))
            cursor.execute(MOVE)


def _consumer() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


def _ensure_group(client: redis.Redis, stream: str) -> None:
    try:
        client.xgroup_create(stream, GROUP, id="0", mkstream=True)
    except redis.ResponseError as error:
        if "BUSYGROUP" not in str(error):
            raise


@dataclass(frozen=True)
class Batch:
    entry_ids: list[bytes]
    # The usual batch, every entry one whole line of this release's layout: its lines as they
    # came, checked for the batch at once. None: each entry is read on its own (`events`).
    lines: list[bytes] | None
    events: Callable[[], list[Queued]]  # each entry read on its own (lazily for `lines`)


def _batches(client: redis.Redis, stream: str, consumer: str, size: int) -> Iterator[Batch]:
    """Entries abandoned by a recorder that died (pending, idle for CLAIM_IDLE_MS), then new
    ones, `size` at a time, decoded."""
    cursor: bytes | str = "0-0"
    layouts = Layouts(client)
    while True:
        answer = client.xautoclaim(stream, GROUP, consumer, CLAIM_IDLE_MS, cursor, count=size)
        cursor = answer[0]
        if answer[1]:
            yield _batch(answer[1], layouts)
        if cursor in (b"0-0", "0-0"):
            break
    reader = _raw_reader(client)
    while entries := _new_entries(reader, stream, consumer, size):
        yield _batch(entries, layouts)


def _as_sent(answer: Any, **options: Any) -> Any:
    return answer


def _raw_reader(client: redis.Redis) -> redis.Redis:
    """`client`'s connections, with XREADGROUP's answer left as Redis sent it: redis-py's
    reshaping of every entry's fields into a dict was a tenth of the recorder's Python time."""
    raw = redis.Redis(connection_pool=client.connection_pool)
    raw.set_response_callback("XREADGROUP", _as_sent)
    return raw


def _new_entries(
    client: redis.Redis, stream: str, consumer: str, size: int
) -> list[tuple[bytes, Any]]:
    # As sent: {stream: [[id, [field, value, ...]], ...]} (RESP3), [[stream, [...]]] (RESP2), or
    # nothing.
    answer: Any = client.xreadgroup(GROUP, consumer, {stream: ">"}, count=size)
    if not answer:
        return []
    return list(next(iter(answer.values())) if isinstance(answer, dict) else answer[0][1])


class Layouts:
    """The columns of each layout a batch meets: this release's, and others' as registered in
    Redis (read once per recorder run)."""

    def __init__(self, client: redis.Redis) -> None:
        self.client = client
        self.known: dict[bytes, Sequence[str] | None] = {ROW_FIELD: COLUMNS}

    def columns(self, field: bytes) -> Sequence[str] | None:
        """The columns registered for `field`'s layout; None if none are (or what is registered
        is not a list of names: its lines are set aside, never left to wedge the recorder)."""
        if field not in self.known:
            registered = self.client.hget(LAYOUTS, field.removeprefix(ROW_PREFIX))
            try:
                columns = orjson.loads(registered) if registered else None
            except orjson.JSONDecodeError:
                columns = None
            valid = isinstance(columns, list) and all(isinstance(c, str) for c in columns)
            self.known[field] = columns if valid else None
        return self.known[field]

    def queued(self, entry_id: bytes, fields: Any) -> Queued:
        """The event among an entry's fields: a dict (XAUTOCLAIM's, reshaped by redis-py) or the
        list Redis sent (XREADGROUP's, read raw)."""
        pairs = list(fields.items()) if isinstance(fields, dict) else [fields[:2]]
        field, raw = pairs[0] if pairs and len(pairs[0]) == 2 else (b"", b"")
        if field == ROW_FIELD:  # the usual case, first
            return queued_line(entry_id.decode(), raw, COLUMNS, field)
        if field == EVENT_FIELD:
            return queued_event(entry_id.decode(), raw)
        if field.startswith(ROW_PREFIX) and (layout := self.columns(field)) is not None:
            return queued_line(entry_id.decode(), raw, layout, field)
        error = UnknownLayout(f"no release registered the layout of {field[:80]!r}")
        return Queued(entry_id.decode(), raw, None, error, None, field)


def _each_read(entries: list[tuple[bytes, Any]], layouts: Layouts) -> list[Queued]:
    # An entry deleted while pending comes back without fields: acknowledged, nothing to write.
    return [layouts.queued(entry_id, fields) for entry_id, fields in entries if fields]


def _whole_lines(entries: list[tuple[bytes, Any]]) -> list[bytes] | None:
    """The lines of a batch read raw (XREADGROUP's) whose every entry is one line of this
    release's layout, each ending in its only newline; None for any other batch. Checked for
    the batch at once: reading each entry on its own (`Layouts.queued`) was a third of the
    recorder's Python. A line of the wrong width is refused by COPY itself (`_record_batch`)."""
    try:
        lines = [fields[1] for _, fields in entries if fields[0] == ROW_FIELD]
        joined = b"".join(lines)
    except (KeyError, IndexError, TypeError):  # a dict (XAUTOCLAIM's), no fields, not bytes
        return None
    whole = (
        len(lines) == len(entries)
        and joined.count(b"\n") == len(lines)
        and joined.count(b"\t") == len(lines) * (len(COLUMNS) - 1)
        and all(map(bytes.endswith, lines, repeat(b"\n")))
    )
    return lines if whole else None


def _batch(entries: list[tuple[bytes, Any]], layouts: Layouts) -> Batch:
    entry_ids = [entry_id for entry_id, _ in entries]
    if (lines := _whole_lines(entries)) is not None:
        return Batch(entry_ids, lines, lambda: _each_read(entries, layouts))
    events = _each_read(entries, layouts)
    return Batch(entry_ids, None, lambda: events)


# The reader thread's last word: no more entries.
DONE = object()


@contextmanager
def _read_ahead(
    client: redis.Redis, stream: str, size: int, limit: int, ahead_by: int = 1
) -> Iterator[Iterator[Batch]]:
    """The batches of `_batches`, read by a thread while the caller writes the previous one to
    PostgreSQL (both wait on a server most of the time, so Python and PostgreSQL overlap).
    Reading only marks entries pending: a batch read and never written is claimed again later.
    An error of the reader is raised to the caller."""
    ahead: queue.Queue[Any] = queue.Queue(maxsize=ahead_by)
    stop = threading.Event()

    def read() -> None:
        try:
            taken = 0
            for batch in _batches(client, stream, _consumer(), size):
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
BAD_DATA = (DataError, IntegrityError, psycopg.DataError, psycopg.IntegrityError)


def _text(value: str | bytes) -> str:
    """Storable text of anything (PostgreSQL text holds no NUL)."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "backslashreplace")
    return value.replace("\x00", "\\x00")


def _as_object(queued: Queued) -> tuple[bytes, dict[str, Any]]:
    """A set-aside event as a JSON object of named values (what the admin mends and the replay
    reads; a line's values as text), and its fields. A line that cannot be read so (a layout
    nobody registered, not one whole line) is kept as {"field": ..., "line": ...}, which the
    replay reads as a line again (once its layout is registered, or the line mended); anything
    else as queued, with no fields."""
    try:
        if queued.field == EVENT_FIELD:
            fields = orjson.loads(queued.raw)
            return queued.raw, fields if isinstance(fields, dict) else {}
        if queued.layout is not None and is_one_line(queued.raw, len(queued.layout)):
            fields = line_fields(queued.raw, queued.layout)
            return _dumps(fields), fields
        as_line = {"field": queued.field.decode(), "line": queued.raw.decode()}
        return _dumps(as_line), {}
    except ValueError:  # not JSON, not UTF-8
        return queued.raw, {}


def _tenant_id(value: Any) -> int | None:
    with suppress(TypeError, ValueError):
        if abs(number := int(value)) < 2**63:
            return number
    return None


def _set_aside(queued: Queued, error: Exception) -> None:
    payload, fields = _as_object(queued)
    UsageDeadLetter.objects.create(
        entry_id=queued.entry_id, request_id=_text(str(fields.get("request_id", ""))[:64]),
        tenant_id=_tenant_id(fields.get("tenant_id")), payload=_text(payload),
        error=_text(f"{type(error).__name__}: {error}")[:2000],
    )  # fmt: skip
    logger.error("usage event %s set aside: %s", fields.get("request_id") or queued.entry_id, error)


def _record(batch: list[Queued], refused: Exception | None = None) -> None:
    """Store `batch`; when its data is refused, halve it until each bad event is alone, and set
    that one aside (a poison event costs log2(batch) failed transactions, once). `refused`: what
    COPY said of these very lines (none set aside since), so they are halved at once."""
    lines = []
    for queued in batch:
        if queued.line is None:
            _set_aside(queued, queued.unreadable or ValueError("no event"))
        else:
            lines.append(queued.line)
    if len(lines) < len(batch):
        batch, refused = [queued for queued in batch if queued.line is not None], None
    if not lines:
        return
    if refused is None:
        try:
            _store(lines)
            return
        except BAD_DATA as error:
            refused = error
    if len(batch) == 1:
        _set_aside(batch[0], refused)
        return
    middle = len(batch) // 2
    _record(batch[:middle])
    _record(batch[middle:])


def _record_batch(batch: Batch) -> None:
    """Store `batch`: its lines as they came, or, if it has none or COPY refuses one (a line of
    the wrong width), its entries each read on its own (`_record`)."""
    if batch.lines is None:
        _record(batch.events())
        return
    try:
        _store(batch.lines)
    except BAD_DATA as error:  # the bad lines are found, and set aside, one by one
        _record(batch.events(), refused=error)


# After a batch is acknowledged, drop its entries from the stream. The usual batch is the oldest
# entries still there: the stream is trimmed up to the oldest entry still pending (or, with none
# pending, past the last one delivered), which drops whole blocks at a quarter of Redis's CPU for
# deleting each entry by id. A trim never drops an entry pending or not yet delivered. Answers -1
# when an entry older than the batch's newest (ARGV[2]) is still pending: another writer's, or a
# dead recorder's (a claimed batch can straddle a live recorder's). That batch is deleted by id,
# so the stream's length stays what is left to record. The stream has one consumer group.
TRIM_RECORDED = """
local function id(text)
    local ms, sequence = string.match(text, '^(%d+)-(%d+)$')
    return tonumber(ms), tonumber(sequence), #sequence
end
local pending = redis.call('XPENDING', KEYS[1], ARGV[1])
if pending[1] > 0 then
    local oldest_ms, oldest_sequence = id(pending[2])
    local newest_ms, newest_sequence = id(ARGV[2])
    if oldest_ms > newest_ms or (oldest_ms == newest_ms and oldest_sequence > newest_sequence) then
        return redis.call('XTRIM', KEYS[1], 'MINID', pending[2])
    end
    return -1
end
for _, group in ipairs(redis.call('XINFO', 'GROUPS', KEYS[1])) do
    local fields = {}
    for at = 1, #group, 2 do fields[group[at]] = group[at + 1] end
    if fields['name'] == ARGV[1] then
        local ms, sequence, digits = id(fields['last-delivered-id'])
        if digits > 15 then return -1 end  -- past what a Lua number holds exactly
        return redis.call('XTRIM', KEYS[1], 'MINID', string.format('%d-%d', ms, sequence + 1))
    end
end
return -1
"""


def _acknowledge(client: redis.Redis, stream: str, entry_ids: list[bytes]) -> None:
    """Acknowledge `entry_ids` (in the order read: XREADGROUP and XAUTOCLAIM both answer in
    id order, so the last is the newest) and drop them from the stream: two round trips a
    batch, three when an entry older than its newest is still pending."""
    client.xack(stream, GROUP, *entry_ids)
    if run_script(TRIM_RECORDED, [stream], [GROUP, entry_ids[-1]], client=client) == -1:
        client.xdel(stream, *entry_ids)


class _Writers:
    """Writes the batches read ahead: in the calling thread, joined by one more writer thread
    (its own PostgreSQL connection) at most `writers - 1` times, each when a batch comes full,
    that is, while there is a backlog. A small queue costs no thread and no connection."""

    def __init__(
        self, client: redis.Redis, stream: str, batches: Iterator[Batch], size: int, writers: int
    ) -> None:
        self.client, self.stream, self.batches = client, stream, batches
        self.size, self.writers = size, writers
        self.lock = threading.Lock()
        self.handled = 0
        self.failures: list[BaseException] = []
        self.helpers: list[threading.Thread] = []

    def _next(self) -> Batch | None:
        with self.lock:
            return None if self.failures else next(self.batches, None)

    def _write(self, *, calling: bool) -> None:
        while (batch := self._next()) is not None:
            if (
                calling
                and len(batch.entry_ids) >= self.size
                and len(self.helpers) < self.writers - 1
            ):
                helper = threading.Thread(target=self._help, name="usage-writer", daemon=True)
                self.helpers.append(helper)
                helper.start()
            _record_batch(batch)
            # Acknowledged only now, the rows committed: a recorder that dies before this line
            # leaves the entries pending, and their second insert is a no-op.
            _acknowledge(self.client, self.stream, batch.entry_ids)
            with self.lock:
                self.handled += len(batch.entry_ids)

    def _help(self) -> None:
        try:
            self._write(calling=False)
        except BaseException as error:  # raised by the calling thread
            self.failures.append(error)
        finally:
            connection.close()

    def run(self) -> int:
        try:
            self._write(calling=True)
        except BaseException as error:
            self.failures.insert(0, error)
        for helper in self.helpers:
            helper.join()
        if self.failures:
            raise self.failures[0]
        return self.handled


# The old stream, removed once nothing is in it or pending, in one step: an older web process
# that queues to it afterwards creates it again, and the next run reads it.
REMOVE_IF_DRAINED = """
if redis.call('XLEN', KEYS[1]) > 0 then return 0 end
local pending = redis.pcall('XPENDING', KEYS[1], ARGV[1])
if pending['err'] or pending[1] > 0 then return 0 end
return redis.call('DEL', KEYS[1])
"""


def record_queued_usage(
    *, batch_size: int = BATCH_SIZE, limit: int = 1_000_000, writers: int = WRITERS
) -> int:
    """Move queued usage events into the table, what is left in the old stream first; returns
    how many entries were handled."""
    client = shared_redis()
    handled = 0
    for stream in (LEGACY_STREAM, STREAM):
        if handled >= limit:
            break
        if stream == LEGACY_STREAM and not client.exists(LEGACY_STREAM):
            continue
        try:
            _ensure_group(client, stream)
            with _read_ahead(client, stream, batch_size, limit - handled, writers) as batches:
                handled += _Writers(client, stream, batches, batch_size, writers).run()
        except redis.ResponseError as error:
            if stream != LEGACY_STREAM or "NOGROUP" not in str(error):
                raise
            continue  # another run drained and removed it meanwhile
        if stream == LEGACY_STREAM:
            run_script(REMOVE_IF_DRAINED, [LEGACY_STREAM], [GROUP], client=client)
    return handled


def replay_dead_letters(ids: list[int] | None = None) -> tuple[int, int]:
    """Write the set-aside events again (`ids`, or all not replayed yet), each as its payload
    now reads; answers (recorded, still refused). A refused one keeps its new error."""
    letters = UsageDeadLetter.objects.filter(replayed_at__isnull=True)
    if ids is not None:
        letters = letters.filter(pk__in=ids)
    recorded = refused = 0
    layouts = Layouts(shared_redis())
    for letter in letters.order_by("pk"):
        queued = _replayed(letter, layouts)
        error = queued.unreadable
        if queued.line is not None:
            try:
                _store([queued.line])
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


def _replayed(letter: UsageDeadLetter, layouts: Layouts) -> Queued:
    """A dead letter's event as its payload now reads: an object of named values, or a line
    kept with the field it was queued under."""
    payload = letter.payload.encode()
    with suppress(ValueError):
        kept = orjson.loads(payload)
        if isinstance(kept, dict) and set(kept) == {"field", "line"}:
            return layouts.queued(letter.entry_id.encode(), {
                str(kept["field"]).encode(): str(kept["line"]).encode(),
            })  # fmt: skip
    return queued_event(letter.entry_id, payload)


def record_now(event: dict[str, Any]) -> None:
    """Write one call's event straight to the table, when the queue cannot take it (Redis
    down): idempotent by its request id, so the copy the queue may still hold (a pipeline that
    failed after its XADD) is skipped when recorded. Set aside if its data is refused; only if
    PostgreSQL is down too is it left to the log, whole, for an operator to replay."""
    raw = _dumps(event)
    try:
        _record([queued_event("direct", raw)])
    except (DatabaseError, psycopg.Error):  # COPY runs on psycopg's cursor: its errors, unwrapped
        logger.critical("usage event not recorded (Redis and PostgreSQL down): %s", raw.decode())


def queued_usage() -> int:
    """Events waiting to be recorded (`atrium_usage_queue_length` on /metrics)."""
    client = shared_redis()
    return int(client.xlen(STREAM)) + int(client.xlen(LEGACY_STREAM))
