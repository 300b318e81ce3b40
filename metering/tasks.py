"""Periodic metering work, run by Celery beat (schedule in portal/settings.py)."""

from __future__ import annotations

from celery import shared_task

from metering.usage_queue import record_queued_usage


@shared_task(name="metering.record_queued_usage")
def record_queued_usage_task() -> int:
    return record_queued_usage()


@shared_task(name="metering.roll_up_usage")
def roll_up_usage_task() -> int:
    from metering.rollups import roll_up_usage

    return roll_up_usage().hours_rebuilt


@shared_task(name="metering.export_usage")
def export_usage_task() -> dict[str, object] | None:
    """Yesterday's usage and audit log to the finance bucket; off while USAGE_EXPORT_BUCKET is
    empty."""
    import logging

    from django.conf import settings

    # Imported here: boto3 and pyarrow are heavy, and only this task needs them.
    from metering.exports import export_usage

    if not settings.USAGE_EXPORT_BUCKET:
        logging.getLogger(__name__).info("Usage export skipped: USAGE_EXPORT_BUCKET is not set.")
        return None
    result = export_usage()
    return {
        "day": result.day.isoformat(),
        "usage_key": result.usage.key,
        "usage_rows": result.usage.rows,
        "audit_key": result.audit.key,
        "audit_rows": result.audit.rows,
    }
