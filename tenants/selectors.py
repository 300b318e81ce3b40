"""Reads for tenants."""

from __future__ import annotations

import copy
from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet

from kernel.form_values import whole_number
from kernel.hot_cache import cached
from tenants.models import BusinessUnit, Domain, Tenant


def customer_tenants() -> QuerySet[Tenant]:
    """Every tenant but the platform's public one."""
    return Tenant.objects.exclude(schema_name="public")


def business_units_of(tenant: Tenant) -> QuerySet[BusinessUnit]:
    """Every unit of the tenant, archived ones included (usage and budgets still name them)."""
    return BusinessUnit.objects.filter(tenant=tenant)


def active_business_units(tenant: Tenant) -> QuerySet[BusinessUnit]:
    """The units a principal may be assigned to or charge."""
    return business_units_of(tenant).filter(archived_at__isnull=True)


def business_unit_of(tenant: Tenant, unit_id: object) -> BusinessUnit | None:
    """One of the tenant's units (None: no such unit, another tenant's, or not a number)."""
    if (key := whole_number(str(unit_id))) is None:
        return None
    return business_units_of(tenant).filter(pk=key).first()


@dataclass(frozen=True)
class UnitReference:
    id: int
    name: str
    active: bool


def business_unit_references(tenant: Tenant) -> dict[str, UnitReference]:
    """How a caller may name each of the tenant's units: by its id (as text) or its exact name
    (unit names are never all digits, so the two cannot clash; an id wins if an old one does)."""
    rows = business_units_of(tenant).values_list("id", "name", "archived_at")
    units = [UnitReference(pk, name, archived_at is None) for pk, name, archived_at in rows]
    return {unit.name: unit for unit in units} | {str(unit.id): unit for unit in units}


def tenant_routed_by(subfolder: str) -> Tenant | None:
    """The tenant whose route (`/t/<subfolder>/`) this is, from the hot-path cache: a fresh copy
    each time, since routing writes on it."""
    # A slug no tenant has is looked up each time: a flood of made-up ones would otherwise fill
    # the cache and drop every entry the real calls use.
    tenant = cached(("route", subfolder), lambda: _route(subfolder), keep_none=False)
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
