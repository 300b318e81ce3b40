"""The export for finance: one UTC day of usage events and audit entries, as Parquet files in S3
under Hive-style partitions (`year=YYYY/month=MM/day=DD/`) that Athena reads (docs/metering.md)."""

from __future__ import annotations

import itertools
import json
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import boto3
import pyarrow as pa
import pyarrow.parquet as pq
from boto3.exceptions import S3UploadFailedError
from botocore.client import BaseClient
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from audit.models import AuditEntry
from audit.services import record_audit
from kernel.errors import InvalidInput
from metering.models import UsageEvent
from tenants.models import BusinessUnit, Tenant

# Rows are read from a server-side cursor this many at a time, and written as Parquet row groups
# of this many rows: a large day never needs all its rows in memory, and Athena gets row groups
# big enough to scan efficiently.
DB_CHUNK_ROWS = 5_000
ROW_GROUP_ROWS = 50_000


class ExportFailed(InvalidInput):
    """The export bucket is missing, refused us or could not be reached."""


@dataclass(frozen=True)
class ExportedFile:
    key: str
    rows: int


@dataclass(frozen=True)
class ExportResult:
    day: date
    bucket: str
    usage: ExportedFile
    audit: ExportedFile


@dataclass(frozen=True)
class _Column:
    name: str
    type: pa.DataType
    to_arrow: Callable[[Any], Any] | None = None


def _json_text(value: Any) -> str | None:
    return None if value is None else json.dumps(value, sort_keys=True, separators=(",", ":"))


_TIMESTAMP = pa.timestamp("us", tz="UTC")

USAGE_COLUMNS = (
    _Column("request_id", pa.string()),
    _Column("tenant_id", pa.int64()),
    _Column("tenant_slug", pa.string()),
    _Column("business_unit_id", pa.int64()),
    _Column("principal_type", pa.string()),
    _Column("principal_id", pa.int64()),
    _Column("principal_name", pa.string()),
    _Column("model_name", pa.string()),
    _Column("provider_name", pa.string()),
    _Column("provider_kind", pa.string()),
    _Column("region", pa.string()),
    _Column("operation", pa.string()),
    _Column("streamed", pa.bool_()),
    _Column("input_tokens", pa.int64()),
    _Column("output_tokens", pa.int64()),
    _Column("tokens_counted", pa.bool_()),
    _Column("latency_ms", pa.int64()),
    _Column("status", pa.string()),
    _Column("error", pa.string()),
    _Column("currency", pa.string()),
    _Column("input_price_per_million", pa.decimal128(12, 6)),
    _Column("output_price_per_million", pa.decimal128(12, 6)),
    _Column("cost", pa.decimal128(20, 9)),
    _Column("started_at", _TIMESTAMP),
    _Column("created_at", _TIMESTAMP),
    # Prompt caching (added later: last, so older files keep their layout).
    _Column("cached_input_tokens", pa.int64()),
    _Column("cache_write_tokens", pa.int64()),
    _Column("cached_input_price_per_million", pa.decimal128(12, 6)),
    _Column("cache_write_price_per_million", pa.decimal128(12, 6)),
    # What served the call: the model as named, and the custom model's version (added later).
    _Column("requested_model", pa.string()),
    _Column("model_version", pa.int64()),
    # The business unit's name as the day is exported (added later): finance reads names.
    _Column("business_unit", pa.string()),
)

AUDIT_COLUMNS = (
    _Column("id", pa.int64()),
    _Column("created_at", _TIMESTAMP),
    _Column("actor", pa.string()),
    _Column("action", pa.string()),
    _Column("tenant_id", pa.int64()),
    _Column("tenant_slug", pa.string()),
    _Column("target_type", pa.string()),
    _Column("target_id", pa.string()),
    _Column("before", pa.string(), _json_text),
    _Column("after", pa.string(), _json_text),
)


def export_usage(day: date | None = None, *, bucket: str | None = None) -> ExportResult:
    """Write one UTC day (default: yesterday) of usage events and audit entries to the export
    bucket, replacing that day's files: re-running a day is safe."""
    day = day or timezone.now().astimezone(UTC).date() - timedelta(days=1)
    bucket = bucket if bucket is not None else settings.USAGE_EXPORT_BUCKET
    if not bucket:
        raise InvalidInput("No export bucket: set USAGE_EXPORT_BUCKET to turn the export on.")
    s3 = _s3_client()
    _check_bucket(s3, bucket)
    start = datetime.combine(day, time.min, tzinfo=UTC)
    end = start + timedelta(days=1)
    usage = (
        UsageEvent.objects.unscoped()
        .filter(started_at__gte=start, started_at__lt=end)
        .annotate(business_unit=_business_unit_name())
    )
    audit = AuditEntry.objects.unscoped().filter(created_at__gte=start, created_at__lt=end)
    usage_key = _key(day, "usage")
    audit_key = _key(day, "audit")
    # Both files are written locally before either is uploaded: a failing database read leaves
    # the bucket untouched, and the audit entry below is only recorded once both are in place.
    with tempfile.TemporaryDirectory(prefix="atrium-export-") as workdir:
        usage_file = Path(workdir, "usage.parquet")
        audit_file = Path(workdir, "audit.parquet")
        usage_rows = _write_parquet(usage.order_by("started_at", "id"), USAGE_COLUMNS, usage_file)
        audit_rows = _write_parquet(audit.order_by("created_at", "id"), AUDIT_COLUMNS, audit_file)
        _upload(s3, bucket, usage_key, usage_file)
        _upload(s3, bucket, audit_key, audit_file)
    result = ExportResult(
        day=day,
        bucket=bucket,
        usage=ExportedFile(key=usage_key, rows=usage_rows),
        audit=ExportedFile(key=audit_key, rows=audit_rows),
    )
    record_audit(
        actor="system",
        action="usage.exported",
        target=Tenant.objects.get(schema_name="public"),
        after={
            "day": day.isoformat(),
            "bucket": bucket,
            "usage_key": usage_key,
            "usage_rows": usage_rows,
            "audit_key": audit_key,
            "audit_rows": audit_rows,
        },
    )
    return result


def _business_unit_name() -> Subquery:
    """The name of the event's unit: events keep only its id, and units are never deleted."""
    units = BusinessUnit.objects.filter(pk=OuterRef("business_unit_id"))
    return Subquery(units.values("name")[:1])


def _s3_client() -> BaseClient:
    endpoint = settings.USAGE_EXPORT_ENDPOINT_URL
    # S3-compatible servers (MinIO, moto) are reached by path; AWS itself by virtual host.
    config = Config(s3={"addressing_style": "path"}) if endpoint else None
    return boto3.client(
        "s3", endpoint_url=endpoint, region_name=settings.USAGE_EXPORT_REGION, config=config
    )


def _check_bucket(s3: BaseClient, bucket: str) -> None:
    try:
        s3.head_bucket(Bucket=bucket)
    except ClientError as error:
        code = str(error.response.get("Error", {}).get("Code", ""))
        if code in {"404", "NoSuchBucket"}:
            raise ExportFailed(
                f"The export bucket {bucket!r} does not exist: create it, or set "
                "USAGE_EXPORT_BUCKET to an existing bucket. Nothing was exported."
            ) from error
        if code in {"403", "AccessDenied", "Forbidden"}:
            raise ExportFailed(
                f"Access to the export bucket {bucket!r} was denied: grant these credentials "
                "s3:ListBucket and s3:PutObject on it. Nothing was exported."
            ) from error
        raise ExportFailed(
            f"The export bucket {bucket!r} could not be checked ({error}). Nothing was exported."
        ) from error
    except BotoCoreError as error:
        raise ExportFailed(
            f"The export bucket {bucket!r} could not be reached ({error}). Nothing was exported."
        ) from error


def _key(day: date, table: str) -> str:
    partition = f"year={day:%Y}/month={day:%m}/day={day:%d}"
    prefix = settings.USAGE_EXPORT_PREFIX.strip("/")
    return "/".join(part for part in (prefix, table, partition, f"{table}.parquet") if part)


def _write_parquet(rows: QuerySet[Any], columns: tuple[_Column, ...], path: Path) -> int:
    """Stream `rows` into a Parquet file; a day with no rows still gets a file (zero rows)."""
    schema = pa.schema([pa.field(column.name, column.type) for column in columns])
    values: Iterator[tuple[Any, ...]] = rows.values_list(
        *(column.name for column in columns)
    ).iterator(chunk_size=DB_CHUNK_ROWS)
    written = 0
    with pq.ParquetWriter(path, schema) as writer:
        while group := list(itertools.islice(values, ROW_GROUP_ROWS)):
            writer.write_batch(_record_batch(group, columns, schema))
            written += len(group)
    return written


def _record_batch(
    group: list[tuple[Any, ...]], columns: tuple[_Column, ...], schema: pa.Schema
) -> pa.RecordBatch:
    arrays = []
    for column, cells in zip(columns, zip(*group, strict=True), strict=True):
        data = [column.to_arrow(cell) for cell in cells] if column.to_arrow else cells
        arrays.append(pa.array(data, type=column.type))
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def _upload(s3: BaseClient, bucket: str, key: str, path: Path) -> None:
    try:
        s3.upload_file(
            str(path), bucket, key, ExtraArgs={"ContentType": "application/vnd.apache.parquet"}
        )
    except (S3UploadFailedError, ClientError, BotoCoreError) as error:
        raise ExportFailed(
            f"Writing s3://{bucket}/{key} failed ({error}); run the export of this day again."
        ) from error
