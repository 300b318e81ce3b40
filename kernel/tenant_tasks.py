"""Celery tasks that work on one tenant's data.

With tenant-schemas-celery a task runs in the schema of whoever queued it; one queued without the
schema header (from beat, a shell, another task in public) runs in **public** silently, where a
tenant's tables are the platform's. `TenantTask` refuses that instead. Periodic work that touches
every tenant fans out: a platform task queues one `TenantTask` per tenant, so one tenant's slow
or failing work never holds up another's.
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django_tenants.utils import get_public_schema_name
from tenant_schemas_celery.task import TenantTask as SchemaSwitchingTask


class OutsideTenant(RuntimeError):
    """A tenant task was about to run in the public schema: a bug, refused."""


class TenantTask(SchemaSwitchingTask):  # type: ignore[misc]  # tenant-schemas-celery is untyped
    abstract = True

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        tenant = getattr(connection, "tenant", None)
        if tenant is None or tenant.schema_name == get_public_schema_name():
            raise OutsideTenant(
                f"{self.name} works on one tenant's data but was queued outside a tenant's "
                "schema; queue it inside tenants.schemas.in_tenant_schema(tenant)."
            )
        return super().__call__(*args, **kwargs)
