"""The invocation log of a tenant: its administrators browse, search and export it."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render

from guardrails.invocation_log import jsonl, search
from guardrails.selectors import stored, tenant_row
from guardrails.services import set_tenant_policy
from identity.permissions import tenant_role_required
from kernel.errors import DomainError
from kernel.pages import page_message
from tenants.models import Role, Tenant


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
    """The same service as `PUT v1/guardrails`, with the rest of the tenant's policy unchanged."""
    raw_days = request.POST.get("retention_days", "").strip()
    try:
        days: object = int(raw_days)
    except ValueError:
        days = raw_days  # the service names what is wrong with it
    capture = request.POST.get("capture_invocations") == "on"
    set_tenant_policy(
        tenant=tenant,
        raw={**stored(tenant_row(tenant)), "capture_invocations": capture, "retention_days": days},
        actor=request.user.get_username(),
    )
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
