"""Rollups see every recorded event, however its writer's clock ran and however long its
transaction took to commit: the hours are marked in the events' own transaction."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

from metering import usage_queue
from metering.models import TouchedHour, UsageEvent, UsageRollup
from metering.rollups import roll_up_usage
from metering.usage_queue import record_queued_usage
from tests.metering.events import queue, queued_event

pytestmark = pytest.mark.django_db(transaction=True)
TENANT = SimpleNamespace(pk=987_001, slug="late")
HOUR = datetime(2026, 11, 6, 10, tzinfo=UTC)


def in_rollups() -> tuple[int, int]:
    rows = UsageRollup.objects.unscoped().filter(tenant_id=TENANT.pk)
    hour = rows.filter(period="hour", bucket=HOUR).values_list("calls", flat=True)
    day = rows.filter(period="day", bucket=HOUR.replace(hour=0)).values_list("calls", flat=True)
    return sum(hour), sum(day)


def queue_in_the_hour(count: int) -> None:
    queue([{**queued_event(TENANT), "started_at": HOUR + timedelta(minutes=50 + n)}
           for n in range(count)])  # fmt: skip


def test_events_a_recorder_stamped_with_a_clock_behind_are_rolled_up(monkeypatch) -> None:
    record_queued_usage()
    roll_up_usage()
    queue_in_the_hour(3)
    real_now = timezone.now
    # The recorder's host runs two minutes behind the rollups': its stamps fall before the
    # watermark the rollups have already passed.
    monkeypatch.setattr(usage_queue.timezone, "now", lambda: real_now() - timedelta(minutes=2))
    assert record_queued_usage(writers=1) == 3
    monkeypatch.undo()
    roll_up_usage()
    assert UsageEvent.objects.unscoped().filter(tenant_id=TENANT.pk).count() == 3
    assert in_rollups() == (3, 3)
    assert not TouchedHour.objects.exists()  # consumed


def test_events_committed_after_a_rollup_passed_their_stamp_are_rolled_up(settings) -> None:
    settings.USAGE_ROLLUP_LAG_SECONDS = 1
    record_queued_usage()
    roll_up_usage()
    queue_in_the_hour(2)
    # Another session holds the table (a migration's ALTER waiting behind a long read would):
    # the recorder stamps its lines, then waits for the table; a rollup runs meanwhile.
    blocker = psycopg.connect(**_connection_options())
    blocker.execute("BEGIN")
    blocker.execute("LOCK TABLE metering_usageevent IN SHARE MODE")
    recorded: list[int] = []

    def record() -> None:
        recorded.append(record_queued_usage(writers=1))
        connection.close()

    writer = threading.Thread(target=record)
    writer.start()
    time.sleep(2.5)  # past the stamp, and past the lag
    roll_up_usage()
    assert in_rollups() == (0, 0)  # not committed yet: nothing to see
    blocker.execute("COMMIT")
    blocker.close()
    writer.join(30)
    assert recorded == [2]
    roll_up_usage()
    assert in_rollups() == (2, 2)


def _connection_options() -> dict[str, object]:
    params = connection.get_connection_params()
    return {key: value for key, value in params.items() if key in {
        "dbname", "user", "password", "host", "port"}}  # fmt: skip
