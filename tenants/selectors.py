"""Reads for tenants."""

from __future__ import annotations

import copy

from django.conf import settings
from django.db.models import QuerySet

from kernel.hot_cache import cached
from tenants.models import BusinessUnit, Domain, Tenant


def customer_tenants() -> QuerySet[Tenant]:
    """Every tenant but the platform's public one."""
    return Tenant.objects.exclude(schema_name="public")


def business_units_of(tenant: Tenant) -> QuerySet[BusinessUnit]:
    return BusinessUnit.objects.filter(tenant=tenant)


def tenant_routed_by(subfolder: str) -> Tenant | None:
    """The tenant whose route (`/t/<subfolder>/`) this is, from the hot-path cache: a fresh copy
    each time, since routing writes on it."""
    tenant = cached(("route", subfolder), lambda: _route(subfolder))
    return copy.copy(tenant) if tenant is not None else None


def tenant_of_path(path: str) -> Tenant | None:
    """The tenant a URL path addresses (`/t/<slug>/...`), found as the page middleware finds it:
    the gateway's own ASGI handler, which skips the middleware, asks here."""
    prefix, _, rest = path.lstrip("/").partition("/")
    subfolder = rest.partition("/")[0]
    if prefix != settings.TENANT_SUBFOLDER_PREFIX or not subfolder:
        return None
    return tenant_routed_by(subfolder)


def _route(subfolder: str) -> Tenant | None:
    domain = Domain.objects.select_related("tenant").filter(domain=subfolder).first()
    return domain.tenant if domain is not None else None
