"""Guardrails' Celery tasks: keeping captured invocations, and purging them per tenant."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from guardrails.invocation_log import purge_expired_invocations, store_invocation
from kernel.tenant_tasks import TenantTask
from tenants.schemas import queue_in_every_tenant


@shared_task(name="guardrails.store_invocation", base=TenantTask)
def store_invocation_task(record: dict[str, Any]) -> None:
    store_invocation(record)


@shared_task(name="guardrails.purge_invocations")
def purge_invocations() -> int:
    """Beat's daily purge: one task per tenant (its own retention, its own schema); answers how
    many were queued."""
    return queue_in_every_tenant(purge_tenant_invocations)


@shared_task(name="guardrails.purge_tenant_invocations", base=TenantTask)
def purge_tenant_invocations() -> int:
    return purge_expired_invocations()
