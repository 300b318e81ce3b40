"""The invocation log of a tenant: its administrators browse, search and export it."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render

from guardrails.invocation_log import jsonl, search
from guardrails.selectors import tenant_row
from identity.permissions import tenant_role_required
from tenants.models import Role


@tenant_role_required(Role.ADMIN)
def invocations(request: HttpRequest) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    query, model = request.GET.get("q", "").strip(), request.GET.get("model", "").strip()
    page = Paginator(search(query, model), 25).get_page(request.GET.get("page"))
    row = tenant_row(tenant)
    return render(request, "guardrails/invocations.html", {
        "tenant": tenant, "role": request.tenant_role,  # type: ignore[attr-defined]
        "page": page, "query": query, "model": model,
        "capturing": bool(row and row.capture_invocations),
        "retention_days": row.retention_days if row else 30,
    })  # fmt: skip


@tenant_role_required(Role.ADMIN)
def invocations_export(request: HttpRequest) -> StreamingHttpResponse:
    """JSON Lines, one Bedrock-style model invocation log record per line (filters apply)."""
    tenant = request.tenant  # type: ignore[attr-defined]
    records = search(request.GET.get("q", "").strip(), request.GET.get("model", "").strip())
    response = StreamingHttpResponse(jsonl(records, tenant), content_type="application/x-ndjson")
    response["Content-Disposition"] = f'attachment; filename="{tenant.slug}-invocations.jsonl"'
    return response
