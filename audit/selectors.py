"""Reads of the audit log. A tenant sees its own entries only; the unscoped read is named so."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import QuerySet

from audit.models import AuditEntry
from tenants.models import Tenant


@dataclass(frozen=True)
class AuditFilters:
    """What the audit page narrows by; every filter set must match (days are UTC, inclusive)."""

    actor: str = ""  # contains, any case
    action: str = ""  # exact
    since: date | None = None
    until: date | None = None
    tenant_id: int | None = None


def audit_entries_of_tenant(
    tenant: Tenant, filters: AuditFilters | None = None
) -> QuerySet[AuditEntry]:
    """One tenant's entries, read in its context (the scoped manager refuses any other). Filters
    only narrow them: a `tenant_id` filter naming another tenant finds nothing."""
    return _filtered(AuditEntry.objects.filter(tenant_id=tenant.pk), filters)


def audit_entries_of_all_tenants(filters: AuditFilters | None = None) -> QuerySet[AuditEntry]:
    """Every tenant's entries and the platform's own (platform administrators' page)."""
    return _filtered(AuditEntry.objects.unscoped(), filters)


def audit_actions(tenant: Tenant | None) -> list[str]:
    """The distinct actions in one tenant's entries, or (None) in the whole log."""
    entries = audit_entries_of_all_tenants() if tenant is None else audit_entries_of_tenant(tenant)
    return list(entries.order_by("action").values_list("action", flat=True).distinct())


def audit_entries_for_target(target_type: str, target_id: str) -> QuerySet[AuditEntry]:
    """Every entry about one object (platform administrators' pages)."""
    return AuditEntry.objects.unscoped().filter(target_type=target_type, target_id=target_id)


def _filtered(entries: QuerySet[AuditEntry], filters: AuditFilters | None) -> QuerySet[AuditEntry]:
    if filters is None:
        return entries
    if filters.actor:
        entries = entries.filter(actor__icontains=filters.actor)
    if filters.action:
        entries = entries.filter(action=filters.action)
    if filters.since is not None:
        entries = entries.filter(created_at__gte=_start_of(filters.since))
    if filters.until is not None:
        entries = entries.filter(created_at__lt=_start_of(filters.until + timedelta(days=1)))
    if filters.tenant_id is not None:
        entries = entries.filter(tenant_id=filters.tenant_id)
    return entries


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)
