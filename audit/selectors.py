"""Reads of the audit log. A tenant sees its own entries only; the unscoped read is named so."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.apps import apps
from django.db.models import Model, QuerySet
from django.utils.text import capfirst

from audit.models import AuditEntry
from kernel.form_values import whole_number
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


@dataclass(frozen=True)
class FieldChange:
    """One field of an entry's diff: its value before and after, as text ("—" for none)."""

    field: str
    before: str
    after: str


def field_changes(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[FieldChange]:
    """The fields an entry changed, before → after (a field equal on both sides is left out,
    except when the entry has only one side: a creation or a deletion shows every field)."""
    old, new = before or {}, after or {}
    one_sided = not old or not new
    return [
        FieldChange(field=name, before=_shown(old.get(name)), after=_shown(new.get(name)))
        for name in sorted({*old, *new})
        if one_sided or old.get(name) != new.get(name)
    ]


def readable_targets(entries: list[AuditEntry]) -> dict[int, str]:
    """Each entry's target in words, by entry id. Entries written before their kind named itself
    (no label, or the generic "Access request 'acme asks for x (pending)'") are named by the
    object's own `audit_label` when it still exists (one query per kind)."""
    stale: dict[str, set[str]] = {}
    for entry in entries:
        if _named_by_kind(entry):
            stale.setdefault(entry.target_type, set()).add(entry.target_id)
    found: dict[tuple[str, str], str] = {}
    for target_type, ids in stale.items():
        model = _self_naming_kind(target_type)
        if model is None:
            continue
        keys = [key for key in ids if whole_number(key) is not None]
        related = [f.name for f in model._meta.concrete_fields if f.many_to_one]
        for obj in model._default_manager.select_related(*related).filter(pk__in=keys):
            found[(target_type, str(obj.pk))] = obj.audit_label  # type: ignore[attr-defined]
    return {
        entry.pk: found.get((entry.target_type, entry.target_id))
        or entry.target_label
        or entry.target
        for entry in entries
    }


def _self_naming_kind(target_type: str) -> type[Model] | None:
    """The model of `target_type` if it names itself (`audit_label`), else None."""
    try:
        model = apps.get_model(target_type)
    except (LookupError, ValueError):
        return None
    return model if isinstance(getattr(model, "audit_label", None), property) else None


def _named_by_kind(entry: AuditEntry) -> bool:
    """Whether the entry names its target only by kind and id or kind and `str()`."""
    if not entry.target_label:
        return True
    model = _self_naming_kind(entry.target_type)
    return model is not None and entry.target_label.startswith(
        f"{capfirst(model._meta.verbose_name)} '"
    )


def _shown(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, ensure_ascii=False)
