"""The recorder reads the next batch while it writes the previous one (#16) and keeps its
promises: a batch whose rows are committed but never acknowledged (the recorder died) is taken
again and counted once; a failure on either side stops it without losing an event; events it
cannot read are set aside while the rest of their batch is recorded."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import orjson
import pytest
import redis

from kernel.redis_client import shared_redis
from metering import usage_queue
from metering.models import UsageDeadLetter, UsageEvent
from metering.usage_queue import GROUP, STREAM, record_queued_usage, replay_dead_letters
from metering.usage_rows import copy_line
from tests.metering.events import queue, queued_event

pytestmark = pytest.mark.django_db(transaction=True)

TENANT = SimpleNamespace(pk=987_655, slug="recorder")


def queued(**fields: Any) -> dict[str, Any]:
    """A usage event as the gateway queues it."""
    return queued_event(TENANT, **fields)


def recorded_ids() -> list[str]:
    events = UsageEvent.objects.unscoped().filter(tenant_id=TENANT.pk)
    return list(events.values_list("request_id", flat=True))


def left_in_redis() -> tuple[int, int]:
    """(entries in the stream, entries read and never acknowledged)."""
    client = shared_redis()
    return client.xlen(STREAM), client.xpending(STREAM, GROUP)["pending"]


def test_a_batch_committed_but_not_acknowledged_is_recorded_once(monkeypatch) -> None:
    record_queued_usage()  # what earlier tests left queued
    events = [queued() for _ in range(200)]
    queue(events)
    acknowledge, batches = usage_queue._acknowledge, []

    def dies_at_the_second(client: redis.Redis, stream: str, entry_ids: list[bytes]) -> None:
        batches.append(entry_ids)
        if len(batches) == 2:
            raise redis.ConnectionError("the recorder died between commit and acknowledgement")
        acknowledge(client, stream, entry_ids)

    monkeypatch.setattr(usage_queue, "_acknowledge", dies_at_the_second)
    with pytest.raises(redis.ConnectionError):
        record_queued_usage(batch_size=50, writers=1)

    assert len(recorded_ids()) == 100  # two batches committed, one of them acknowledged
    waiting, pending = left_in_redis()
    assert waiting == 150 and pending >= 50  # its batch, and what was read ahead, are pending

    monkeypatch.setattr(usage_queue, "_acknowledge", acknowledge)
    monkeypatch.setattr(usage_queue, "CLAIM_IDLE_MS", 0)  # as if a minute had passed
    assert record_queued_usage(batch_size=50) == 150
    assert sorted(recorded_ids()) == sorted(event["request_id"] for event in events)
    assert left_in_redis() == (0, 0)
    assert not UsageDeadLetter.objects.exists()  # a batch met again is no bad data


def read_as(consumer: str, count: int) -> list[bytes]:
    """The ids of `count` new entries, read (and left pending) by `consumer`."""
    answer = shared_redis().xreadgroup(GROUP, consumer, {STREAM: ">"}, count=count)
    return [entry_id for entry_id, _ in answer[0][1]]


def assert_the_rest_recorded_once_claimed(events: list[dict[str, Any]], rest: int) -> None:
    """Claim what other recorders hold (as if a minute had passed): `rest` more are recorded,
    then every one of `events` is, once, and nothing is left in Redis."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(usage_queue, "CLAIM_IDLE_MS", 0)
        assert record_queued_usage() == rest
    assert sorted(recorded_ids()) == sorted(event["request_id"] for event in events)
    assert left_in_redis() == (0, 0)


def test_the_stream_keeps_what_another_recorder_holds_and_drops_what_is_recorded() -> None:
    record_queued_usage()
    events = [queued() for _ in range(100)]
    queue(events[:50])
    held = read_as("a-recorder-that-died", 20)
    queue(events[50:])

    assert record_queued_usage(batch_size=30) == 80
    # What is left is what is still to record: the 20 held, pending.
    assert left_in_redis() == (20, 20)
    assert [entry_id for entry_id, _ in shared_redis().xrange(STREAM)] == held

    assert_the_rest_recorded_once_claimed(events, 20)


def test_a_claimed_batch_straddling_a_live_recorders_entries_leaves_only_those() -> None:
    record_queued_usage()
    events = [queued() for _ in range(20)]
    queue(events)
    dead, live = read_as("dead", 5), read_as("live", 10)
    dead += read_as("dead", 5)
    client = shared_redis()
    client.xclaim(STREAM, GROUP, "dead", 0, dead, idle=120_000)  # dead two minutes ago

    assert record_queued_usage() == 10  # the dead recorder's, in one claimed batch

    assert left_in_redis() == (10, 10)  # what the live recorder holds, and only that
    assert [entry for entry, _ in client.xrange(STREAM)] == live
    assert_the_rest_recorded_once_claimed(events, 10)


def test_a_layout_registered_as_nonsense_sets_its_lines_aside() -> None:
    record_queued_usage()
    client = shared_redis()
    client.hset(usage_queue.LAYOUTS, "garbled", b"{not a list")
    client.xadd(STREAM, {"row:garbled": b"x\t1\n"})

    assert record_queued_usage() == 1

    (letter,) = UsageDeadLetter.objects.all()
    assert "garbled" in letter.error
    assert left_in_redis() == (0, 0)


@pytest.mark.parametrize("writers", [1, 2])
def test_a_database_failure_mid_run_loses_nothing(monkeypatch, writers) -> None:
    record_queued_usage()
    events = [queued() for _ in range(400)]
    queue(events)
    store, stored = usage_queue._store, []

    def fails_at_the_third(rows: list[tuple[Any, ...]]) -> None:
        stored.append(rows)
        if len(stored) == 3:
            from django.db import OperationalError

            raise OperationalError("the database went away")
        store(rows)

    monkeypatch.setattr(usage_queue, "_store", fails_at_the_third)
    with pytest.raises(Exception, match="went away"):
        record_queued_usage(batch_size=50, writers=writers)
    # Two batches stored before the third failed; a second writer may finish one more.
    assert len(recorded_ids()) in ({100} if writers == 1 else {100, 150})
    assert not UsageDeadLetter.objects.exists()  # the database's fault, not the events'

    monkeypatch.setattr(usage_queue, "_store", store)
    monkeypatch.setattr(usage_queue, "CLAIM_IDLE_MS", 0)
    left = 400 - len(recorded_ids())
    assert record_queued_usage(batch_size=50, writers=writers) == left
    assert sorted(recorded_ids()) == sorted(event["request_id"] for event in events)
    assert left_in_redis() == (0, 0)


def test_a_redis_failure_while_reading_ahead_reaches_the_caller(monkeypatch) -> None:
    record_queued_usage()
    events = [queued() for _ in range(150)]
    queue(events)
    read = usage_queue._batch
    batches: list[Any] = []

    def fails_at_the_second(entries: list[tuple[bytes, Any]], layouts: Any) -> usage_queue.Batch:
        batches.append(entries)
        if len(batches) == 2:
            raise redis.ConnectionError("Redis went away")
        return read(entries, layouts)

    monkeypatch.setattr(usage_queue, "_batch", fails_at_the_second)
    with pytest.raises(redis.ConnectionError):
        record_queued_usage(batch_size=50)
    assert len(recorded_ids()) == 50  # the batch read before the failure is written

    monkeypatch.setattr(usage_queue, "_batch", read)
    monkeypatch.setattr(usage_queue, "CLAIM_IDLE_MS", 0)
    record_queued_usage(batch_size=50)
    assert sorted(recorded_ids()) == sorted(event["request_id"] for event in events)
    assert left_in_redis() == (0, 0)


@pytest.mark.parametrize(
    "payload",
    [
        b"not json",
        b"[1, 2]",
        b'"an event"',
        b'{"request_id": "a"}\n{"request_id": "b"}',  # two objects: not one event
        b"\xff\xfe",
        "object-as-text",
    ],
)
def test_events_it_cannot_read_are_set_aside_and_their_batch_recorded(payload) -> None:
    record_queued_usage()
    good = [queued() for _ in range(60)]
    if payload == "object-as-text":  # valid JSON that no column can hold
        unreadable_id = f"test-{len(good)}-object"
        payload = usage_queue._dumps(queued(request_id=unreadable_id) | {"error": {"a": 1}})
    client = shared_redis()
    queue(good[:30])
    client.xadd(STREAM, {"event": payload})
    queue(good[30:])

    assert record_queued_usage(batch_size=1000) == 61

    assert sorted(recorded_ids()) == sorted(event["request_id"] for event in good)
    (letter,) = UsageDeadLetter.objects.all()
    assert letter.error and letter.payload
    assert left_in_redis() == (0, 0)


NEWER = ("usage_anomaly", "requested_model", "model_version", "cache_write_tokens")


def assert_recorded_with_the_new_columns_defaults(request_id: str) -> None:
    recorded = UsageEvent.objects.unscoped().get(request_id=request_id)
    assert (recorded.usage_anomaly, recorded.requested_model) == ("", "")
    assert (recorded.model_version, recorded.cache_write_tokens) == (None, 0)
    assert recorded.principal_name == "alice" and recorded.input_tokens >= 100
    assert not UsageDeadLetter.objects.exists()


def test_an_event_queued_as_an_object_by_an_older_release_takes_the_new_columns_defaults() -> None:
    record_queued_usage()
    event = queued()
    for newer in NEWER:
        del event[newer]
    client = shared_redis()
    client.xadd(usage_queue.LEGACY_STREAM, {"event": usage_queue._dumps(event)})  # as they did
    line = queued()
    queue([line])

    assert usage_queue.queued_usage() == 2
    assert record_queued_usage() == 2
    assert_recorded_with_the_new_columns_defaults(event["request_id"])
    assert line["request_id"] in recorded_ids()
    assert not client.exists(usage_queue.LEGACY_STREAM)  # drained, then removed

    later = queued()  # an older web process still running queues to it again
    client.xadd(usage_queue.LEGACY_STREAM, {"event": usage_queue._dumps(later)})
    assert record_queued_usage() == 1
    assert later["request_id"] in recorded_ids()


def test_a_row_of_another_releases_layout_is_read_by_column_name() -> None:
    record_queued_usage()
    event = queued()
    older = [column for column in reversed(usage_queue.COLUMNS) if column not in NEWER]
    client = shared_redis()
    client.hset(usage_queue.LAYOUTS, "older", usage_queue._dumps(older))  # as its web did
    client.xadd(STREAM, {"row:older": copy_line([event[column] for column in older])})

    assert record_queued_usage() == 1
    assert_recorded_with_the_new_columns_defaults(event["request_id"])


@pytest.mark.parametrize(
    ("field", "line"),
    [
        (b"row:unheard-of", b"x\t1\n"),  # a layout nobody registered
        (usage_queue.ROW_FIELD, b"x\t1\n"),  # too few values
        (usage_queue.ROW_FIELD, b"\t" * (len(usage_queue.COLUMNS) - 1)),  # no end of line
        (usage_queue.ROW_FIELD, b"\t" * (len(usage_queue.COLUMNS) - 2) + b"\n\t\n"),  # two
    ],
)
def test_a_line_it_cannot_take_is_set_aside_and_its_neighbours_recorded(field, line) -> None:
    record_queued_usage()
    good = [queued() for _ in range(2)]
    queue(good[:1])
    shared_redis().xadd(STREAM, {field: line})
    queue(good[1:])

    assert record_queued_usage() == 3

    assert sorted(recorded_ids()) == sorted(event["request_id"] for event in good)
    (letter,) = UsageDeadLetter.objects.all()
    assert letter.error
    assert orjson.loads(letter.payload) == {"field": field.decode(), "line": line.decode()}
    assert left_in_redis() == (0, 0)


def test_lines_whose_widths_make_up_for_each_other_are_set_aside_one_by_one() -> None:
    """The batch's lines are checked at once (tabs and newlines counted over the batch): one
    line a value short and another a value long pass that count, and COPY refuses them."""
    record_queued_usage()
    good, short, long = queued(), queued(), queued()
    short_line = usage_queue.event_line(short).replace(b"\t", b"", 1)
    long_line = usage_queue.event_line(long).replace(b"\n", b"\tmore\n")
    client = shared_redis()
    queue([good])
    client.xadd(STREAM, {usage_queue.ROW_FIELD: short_line})
    client.xadd(STREAM, {usage_queue.ROW_FIELD: long_line})

    assert record_queued_usage() == 3

    assert recorded_ids() == [good["request_id"]]
    letters = [orjson.loads(letter.payload) for letter in UsageDeadLetter.objects.order_by("id")]
    assert [letter["line"].encode() for letter in letters] == [short_line, long_line]
    assert left_in_redis() == (0, 0)


def test_a_line_that_would_end_the_copy_early_is_set_aside_not_the_lines_after_it() -> None:
    """COPY's end-of-data marker as a line (`\\.`) ends a COPY without an error; beside it, a
    line with a value too many keeps the batch's count of tabs right. A duplicate first sends
    the batch through the staging table, where the marker is read as one."""
    record_queued_usage()
    duplicate, before, after = (
        queued(),
        [queued() for _ in range(400)],
        [queued() for _ in range(50)],
    )
    usage_queue.record_now(duplicate)  # recorded directly (Redis looked down), queued all the same
    queue([duplicate, *before])
    client = shared_redis()
    marker, wide = b"\\.\n", b"\t" * (2 * (len(usage_queue.COLUMNS) - 1)) + b"\n"
    client.xadd(STREAM, {usage_queue.ROW_FIELD: marker})
    client.xadd(STREAM, {usage_queue.ROW_FIELD: wide})
    queue(after)

    assert record_queued_usage() == 453

    expected = {event["request_id"] for event in [duplicate, *before, *after]}
    assert sorted(recorded_ids()) == sorted(expected)
    letters = [orjson.loads(letter.payload) for letter in UsageDeadLetter.objects.order_by("id")]
    assert [letter["line"].encode() for letter in letters] == [marker, wide]
    assert left_in_redis() == (0, 0)


def test_a_line_of_a_layout_registered_too_late_is_replayed_once_it_is() -> None:
    record_queued_usage()
    event = queued()
    later = [column for column in reversed(usage_queue.COLUMNS)]
    client = shared_redis()
    client.xadd(STREAM, {"row:late": copy_line([event[column] for column in later])})
    assert record_queued_usage() == 1
    (letter,) = UsageDeadLetter.objects.all()
    assert "late" in letter.error

    assert replay_dead_letters() == (0, 1)  # still nobody's layout
    client.hset(usage_queue.LAYOUTS, "late", usage_queue._dumps(later))
    assert replay_dead_letters() == (1, 0)

    assert recorded_ids() == [event["request_id"]]
    assert replay_dead_letters() == (0, 0)


def test_a_line_is_set_aside_as_an_object_an_operator_can_mend() -> None:
    record_queued_usage()
    poison = queued(input_tokens=3_000_000_000, principal_name="tab\there\\")  # past int4
    queue([poison])

    assert record_queued_usage() == 1

    (letter,) = UsageDeadLetter.objects.all()
    assert letter.tenant_id == TENANT.pk
    payload = orjson.loads(letter.payload)
    assert payload["request_id"] == letter.request_id == poison["request_id"]
    assert set(payload) == set(usage_queue.COLUMNS) and payload["model_version"] is None
    assert payload["input_tokens"] == "3000000000"  # a line's values come back as text
    assert payload["principal_name"] == "tab\there\\"


def test_an_event_queued_with_a_value_no_line_can_carry_goes_as_an_object() -> None:
    record_queued_usage()
    odd = queued(principal_name="nul\x00")
    queue([odd])
    (entry,) = shared_redis().xrange(STREAM)
    assert list(entry[1]) == [usage_queue.EVENT_FIELD]

    assert record_queued_usage() == 1

    (letter,) = UsageDeadLetter.objects.all()
    assert letter.request_id == odd["request_id"] and "NUL" in letter.error
