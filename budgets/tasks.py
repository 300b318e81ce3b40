"""Reconciling the budgets' Redis counters with PostgreSQL's recorded spend: periodically (beat's
dispatcher fans out one task per tenant) and as soon as beat starts (a restarted deployment may
have a restored, replaced or emptied Redis)."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from celery.signals import beat_init
from django.db import connection
from django.utils import timezone

from budgets.reservations import reconcile_budgets_of
from kernel.tenant_tasks import TenantTask
from tenants.schemas import queue_in_every_tenant


@shared_task(name="budgets.reconcile_budgets")
def reconcile_budgets() -> int:
    """Beat's dispatcher (in public): one `reconcile_budgets_of_tenant` per tenant; answers how
    many were queued."""
    return queue_in_every_tenant(reconcile_budgets_of_tenant)


@shared_task(name="budgets.reconcile_budgets_of_tenant", base=TenantTask)
def reconcile_budgets_of_tenant() -> dict[str, str]:
    """Set this tenant's budget counters of the month to what PostgreSQL says was spent, plus
    what running calls hold; answers each budget's counter."""
    counters = reconcile_budgets_of(connection.tenant.pk, timezone.now())
    return {str(budget): str(amount) for budget, amount in counters.items()}


@beat_init.connect
def _reconcile_when_beat_starts(**_: Any) -> None:
    reconcile_budgets.delay()
