"""Reads of the audit log. A tenant sees its own entries only; the unscoped read is named so."""

from __future__ import annotations

from django.db.models import QuerySet

from audit.models import AuditEntry
from tenants.models import Tenant


def audit_entries_of_tenant(tenant: Tenant) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(tenant_id=tenant.pk)


def audit_entries_for_target(target_type: str, target_id: str) -> QuerySet[AuditEntry]:
    """Every entry about one object (platform administrators' pages)."""
    return AuditEntry.objects.filter(target_type=target_type, target_id=target_id)
