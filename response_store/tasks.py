"""The purge of stored responses: beat queues one task per tenant, each in its own schema."""

from __future__ import annotations

from celery import shared_task

from kernel.tenant_tasks import TenantTask
from response_store.services import purge_expired_responses
from tenants.schemas import in_tenant_schema
from tenants.selectors import customer_tenants


@shared_task(name="response_store.purge_responses")
def purge_responses() -> int:
    """Beat's daily purge: one task per tenant (a slow or failing tenant holds up no other);
    answers how many were queued."""
    queued = 0
    for tenant in customer_tenants():
        with in_tenant_schema(tenant):
            purge_tenant_responses.delay()
        queued += 1
    return queued


@shared_task(name="response_store.purge_tenant_responses", base=TenantTask)
def purge_tenant_responses() -> int:
    return purge_expired_responses()
