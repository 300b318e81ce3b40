"""The usage API: `GET /t/<slug>/v1/usage` (a tenant's administrators, their own tenant) and
`GET /api/usage` (platform administrators, every tenant or one). Both answer from the selector
behind the billing pages (`metering.selectors.grouped_usage`), so their numbers agree."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.decorators import api_view, permission_classes
from rest_framework.request import Request
from rest_framework.response import Response

from identity.api_auth import IsPlatformAdmin, IsTenantAdmin
from kernel.errors import NotFound
from metering.selectors import CostTotal, UsageLine, usage_page
from metering.serializers import PlatformUsageQuery, UsageAnswerSerializer, UsageQuery
from tenants.selectors import customer_tenants

NANO = Decimal("0.000000001")

REFUSALS = {
    400: OpenApiResponse(description="A parameter is wrong; the message names it."),
    401: OpenApiResponse(description="No bearer token, or one that is not valid."),
    403: OpenApiResponse(description="The token's principal may not read this usage."),
}


@extend_schema(
    parameters=[UsageQuery],
    responses={200: UsageAnswerSerializer, **REFUSALS},
    tags=["metering"],
    summary="This tenant's usage, grouped and filtered",
)
@api_view(["GET"])
@permission_classes([IsTenantAdmin])
def tenant_usage(request: Request) -> Response:
    """Calls, failed calls, tokens and cost of this tenant over whole UTC days, by any of day,
    month, business unit, principal, model and provider, per currency; the billing page's sums."""
    tenant = request._request.tenant  # type: ignore[attr-defined]  # set by the tenant routing
    return _answer(request, UsageQuery(data=request.query_params), tenant.pk, every_tenant=False)


@extend_schema(
    parameters=[PlatformUsageQuery],
    responses={
        200: UsageAnswerSerializer,
        **REFUSALS,
        404: OpenApiResponse(description="No such tenant."),
    },
    tags=["metering"],
    summary="Every tenant's usage (or one's), grouped and filtered",
)
@api_view(["GET"])
@permission_classes([IsPlatformAdmin])
def platform_usage(request: Request) -> Response:
    """Usage of every tenant (or `tenant`'s), grouped by tenant too if asked."""
    query = PlatformUsageQuery(data=request.query_params)
    query.is_valid(raise_exception=True)
    tenant_id = None
    if slug := query.validated_data.get("tenant"):
        tenant = customer_tenants().filter(slug=slug).first()
        if tenant is None:
            raise NotFound(f"No tenant called {slug!r}.")
        tenant_id = tenant.pk
    return _answer(request, query, tenant_id, every_tenant=tenant_id is None)


def _answer(
    request: Request, query: UsageQuery, tenant_id: int | None, *, every_tenant: bool
) -> Response:
    query.is_valid(raise_exception=True)
    data = query.validated_data
    page = usage_page(
        query.period, data["group_by"], query.usage_filter(tenant_id, every_tenant=every_tenant),
        page=data["page"], page_size=data["page_size"],
    )  # fmt: skip
    return Response({
        "object": "list",
        "start": data["start"].isoformat(),
        "end": data["end"].isoformat(),
        "group_by": list(data["group_by"]),
        "data": [_sums(line) for line in page.lines],
        "totals": [_sums(total) for total in page.totals],
        "page": data["page"],
        "page_size": data["page_size"],
        "has_more": page.has_more,
    })  # fmt: skip


def _sums(line: UsageLine | CostTotal) -> dict[str, Any]:
    shown: dict[str, Any] = {"group": line.group} if isinstance(line, UsageLine) else {}
    return {
        **shown,
        "currency": line.currency,
        "calls": line.calls,
        "failed_calls": line.failed_calls,
        "input_tokens": line.input_tokens,
        "output_tokens": line.output_tokens,
        "cost": f"{line.cost.quantize(NANO):f}",
    }
