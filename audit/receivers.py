"""Audit entries for writes of floors below the audit log, which announce them as signals
(identity's service accounts): recorded in the transaction of the write."""

from __future__ import annotations

from typing import Any

from audit.services import record_audit
from identity.signals import service_account_registered, service_account_revoked
from tenants.models import ServiceAccount


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


def connect() -> None:
    service_account_registered.connect(_registered, dispatch_uid="audit-service-account-registered")
    service_account_revoked.connect(_revoked, dispatch_uid="audit-service-account-revoked")
