"""Reads for tenants."""

from __future__ import annotations

from django.db.models import QuerySet

from tenants.models import BusinessUnit, Tenant


def customer_tenants() -> QuerySet[Tenant]:
    """Every tenant but the platform's public one."""
    return Tenant.objects.exclude(schema_name="public")


def business_units_of(tenant: Tenant) -> QuerySet[BusinessUnit]:
    return BusinessUnit.objects.filter(tenant=tenant)
