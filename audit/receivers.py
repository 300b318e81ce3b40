"""Audit entries for writes of floors below the audit log, which announce them as signals
(identity's service accounts and unit assignments, tenants' business units): recorded in the
transaction of the write."""

from __future__ import annotations

from typing import Any

from audit.services import record_audit
from identity.signals import (
    business_units_assigned,
    membership_changed,
    service_account_registered,
    service_account_revoked,
)
from tenants.models import BusinessUnit, Membership, ServiceAccount
from tenants.signals import business_unit_changed


def _registered(
    sender: object, *, account: ServiceAccount, actor: str, state: dict[str, Any], **_: Any
) -> None:
    record_audit(actor=actor, action="service_account.registered", target=account,
                 tenant=account.tenant, after=state)  # fmt: skip


def _revoked(
    sender: object,
    *,
    account: ServiceAccount,
    actor: str,
    before: dict[str, Any],
    after: dict[str, Any],
    **_: Any,
) -> None:
    record_audit(actor=actor, action="service_account.revoked", target=account,
                 tenant=account.tenant, before=before, after=after)  # fmt: skip


def _unit_changed(
    sender: object,
    *,
    unit: BusinessUnit,
    action: str,
    actor: str,
    before: dict[str, Any] | None,
    after: dict[str, Any],
    **_: Any,
) -> None:
    record_audit(actor=actor, action=f"business_unit.{action}", target=unit, tenant=unit.tenant,
                 before=before, after=after)  # fmt: skip


def _units_assigned(
    sender: object,
    *,
    assignee: Membership | ServiceAccount,
    actor: str,
    before: dict[str, Any],
    after: dict[str, Any],
    **_: Any,
) -> None:
    kind = "membership" if isinstance(assignee, Membership) else "service_account"
    who = (
        {"user": assignee.user.get_username()}
        if isinstance(assignee, Membership)
        else {"service_account": assignee.name}
    )
    record_audit(
        actor=actor,
        action=f"{kind}.business_units_changed",
        target=assignee,
        tenant=assignee.tenant,
        before={**who, **before},
        after={**who, **after},
    )


def _membership_changed(
    sender: object,
    *,
    membership: Membership,
    action: str,
    actor: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    **_: Any,
) -> None:
    record_audit(actor=actor, action=f"membership.{action}", target=membership,
                 tenant=membership.tenant, before=before, after=after)  # fmt: skip


def connect() -> None:
    membership_changed.connect(_membership_changed, dispatch_uid="audit-membership-changed")
    business_unit_changed.connect(_unit_changed, dispatch_uid="audit-business-unit-changed")
    business_units_assigned.connect(_units_assigned, dispatch_uid="audit-business-units-assigned")
    service_account_registered.connect(_registered, dispatch_uid="audit-service-account-registered")
    service_account_revoked.connect(_revoked, dispatch_uid="audit-service-account-revoked")
