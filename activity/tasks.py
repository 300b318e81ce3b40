"""Celery tasks for the activity feed. They run in the schema of the tenant that queued them."""

from __future__ import annotations

from celery import shared_task

from activity.services import record_activity
from kernel.tenant_tasks import TenantTask


@shared_task(name="activity.record", base=TenantTask)
def record_activity_task(kind: str, message: str, actor: str = "") -> int:
    """Record activity from a background process (a worker, beat) in the queuing tenant's feed."""
    return record_activity(kind=kind, message=message, actor=actor).pk
