"""Writes for tenants: create (schema + migrations + domain + business unit) and delete; a
tenant's business units (create, rename, archive, restore)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from activity.services import record_activity
from kernel.errors import InvalidInput
from tenants.models import (
    RESERVED_SLUGS,
    BusinessUnit,
    Domain,
    Membership,
    ServiceAccount,
    Tenant,
    schema_name_for_slug,
)
from tenants.schemas import in_public_schema, in_tenant_schema
from tenants.signals import business_unit_changed


class TenantError(InvalidInput):
    """A tenant operation refused, with a message a person can act on (a 400 on the API)."""


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
        add_business_unit(tenant=tenant, name=business_unit, cost_centre=cost_centre, actor=actor)
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


def add_business_unit(
    *, tenant: Tenant, name: str, cost_centre: str = "", actor: str = ""
) -> BusinessUnit:
    """Add a business unit to a tenant; names are unique within the tenant (archived units'
    included: restore one rather than making its twin)."""
    unit = BusinessUnit(
        tenant=tenant, name=_unit_name(tenant, name), cost_centre=cost_centre.strip()
    )
    _validate(unit)
    with transaction.atomic():
        unit.save()
        _announce(unit, "created", actor, before=None)
    return unit


def rename_business_unit(
    *, unit: BusinessUnit, name: str, cost_centre: str | None = None, actor: str = ""
) -> BusinessUnit:
    """Give a unit a new name (and cost centre): usage already recorded follows it, since
    events keep the unit's id."""
    before = business_unit_state(unit)
    unit.name = _unit_name(unit.tenant, name, renaming=unit)
    if cost_centre is not None:
        unit.cost_centre = cost_centre.strip()
    _validate(unit)
    with transaction.atomic():
        unit.save(update_fields=["name", "cost_centre"])
        _announce(unit, "renamed", actor, before=before)
    return unit


def change_business_unit(
    *,
    unit: BusinessUnit,
    name: str | None = None,
    cost_centre: str | None = None,
    archived: bool | None = None,
    actor: str = "",
) -> BusinessUnit:
    """Rename a unit, change its cost centre, archive or restore it: whichever is asked, at once."""
    new_name = unit.name if name is None else name.strip()
    new_cost_centre = unit.cost_centre if cost_centre is None else cost_centre.strip()
    with transaction.atomic():
        if (new_name, new_cost_centre) != (unit.name, unit.cost_centre):
            rename_business_unit(unit=unit, name=new_name, cost_centre=new_cost_centre, actor=actor)
        if archived is True:
            archive_business_unit(unit=unit, actor=actor)
        elif archived is False:
            restore_business_unit(unit=unit, actor=actor)
    return unit


def archive_business_unit(*, unit: BusinessUnit, actor: str = "") -> BusinessUnit:
    """Close a unit: nobody can be assigned to it or charge it any more. Refused while it is
    still someone's default unit, so no call is charged to a closed unit, nor silently to none."""
    if not unit.is_active:
        return unit
    people = Membership.objects.filter(business_unit=unit).count()
    programs = ServiceAccount.objects.filter(business_unit=unit, revoked_at__isnull=True).count()
    if people or programs:
        raise TenantError(
            f"{unit.name} is still the business unit of {people} people and {programs} service "
            "accounts: move them to another unit first."
        )
    return _set_archived(unit, timezone.now(), "archived", actor)


def restore_business_unit(*, unit: BusinessUnit, actor: str = "") -> BusinessUnit:
    """Open an archived unit again."""
    if unit.is_active:
        return unit
    return _set_archived(unit, None, "restored", actor)


def _set_archived(unit: BusinessUnit, at: Any, action: str, actor: str) -> BusinessUnit:
    before = business_unit_state(unit)
    unit.archived_at = at
    with transaction.atomic():
        unit.save(update_fields=["archived_at"])
        _announce(unit, action, actor, before=before)
    return unit


def business_unit_state(unit: BusinessUnit) -> dict[str, Any]:
    """What the audit log keeps of a unit."""
    return {
        "name": unit.name,
        "cost_centre": unit.cost_centre,
        "archived_at": unit.archived_at.isoformat() if unit.archived_at else None,
    }


def _unit_name(tenant: Tenant, name: str, renaming: BusinessUnit | None = None) -> str:
    name = name.strip()
    if not name:
        raise TenantError("A business unit needs a name.")
    if name.isdigit():
        # Callers name a unit by id or by name (X-Atrium-Business-Unit): digits mean an id.
        raise TenantError("A business unit's name cannot be only digits.")
    taken = BusinessUnit.objects.filter(tenant=tenant, name=name)
    if renaming is not None:
        taken = taken.exclude(pk=renaming.pk)
    if taken.exists():
        raise TenantError(f"{tenant.name} already has a business unit called {name!r}.")
    return name


def _announce(unit: BusinessUnit, action: str, actor: str, before: dict[str, Any] | None) -> None:
    after = business_unit_state(unit)
    with in_tenant_schema(unit.tenant):
        record_activity(kind=f"business_unit.{action}", actor=actor,
                        message=f"Business unit {unit.name} {action}.")  # fmt: skip
    business_unit_changed.send(
        BusinessUnit, unit=unit, action=action, actor=actor, before=before, after=after
    )


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
