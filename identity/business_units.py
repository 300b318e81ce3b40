"""Which business units a principal belongs to, and which one a call is charged to.

Every person (membership) and service account has at most one default unit, charged when a call
names none, and may have extra units a tenant administrator allowed (or the identity provider's
groups gave). A call may name one of those with the `X-Atrium-Business-Unit` header (a unit's
id or exact name); any other unit is refused (403), and a unit the tenant does not have (another
tenant's id included) is unknown (400). The rule is the same for every role: an administrator
who wants to charge a unit gives it to themselves first, in the open and audited.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from django.db import transaction

from activity.services import record_activity
from identity.account_cache import forget_external_client, forget_service_account
from identity.selectors import external_client_of
from identity.signals import business_units_assigned
from kernel.errors import InvalidInput, NotAllowed
from kernel.hot_cache import cached
from tenants.models import BusinessUnit, Membership, ServiceAccount, Tenant
from tenants.schemas import in_tenant_schema
from tenants.selectors import active_business_units, business_unit_references

if TYPE_CHECKING:  # principals resolve people through services, which sync units from here
    from identity.principals import Principal

UNIT_HEADER = "X-Atrium-Business-Unit"
UNIT_HEADER_META = "HTTP_X_ATRIUM_BUSINESS_UNIT"

Assignee = Membership | ServiceAccount


class UnitAssignmentError(InvalidInput):
    """A unit assignment refused, with a message a person can act on (a 400 on the API)."""


# --- Per call ---------------------------------------------------------------------------------


def charged_principal(principal: Principal, tenant: Tenant, requested: str) -> Principal:
    """`principal`, charged to the unit the call names in X-Atrium-Business-Unit (empty: its
    default unit). From the hot-path cache: no query while the tenant's units are unchanged."""
    requested = requested.strip()
    if not requested:
        return principal
    # One cached map per tenant: whatever a caller sends, the cache does not grow with it.
    units = cached(("business-units", tenant.pk), lambda: business_unit_references(tenant))
    unit = units.get(requested)
    if unit is None:
        raise InvalidInput(
            f"{UNIT_HEADER}: {tenant.name} has no business unit {requested!r}; name one by its "
            "id or exact name (GET /v1/business-units lists them).",
            param=UNIT_HEADER,
        )
    if not unit.active:
        raise InvalidInput(
            f"{UNIT_HEADER}: the business unit {unit.name!r} is archived.", param=UNIT_HEADER
        )
    if unit.id != principal.business_unit_id and unit.id not in principal.extra_business_unit_ids:
        raise NotAllowed(
            f"{UNIT_HEADER}: {principal.name} may not charge the business unit {unit.name!r}; "
            "a tenant administrator can add it to this principal's units.",
            param=UNIT_HEADER,
        )
    return replace(principal, business_unit_id=unit.id)


# --- Assignment -------------------------------------------------------------------------------


def assign_business_units(
    *,
    assignee: Assignee,
    business_unit_id: int | None,
    extra_business_unit_ids: Iterable[int] = (),
    actor: str,
) -> Assignee:
    """A tenant administrator sets a person's or a service account's default unit (None: the
    tenant's) and the extra units it may charge per call; all must be the tenant's open units."""
    if isinstance(assignee, Membership) and assignee.units_from_idp:
        raise UnitAssignmentError(
            "This person's business units come from the identity provider's groups: change "
            "them there."
        )
    if isinstance(assignee, ServiceAccount) and not assignee.is_active:
        raise UnitAssignmentError("This service account is revoked.")
    extras = set(extra_business_unit_ids) - {business_unit_id}
    wanted = extras | ({business_unit_id} if business_unit_id is not None else set())
    open_units = set(
        active_business_units(assignee.tenant).filter(pk__in=wanted).values_list("pk", flat=True)
    )
    if wanted - open_units:
        missing = ", ".join(str(unit) for unit in sorted(wanted - open_units))
        raise UnitAssignmentError(
            f"{assignee.tenant.name} has no open business unit {missing}: choose from its units."
        )
    with transaction.atomic():
        before = units_state(assignee)
        _apply_units(assignee, business_unit_id, extras)
        after = units_state(assignee)
        if after != before:
            with in_tenant_schema(assignee.tenant):
                record_activity(
                    kind="business_units.assigned",
                    actor=actor,
                    message=f"Business units of {_name_of(assignee)}: {_described(after)}.",
                )
            business_units_assigned.send(
                type(assignee), assignee=assignee, actor=actor, before=before, after=after
            )
    return assignee


def _apply_units(assignee: Assignee, default: int | None, extras: set[int]) -> None:
    assignee.business_unit_id = default
    # Saving the row (not only the extra units' table) tells every cache that holds it.
    assignee.save(update_fields=["business_unit"])
    assignee.extra_business_units.set(extras)
    if isinstance(assignee, ServiceAccount):
        _forget(assignee)


def _forget(account: ServiceAccount) -> None:
    external = external_client_of(account)
    client_id = account.client_id
    transaction.on_commit(lambda: forget_service_account(client_id))
    if external is not None:
        key = (external.tenant_id, external.issuer, external.client_id)
        transaction.on_commit(lambda: forget_external_client(*key))


def units_state(assignee: Assignee) -> dict[str, Any]:
    """What the audit log keeps of a principal's units: ids and names (names change)."""
    unit = assignee.business_unit
    extras = sorted(assignee.extra_business_units.all(), key=lambda each: each.pk)
    return {
        "business_unit": {"id": unit.pk, "name": unit.name} if unit else None,
        "extra_business_units": [{"id": each.pk, "name": each.name} for each in extras],
    }


def _described(state: dict[str, Any]) -> str:
    default = state["business_unit"]["name"] if state["business_unit"] else "none"
    extras = ", ".join(each["name"] for each in state["extra_business_units"])
    return f"{default}" + (f" (may also charge {extras})" if extras else "")


def _name_of(assignee: Assignee) -> str:
    if isinstance(assignee, Membership):
        return str(assignee.user.get_username())
    return f"service account {assignee.name}"


# --- From the identity provider's groups ------------------------------------------------------


def sync_group_units(*, user: Any, unit_ids_by_tenant: dict[int, list[int]]) -> None:
    """Make the units of the user's memberships match the units their groups map to.

    In a tenant where groups map to units, those are the person's units (the current default
    kept if it is one of them, else the first by name; the others extra); where none do any
    more, units the groups had given are taken away; units an administrator set are left."""
    for membership in Membership.objects.filter(user=user).select_related("business_unit"):
        mapped = unit_ids_by_tenant.get(membership.tenant_id, [])
        if mapped:
            default = (
                membership.business_unit_id if membership.business_unit_id in mapped else mapped[0]
            )
            membership.units_from_idp = True
            membership.save(update_fields=["units_from_idp"])
            _apply_units(membership, default, set(mapped) - {default})
        elif membership.units_from_idp:
            membership.units_from_idp = False
            membership.save(update_fields=["units_from_idp"])
            _apply_units(membership, None, set())


def mapped_units(units: Iterable[BusinessUnit]) -> dict[int, list[int]]:
    """Open units by tenant, each tenant's in order of name."""
    found: dict[int, list[int]] = {}
    for unit in sorted(units, key=lambda each: each.name):
        if unit.is_active:
            found.setdefault(unit.tenant_id, []).append(unit.pk)
    return found
