"""The export for finance: Parquet files in S3 (moto, in server mode, over real HTTP), one
partition a day, exact to the last decimal, idempotent, and refused cleanly without a bucket."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.utils import timezone

from audit.models import AuditEntry
from audit.services import record_audit
from metering.exports import ExportFailed, export_usage
from metering.tasks import export_usage_task
from tests.metering.events import save_events, usage_event

pytestmark = pytest.mark.django_db


def keys_in(s3: Any, bucket: str) -> list[str]:
    return [item["Key"] for item in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]


def downloaded(s3: Any, bucket: str, key: str) -> tuple[pa.Table, str]:
    """The Parquet file as a table, and its ETag (same bytes, same ETag)."""
    answer = s3.get_object(Bucket=bucket, Key=key)
    return pq.read_table(io.BytesIO(answer["Body"].read())), answer["ETag"]


def partition(day: date) -> str:
    return f"year={day:%Y}/month={day:%m}/day={day:%d}"


def test_one_day_of_both_tenants_lands_in_its_partition(module_tenants, s3, bucket) -> None:
    acme, globex = module_tenants["acme"], module_tenants["globex"]
    day = timezone.now().date()  # audit entries are stamped "now": export today
    start = datetime.combine(day, time.min, tzinfo=UTC)
    inside = save_events(
        [
            usage_event(acme, start, cost=Decimal("0.000123456")),
            usage_event(acme, start + timedelta(hours=12), cost=Decimal("1.100000001")),
            usage_event(globex, start + timedelta(hours=3), cost=None, currency=""),
            usage_event(
                globex, start + timedelta(days=1, microseconds=-1),
                cost=Decimal("0.5"), model_name="model-b",
            ),
        ]
    )  # fmt: skip
    outside = save_events(
        [
            usage_event(acme, start + timedelta(days=1)),
            usage_event(globex, start - timedelta(microseconds=1)),
        ]
    )
    change = record_audit(
        actor="ivy", action="budget.changed", target=acme, tenant=acme,
        before={"monthly_limit": "10.00"}, after={"monthly_limit": "20.00"},
    )  # fmt: skip

    result = export_usage(day)

    assert result.usage.key == f"finance/usage/{partition(day)}/usage.parquet"
    assert result.audit.key == f"finance/audit/{partition(day)}/audit.parquet"
    assert sorted(keys_in(s3, bucket)) == sorted([result.usage.key, result.audit.key])
    usage, _ = downloaded(s3, bucket, result.usage.key)
    assert usage.num_rows == result.usage.rows == 4
    exported_ids = set(usage.column("request_id").to_pylist())
    assert exported_ids == {event.request_id for event in inside}
    assert not exported_ids & {event.request_id for event in outside}
    assert set(usage.column("tenant_slug").to_pylist()) == {acme.slug, globex.slug}
    costs = [cost for cost in usage.column("cost").to_pylist() if cost is not None]
    assert sum(costs, Decimal(0)) == Decimal("1.600123457")
    assert usage.schema.field("cost").type == pa.decimal128(20, 9)
    assert usage.schema.field("started_at").type == pa.timestamp("us", tz="UTC")
    assert min(usage.column("started_at").to_pylist()) == start

    audit, _ = downloaded(s3, bucket, result.audit.key)
    row = next(row for row in audit.to_pylist() if row["id"] == change.pk)
    assert (row["actor"], row["action"], row["tenant_slug"]) == ("ivy", "budget.changed", acme.slug)
    assert json.loads(row["before"]) == {"monthly_limit": "10.00"}
    assert json.loads(row["after"]) == {"monthly_limit": "20.00"}
    recorded = AuditEntry.objects.unscoped().get(action="usage.exported")
    assert recorded.after["usage_rows"] == 4 and recorded.after["bucket"] == bucket


def test_exporting_a_day_again_replaces_the_same_files(module_tenants, s3, bucket) -> None:
    day = date(2024, 2, 29)
    start = datetime.combine(day, time.min, tzinfo=UTC)
    save_events([usage_event(module_tenants["acme"], start + timedelta(hours=h)) for h in (1, 5)])

    first = export_usage(day)
    first_usage, first_etag = downloaded(s3, bucket, first.usage.key)
    second = export_usage(day)
    second_usage, second_etag = downloaded(s3, bucket, second.usage.key)

    assert second == first
    assert sorted(keys_in(s3, bucket)) == sorted([first.usage.key, first.audit.key])
    assert second_usage.equals(first_usage) and second_usage.num_rows == 2
    assert second_etag == first_etag
    # No audit entry that day: the partition still gets a file, with no rows.
    audit, _ = downloaded(s3, bucket, first.audit.key)
    assert audit.num_rows == 0 and "before" in audit.schema.names


def test_a_missing_bucket_is_named_and_nothing_is_written(module_tenants, s3, settings) -> None:
    settings.USAGE_EXPORT_BUCKET = "finance-nobody-made-this"
    save_events([usage_event(module_tenants["acme"], timezone.now() - timedelta(days=1))])
    buckets_before = s3.list_buckets()["Buckets"]

    with pytest.raises(ExportFailed, match="'finance-nobody-made-this' does not exist"):
        export_usage()

    assert s3.list_buckets()["Buckets"] == buckets_before
    assert not AuditEntry.objects.unscoped().filter(action="usage.exported").exists()


def test_the_daily_task_exports_yesterday_only_when_a_bucket_is_set(s3, bucket, settings) -> None:
    yesterday = timezone.now().date() - timedelta(days=1)

    done = export_usage_task()

    assert done is not None and done["day"] == yesterday.isoformat()
    assert f"finance/usage/{partition(yesterday)}/usage.parquet" in keys_in(s3, bucket)

    settings.USAGE_EXPORT_BUCKET = ""
    assert export_usage_task() is None
    assert AuditEntry.objects.unscoped().filter(action="usage.exported").count() == 1
