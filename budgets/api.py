"""The budgets API of a tenant (`/t/<slug>/v1/budgets`): tenant administrators read them and
set their business units' budgets; the tenant-wide budget is the platform administrators'."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiTypes, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.request import Request
from rest_framework.response import Response

from budgets.selectors import budgets_of_tenant
from budgets.services import TENANT_WIDE, may_manage, remove_budget, set_budget
from identity.api_auth import IsTenantAdmin
from kernel.errors import InvalidInput, NotAllowed
from kernel.openapi import error_responses

BUDGET_FIELDS = ("business_unit", "monthly_limit", "currency", "alert_thresholds", "hard_limit")


@extend_schema(methods=["GET"], responses=OpenApiTypes.OBJECT, tags=["metering"])
@extend_schema(
    methods=["PUT"],
    request=inline_serializer(
        "BudgetChange",
        {
            "business_unit": serializers.CharField(
                allow_null=True, required=False, help_text="null: the whole tenant."
            ),
            "monthly_limit": serializers.DecimalField(
                max_digits=14, decimal_places=2, min_value=Decimal("0.01"), coerce_to_string=True
            ),
            "currency": serializers.CharField(min_length=3, max_length=3, help_text="ISO 4217."),
            "alert_thresholds": serializers.ListField(
                child=serializers.IntegerField(min_value=1, max_value=100),
                max_length=10,
                required=False,
            ),
            "hard_limit": serializers.BooleanField(required=False, default=True),
        },
    ),
    responses={200: OpenApiTypes.OBJECT, **error_responses(404)},
    tags=["metering"],
)
@api_view(["GET", "PUT"])
@permission_classes([IsTenantAdmin])
def budgets(request: Request) -> Response:
    """GET: the tenant's budgets with this month's spend. PUT {business_unit (null: the whole
    tenant), monthly_limit, currency, alert_thresholds, hard_limit}: create or change one."""
    tenant = request._request.tenant  # type: ignore[attr-defined]
    if request.method == "PUT":
        body: Any = request.data
        if not isinstance(body, dict):
            raise InvalidInput("The request body must be a JSON object.")
        for name in body:
            if name not in BUDGET_FIELDS:
                raise InvalidInput(
                    f"Unknown field {name!r}: a budget takes {', '.join(BUDGET_FIELDS)}.",
                    param=name,
                )
        unit = body.get("business_unit")
        if not may_manage(request.user.role, unit):
            raise NotAllowed(TENANT_WIDE)
        set_budget(
            tenant=tenant, business_unit=unit, monthly_limit=body.get("monthly_limit"),
            currency=body.get("currency"), alert_thresholds=body.get("alert_thresholds"),
            hard_limit=body.get("hard_limit", True), actor=str(request.user.name),
        )  # fmt: skip
    listed = [status.as_dict() for status in budgets_of_tenant(tenant, timezone.now())]
    return Response({"object": "list", "data": listed})


@extend_schema(responses={204: None}, tags=["metering"])
@api_view(["DELETE"])
@permission_classes([IsTenantAdmin])
def budget(request: Request, budget_id: int) -> Response:
    tenant = request._request.tenant  # type: ignore[attr-defined]
    remove_budget(tenant=tenant, budget_id=budget_id, actor=str(request.user.name),
                  role=request.user.role)  # fmt: skip
    return Response(status=204)
