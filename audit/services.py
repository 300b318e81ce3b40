"""The one function every audited write calls."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.text import capfirst

from audit.models import AuditEntry
from tenants.models import Tenant


def label_of(target: models.Model) -> str:
    """How the log names an object: its `audit_label` where it has one, else kind and name."""
    own = getattr(target, "audit_label", None)
    if isinstance(own, str) and own:
        return own
    return f"{capfirst(target._meta.verbose_name)} '{target}'"


def record_audit(
    *,
    actor: str,
    action: str,
    target: models.Model,
    tenant: Tenant | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    target_label: str = "",
) -> AuditEntry:
    """Append who did what to which object, with its state before and after (from any context:
    the platform's writes and a tenant's land in the same log). The target is named as
    `target_label` says, else as its own `audit_label` ("model Claude 3 Haiku (bedrock)"), else by
    its kind and name: "Service account 'ci-bot'"."""
    entry = AuditEntry(
        actor=actor or "system",
        action=action,
        tenant_id=tenant.pk if tenant else None,
        tenant_slug=tenant.slug if tenant else "",
        target_type=target._meta.label,
        target_id=str(target.pk),
        target_label=(target_label or label_of(target))[:300],
        before=before,
        after=after,
    )
    entry.save()
    return entry
