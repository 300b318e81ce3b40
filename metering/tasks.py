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
