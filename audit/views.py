"""The audit log pages: the platform's (every tenant) and a tenant administrator's (their own)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.dateparse import parse_date
from django.views.decorators.http import require_GET

from audit.selectors import (
    AuditFilters,
    audit_actions,
    audit_entries_of_all_tenants,
    audit_entries_of_tenant,
    field_changes,
    readable_targets,
)
from identity.permissions import platform_admin_required, tenant_role_required
from kernel.errors import InvalidInput
from kernel.form_values import LAST_DAY, whole_number
from tenants.models import Role, Tenant
from tenants.selectors import customer_tenants

ENTRIES_PER_PAGE = 50


@platform_admin_required
@require_GET
def platform_audit_log(request: HttpRequest) -> HttpResponse:
    return _audit_page(request, tenant=None)


@tenant_role_required(Role.ADMIN)
@require_GET
def tenant_audit_log(request: HttpRequest) -> HttpResponse:
    return _audit_page(request, tenant=request.tenant)  # type: ignore[attr-defined]


def _audit_page(request: HttpRequest, *, tenant: Tenant | None) -> HttpResponse:
    """One page for both: `tenant` None is the whole log, else that tenant's entries only."""
    context: dict[str, Any] = {
        "tenant": tenant,
        "role": getattr(request, "tenant_role", None),
        "query": request.GET,
        "actions": audit_actions(tenant),
        "tenants": customer_tenants() if tenant is None else None,
    }
    try:
        filters = _filters(request.GET, platform=tenant is None)
    except InvalidInput as error:
        # Show nothing rather than the unfiltered log, which could be mistaken for the answer.
        context["error"] = error.message
        return render(request, "audit/log.html", context, status=400)
    if tenant is None:
        entries = audit_entries_of_all_tenants(filters)
    else:
        entries = audit_entries_of_tenant(tenant, filters)
    page = Paginator(entries, ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    context["page"] = page
    listed = list(page)
    targets = readable_targets(listed)
    context["rows"] = [
        {
            "entry": entry,
            "target": targets[entry.pk],
            "changes": field_changes(entry.before, entry.after),
            "before": _compact(entry.before),
            "after": _compact(entry.after),
        }
        for entry in listed
    ]
    return render(request, "audit/log.html", context)


def _filters(query: QueryDict, *, platform: bool) -> AuditFilters:
    since = _day(query.get("since", ""), "From")
    until = _day(query.get("until", ""), "To")
    if since and until and since > until:
        raise InvalidInput(f"'From' ({since}) is after 'To' ({until}): swap them.")
    return AuditFilters(
        actor=query.get("actor", "").strip(),
        action=query.get("action", "").strip(),
        since=since,
        until=until,
        tenant_id=_tenant_id(query.get("tenant", "")) if platform else None,
    )


def _day(value: str, label: str) -> date | None:
    if not value.strip():
        return None
    try:
        parsed = parse_date(value.strip())
    except ValueError:
        parsed = None
    if parsed is None:
        raise InvalidInput(f"{label}: {value!r} is not a date; use YYYY-MM-DD (days are UTC).")
    if parsed > LAST_DAY:
        raise InvalidInput(f"{label}: choose a day up to {LAST_DAY}.")
    return parsed


def _tenant_id(value: str) -> int | None:
    if not value.strip():
        return None
    if (tenant_id := whole_number(value)) is None:
        raise InvalidInput(f"Tenant: {value!r} is not one of the listed tenants.")
    return tenant_id


def _compact(value: Any) -> str:
    return "" if value is None else json.dumps(value, sort_keys=True, ensure_ascii=False)
