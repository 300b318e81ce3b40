"""Writes for tenants: create (schema + migrations + domain + business unit) and delete."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from activity.services import record_activity
from tenants.models import RESERVED_SLUGS, BusinessUnit, Domain, Tenant, schema_name_for_slug
from tenants.schemas import in_public_schema, in_tenant_schema


class TenantError(Exception):
    """A tenant operation refused, with a message a person can act on."""


def create_tenant(
    *,
    slug: str,
    name: str,
    business_unit: str,
    cost_centre: str = "",
    actor: str = "",
) -> Tenant:
    """Create a tenant, its schema (migrated), its subfolder route and its first business unit.

    All in one transaction: PostgreSQL DDL is transactional, so a failure leaves no schema behind.
    """
    slug = slug.strip().lower()
    ensure_slug_available(slug)
    if not business_unit.strip():
        raise TenantError("A tenant needs a business unit: pass its name.")

    tenant = Tenant(
        slug=slug,
        name=name.strip(),
        cost_centre=cost_centre.strip(),
        schema_name=schema_name_for_slug(slug),
    )
    _validate(tenant)
    with in_public_schema(), transaction.atomic():
        tenant.save(verbosity=0)
        Domain.objects.create(tenant=tenant, domain=slug, is_primary=True)
        add_business_unit(tenant=tenant, name=business_unit, cost_centre=cost_centre)
        with in_tenant_schema(tenant):
            record_activity(
                kind="tenant.created",
                message=f"Tenant {tenant.name} created with business unit {business_unit.strip()}.",
                actor=actor,
            )
    return tenant


def ensure_slug_available(slug: str) -> None:
    """Refuse a reserved slug or one another tenant already has."""
    if slug in RESERVED_SLUGS:
        raise TenantError(f"The slug {slug!r} is reserved; choose another.")
    if Tenant.objects.filter(slug=slug).exists():
        raise TenantError(f"A tenant with the slug {slug!r} already exists.")


def add_business_unit(*, tenant: Tenant, name: str, cost_centre: str = "") -> BusinessUnit:
    """Add a business unit to a tenant; names are unique within the tenant."""
    unit = BusinessUnit(tenant=tenant, name=name.strip(), cost_centre=cost_centre.strip())
    _validate(unit)
    unit.save()
    return unit


def delete_tenant(*, slug: str, confirm: str) -> None:
    """Delete a tenant and drop its schema with everything in it. `confirm` must repeat the slug."""
    if confirm != slug:
        raise TenantError(
            f"Deleting a tenant drops its schema and all its data; confirm by repeating "
            f"the slug exactly ({slug!r})."
        )
    tenant = Tenant.objects.filter(slug=slug).first()
    if tenant is None:
        raise TenantError(f"No tenant has the slug {slug!r}.")
    if tenant.is_platform:
        raise TenantError("The platform's public tenant cannot be deleted.")
    with in_public_schema(), transaction.atomic():
        tenant.delete(force_drop=True)


def _validate(instance: Tenant | BusinessUnit) -> None:
    try:
        instance.full_clean()
    except ValidationError as error:
        messages = [f"{field}: {' '.join(errors)}" for field, errors in error.message_dict.items()]
        raise TenantError("; ".join(messages)) from None
