"""Hourly and daily usage rollups, incremental and idempotent.

Each run finds the hours that received events since it last ran — those a trigger marked in the
events' own transaction (`TouchedHour`: seen exactly when the events are, whatever the writers'
clocks), and those of events created since the watermark — so a late event (one that started
long ago) is found too; it rebuilds those hours' rows from the events, then their days' rows
from the hours. Rebuilding a bucket from its source in one
transaction is what makes a second run change nothing, and the sum of the rollups equal the sum
of the events, always. Runs hold an advisory lock: two beat runs never interleave.

The watermark trails the clock by USAGE_ROLLUP_LAG_SECONDS; it no longer decides what is found
(the marked hours do), only how far the `created_at` scan reaches.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from metering.models import RollupWatermark

LOCK_KEY = 7_345_001  # pg advisory lock id for the rollups

# The hours marked by the events' trigger (consumed), and those of events created since the
# watermark (events written before the trigger existed).
TOUCHED_HOURS = """
WITH marked AS (DELETE FROM metering_touchedhour RETURNING hour)
SELECT hour FROM marked
UNION
SELECT date_trunc('hour', started_at) FROM metering_usageevent
WHERE created_at > %(since)s AND created_at <= %(until)s
"""
DELETE_ROWS = """
DELETE FROM metering_usagerollup WHERE period = %(period)s AND bucket = ANY(%(buckets)s)
"""
REBUILD_HOURS = """
INSERT INTO metering_usagerollup (
    period, bucket, tenant_slug, tenant_id, business_unit_id, model_name, provider_name,
    currency, calls, failed_calls, input_tokens, output_tokens, cost
)
SELECT 'hour', date_trunc('hour', started_at), max(tenant_slug), tenant_id, business_unit_id,
    model_name, provider_name, currency, count(*), count(*) FILTER (WHERE status <> 'ok'),
    sum(input_tokens), sum(output_tokens), coalesce(sum(cost), 0)
FROM metering_usageevent
WHERE started_at >= %(first)s AND started_at < %(last)s + interval '1 hour'
    AND (%(every_hour)s OR date_trunc('hour', started_at) = ANY(%(buckets)s))
GROUP BY date_trunc('hour', started_at), tenant_id, business_unit_id, model_name,
    provider_name, currency
"""
REBUILD_DAYS = """
INSERT INTO metering_usagerollup (
    period, bucket, tenant_slug, tenant_id, business_unit_id, model_name, provider_name,
    currency, calls, failed_calls, input_tokens, output_tokens, cost
)
SELECT 'day', date_trunc('day', bucket), max(tenant_slug), tenant_id, business_unit_id,
    model_name, provider_name, currency, sum(calls), sum(failed_calls), sum(input_tokens),
    sum(output_tokens), sum(cost)
FROM metering_usagerollup
WHERE period = 'hour' AND date_trunc('day', bucket) = ANY(%(buckets)s)
GROUP BY date_trunc('day', bucket), tenant_id, business_unit_id, model_name, provider_name,
    currency
"""


@dataclass(frozen=True)
class RollupRun:
    since: datetime | None
    until: datetime | None
    hours_rebuilt: int
    skipped: bool = False  # another run held the lock


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def roll_up_usage(*, until: datetime | None = None) -> RollupRun:
    """Fold every event created since the last run (up to `until`) into the rollups."""
    latest = timezone.now() - timedelta(seconds=settings.USAGE_ROLLUP_LAG_SECONDS)
    until = min(until, timezone.now()) if until is not None else latest  # never ahead of now
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK_KEY])
        if not cursor.fetchone()[0]:
            return RollupRun(None, None, 0, skipped=True)
        mark = RollupWatermark.objects.select_for_update().first()
        since = mark.until if mark else EPOCH
        if until <= since:
            return RollupRun(since, since, 0)
        cursor.execute("SET LOCAL TIME ZONE 'UTC'")  # hours and days are UTC's
        cursor.execute(TOUCHED_HOURS, {"since": since, "until": until})
        hours = sorted(row[0] for row in cursor.fetchall())
        if hours:
            cursor.execute(DELETE_ROWS, {"period": "hour", "buckets": hours})
            # Every hour from the first to the last touched (a catch-up): the range alone selects
            # them, and no event is compared with each touched hour.
            every_hour = hours[-1] - hours[0] == timedelta(hours=len(hours) - 1)
            cursor.execute(REBUILD_HOURS, {
                "buckets": hours, "first": hours[0], "last": hours[-1], "every_hour": every_hour,
            })  # fmt: skip
            days = sorted({hour.replace(hour=0) for hour in hours})
            cursor.execute(DELETE_ROWS, {"period": "day", "buckets": days})
            cursor.execute(REBUILD_DAYS, {"buckets": days})
        if mark is None:
            RollupWatermark.objects.create(until=until)
        else:
            mark.until = until
            mark.save(update_fields=["until"])
    return RollupRun(since, until, len(hours))
