"""A tenant's guardrail pages: its policy (edited, and tried on a prompt before it is saved),
and its invocation log (browsed, searched, exported); for its administrators."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render

from guardrails.invocation_log import jsonl, search
from guardrails.policy_form import Rows, form_rows, policy_from_form
from guardrails.selectors import (
    calibrations_by_topic,
    draft_trial,
    floor_row,
    stored,
    stored_with_capture,
    tenant_row,
)
from guardrails.services import set_invocation_capture, set_tenant_policy
from identity.permissions import tenant_role_required
from kernel.errors import DomainError, InvalidInput
from kernel.pages import page_message
from tenants.models import Role, Tenant


@tenant_role_required(Role.ADMIN)
def policy_page(request: HttpRequest) -> HttpResponse:
    """The policy's form. POST `save` puts it in force (the same service and checks as `PUT
    v1/guardrails`); POST `try` reads the prompt in `sample` with the policy as submitted,
    saving nothing. A refused form comes back as it was filled in, with the reason."""
    tenant = request.tenant  # type: ignore[attr-defined]
    row = tenant_row(tenant)
    raw = stored(row)
    trial, error, sample = None, None, ""
    if request.method == "POST":
        sample, rows = request.POST.get("sample", ""), Rows()
        try:
            raw, rows = policy_from_form(request.POST, stored_with_capture(row))
            action = request.POST.get("action")
            if action == "try":
                trial = draft_trial(raw, sample)
            elif action != "save":
                raise InvalidInput(f"action: {action!r} is neither try nor save.")
            else:
                set_tenant_policy(tenant=tenant, raw=raw, actor=request.user.get_username())
                messages.success(request, "Saved: every call of this tenant now obeys this policy.")
                return redirect(f"/t/{tenant.slug}/guardrails/")
        except DomainError as failure:
            error = rows.named(page_message(failure))
    return render(request, "guardrails/policy.html", {
        "tenant": tenant, "role": request.tenant_role,  # type: ignore[attr-defined]
        "form": form_rows(raw, calibrations_by_topic(raw)),
        "floor": form_rows(stored(floor_row())), "trial": trial, "sample": sample,
        "error": error, "draft": request.method == "POST",
    }, status=400 if error else 200)  # fmt: skip


@tenant_role_required(Role.ADMIN)
def invocations(request: HttpRequest) -> HttpResponse:
    """The log, and (POST) its settings: whether prompts and answers are kept, and how long."""
    tenant = request.tenant  # type: ignore[attr-defined]
    error = None
    if request.method == "POST":
        try:
            _save_capture(request, tenant)
            return redirect(f"/t/{tenant.slug}/invocations/")
        except DomainError as failure:
            error = page_message(failure)
    query, model = request.GET.get("q", "").strip(), request.GET.get("model", "").strip()
    page = Paginator(search(query, model), 25).get_page(request.GET.get("page"))
    row = tenant_row(tenant)
    return render(request, "guardrails/invocations.html", {
        "tenant": tenant, "role": request.tenant_role,  # type: ignore[attr-defined]
        "page": page, "query": query, "model": model,
        "capturing": bool(row and row.capture_invocations),
        "retention_days": row.retention_days if row else 30,
        "error": error, "form": request.POST if error else None,
    }, status=400 if error else 200)  # fmt: skip


def _save_capture(request: HttpRequest, tenant: Tenant) -> None:
    """The invocation log's two settings, and nothing else of the tenant's policy."""
    raw_days = request.POST.get("retention_days", "").strip()
    try:
        days: object = int(raw_days)
    except ValueError:
        days = raw_days  # the service names what is wrong with it
    capture = request.POST.get("capture_invocations") == "on"
    set_invocation_capture(tenant=tenant, capture=capture, retention_days=days,
                           actor=request.user.get_username())  # fmt: skip
    kept = f"kept (after masking) for {days} days" if capture else "no longer kept"
    messages.success(request, f"Saved: prompts and answers are {kept}.")


@tenant_role_required(Role.ADMIN)
def invocations_export(request: HttpRequest) -> StreamingHttpResponse:
    """JSON Lines, one Bedrock-style model invocation log record per line (filters apply)."""
    tenant = request.tenant  # type: ignore[attr-defined]
    records = search(request.GET.get("q", "").strip(), request.GET.get("model", "").strip())
    response = StreamingHttpResponse(jsonl(records, tenant), content_type="application/x-ndjson")
    response["Content-Disposition"] = f'attachment; filename="{tenant.slug}-invocations.jsonl"'
    return response
