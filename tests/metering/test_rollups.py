"""Rollups: incremental, idempotent, late events folded in, and always summing to the events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Count, Sum
from django.utils import timezone

from metering.models import UsageEvent, UsageRollup
from metering.rollups import roll_up_usage
from tests.metering.events import save_events, usage_event

pytestmark = pytest.mark.django_db

TOTALS = {
    "calls": Sum("calls"),
    "input": Sum("input_tokens"),
    "output": Sum("output_tokens"),
    "cost": Sum("cost"),
}


def rollup_totals(period: str) -> dict[str, Any]:
    return UsageRollup.objects.unscoped().filter(period=period).aggregate(**TOTALS)


def event_totals() -> dict[str, Any]:
    return UsageEvent.objects.unscoped().aggregate(
        calls=Count("id"), input=Sum("input_tokens"), output=Sum("output_tokens"),
        cost=Sum("cost"),
    )  # fmt: skip


def rows() -> list[tuple[Any, ...]]:
    return sorted(
        UsageRollup.objects.unscoped().values_list(
            "period", "bucket", "tenant_id", "model_name", "calls", "input_tokens", "cost"
        )
    )


def test_rollups_sum_to_the_events_and_a_second_run_changes_nothing(module_tenants) -> None:
    acme, globex = module_tenants["acme"], module_tenants["globex"]
    day = datetime(2026, 11, 3, tzinfo=UTC)
    save_events(
        [usage_event(acme, day + timedelta(minutes=17 * i)) for i in range(40)]
        + [usage_event(globex, day + timedelta(hours=5, minutes=i), model_name="model-b")
           for i in range(15)]
        + [usage_event(acme, day + timedelta(hours=23, minutes=59), status="error", cost=None,
                       currency="", input_price_per_million=None, output_price_per_million=None)]
    )  # fmt: skip
    first = roll_up_usage(until=timezone.now())
    assert first.hours_rebuilt > 10
    events = event_totals()
    for period in ("hour", "day"):
        assert rollup_totals(period) == events
    acme_day = UsageRollup.objects.unscoped().get(
        period="day", tenant_id=acme.pk, bucket=day, currency="USD"
    )
    assert acme_day.calls == 40
    unpriced = UsageRollup.objects.unscoped().get(period="day", tenant_id=acme.pk, currency="")
    assert unpriced.failed_calls == 1 and unpriced.cost == Decimal(0)

    before = rows()
    assert roll_up_usage(until=timezone.now()).hours_rebuilt == 0  # nothing new
    assert rows() == before


def test_a_late_event_is_folded_into_its_own_hour(module_tenants) -> None:
    acme = module_tenants["acme"]
    hour = datetime(2026, 11, 4, 9, tzinfo=UTC)
    save_events([usage_event(acme, hour + timedelta(minutes=i)) for i in range(5)])
    roll_up_usage(until=timezone.now())
    # Recorded late (a queue backlog, a retry): it started in the 09:00 hour, long rolled up.
    save_events([usage_event(acme, hour + timedelta(minutes=30))])
    assert roll_up_usage(until=timezone.now()).hours_rebuilt == 1
    nine = UsageRollup.objects.unscoped().get(period="hour", bucket=hour, tenant_id=acme.pk)
    assert nine.calls == 6
    assert rollup_totals("day") == rollup_totals("hour") == event_totals()


def test_a_committed_event_is_rolled_up_whatever_its_stamp_says(module_tenants) -> None:
    # Its hour is marked in its own transaction: the watermark (here behind the event's
    # `created_at`) decides nothing.
    acme = module_tenants["acme"]
    save_events([usage_event(acme, datetime(2026, 11, 5, 1, tzinfo=UTC))])
    roll_up_usage(until=timezone.now() - timedelta(minutes=5))
    assert rollup_totals("day") == rollup_totals("hour") == event_totals()
    roll_up_usage(until=timezone.now())  # its stamp's window: rebuilt again, to the same sums
    assert rollup_totals("day") == rollup_totals("hour") == event_totals()
    assert UsageRollup.objects.unscoped().filter(period="day").count() == 1
