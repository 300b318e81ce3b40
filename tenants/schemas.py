"""The tenant boundary in PostgreSQL: the one module that switches a connection's schema.

Requests get their schema from the middleware; everything else (services that write into another
tenant's schema, Celery tasks, commands) asks here. A ruff rule (TID251) bans django-tenants'
`schema_context` / `tenant_context` anywhere else, so every switch is one of these three.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

from django.db import connection
from django_tenants.utils import get_public_schema_name, schema_context


def public_schema_name() -> str:
    return get_public_schema_name()


def in_schema(schema_name: str) -> AbstractContextManager[Any]:
    """Run the block in `schema_name` (a tenant's, or public)."""
    return schema_context(schema_name)


def in_tenant_schema(tenant: Any) -> AbstractContextManager[Any]:
    """Run the block in `tenant`'s own schema."""
    return schema_context(tenant.schema_name)


def in_public_schema() -> AbstractContextManager[Any]:
    """Run the block in the platform's public schema (the shared tables)."""
    return schema_context(get_public_schema_name())


def queue_in_every_tenant(task: Any, *args: Any) -> int:
    """Queue `task` once per tenant, each in that tenant's schema (periodic work fans out: one
    tenant's slow or failing work never holds up another's); answers how many were queued."""
    from tenants.selectors import customer_tenants

    queued = 0
    for tenant in customer_tenants():
        with in_tenant_schema(tenant):
            task.delay(*args)
        queued += 1
    return queued


def current_schema_name() -> str:
    return str(getattr(connection, "schema_name", get_public_schema_name()))


def in_public_now() -> bool:
    """Whether this connection is in the public schema (no tenant's data is reachable)."""
    return current_schema_name() == get_public_schema_name()
