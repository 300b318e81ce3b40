"""Public-schema rows that belong to a tenant are read through a manager that fails closed: with
no tenant in context it raises instead of returning everyone's rows. `.unscoped()` is the one,
named, way to read across tenants (platform pages, aggregation)."""

from __future__ import annotations

from typing import Any

from django.db import connection, models


class NoTenantInContext(RuntimeError):
    """A tenant-owned table was read without a tenant: a bug, refused rather than leaked."""


class TenantScopedManager(models.Manager[Any]):
    def get_queryset(self) -> models.QuerySet[Any]:
        tenant = getattr(connection, "tenant", None)
        public = getattr(tenant, "schema_name", "public") == "public"
        if tenant is None or public or getattr(tenant, "pk", None) is None:
            raise NoTenantInContext(
                f"{self.model.__name__} rows belong to tenants: read them inside a tenant's "
                "context, or say .unscoped() where reading across tenants is intended."
            )
        return super().get_queryset().filter(tenant_id=tenant.pk)

    def unscoped(self) -> models.QuerySet[Any]:
        return super().get_queryset()
