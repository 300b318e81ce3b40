"""The purge of stored responses: beat queues one task per tenant, each in its own schema."""

from __future__ import annotations

from celery import shared_task

from kernel.tenant_tasks import TenantTask
from response_store.services import purge_expired_responses
from tenants.schemas import queue_in_every_tenant


@shared_task(name="response_store.purge_responses")
def purge_responses() -> int:
    """Beat's daily purge: one task per tenant (a slow or failing tenant holds up no other);
    answers how many were queued."""
    return queue_in_every_tenant(purge_tenant_responses)


@shared_task(name="response_store.purge_tenant_responses", base=TenantTask)
def purge_tenant_responses() -> int:
    return purge_expired_responses()
