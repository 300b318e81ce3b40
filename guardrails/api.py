"""Guardrail policies over the API: a tenant's own (`/t/<slug>/v1/guardrails`, its
administrators) and the platform's floor (`/api/guardrails/floor`, platform administrators).
PUT replaces the policy; the answer is the policy now in force. A field the body may not hold,
or of the wrong type, is a 400 naming it (`guardrails.services`)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework.decorators import api_view, permission_classes
from rest_framework.request import Request
from rest_framework.response import Response

from guardrails.selectors import (
    floor_row,
    stored,
    stored_with_capture,
    tenant_row,
    topic_calibrations,
)
from guardrails.serializers import FloorPolicySerializer, TenantPolicySerializer
from guardrails.services import set_floor, set_tenant_policy
from identity.api_auth import IsPlatformAdmin, IsTenantAdmin
from kernel.errors import InvalidInput

SCHEMA = {"responses": OpenApiTypes.OBJECT, "tags": ["guardrails"]}


def _body(request: Request) -> dict[str, Any]:
    if not isinstance(request.data, dict):
        raise InvalidInput("The request body must be a JSON object.")
    return dict(request.data)


def _calibrated(policy: dict[str, Any]) -> dict[str, Any]:
    return {**policy, "topic_calibration": topic_calibrations(policy)}


@extend_schema(**SCHEMA)
@extend_schema(methods=["PUT"], request=TenantPolicySerializer)
@api_view(["GET", "PUT"])
@permission_classes([IsTenantAdmin])
def tenant_policy(request: Request) -> Response:
    """The tenant's own policy: {pii: {email|phone|card|iban|ssn|ip: off|mask|block},
    denied_topics: [{name, examples, keywords}], word_filters: [{name, pattern, regex}],
    prompt_injection, prompt_injection_threshold, capture_invocations, retention_days}; and
    the floor it sits on. Each answer shows the calibrated threshold of each topic with examples
    (`topic_calibration`)."""
    tenant = request._request.tenant  # type: ignore[attr-defined]
    if request.method == "PUT":
        set_tenant_policy(tenant=tenant, raw=_body(request), actor=str(request.user.name))
    return Response({"policy": _calibrated(stored_with_capture(tenant_row(tenant))),
                     "floor": _calibrated(stored(floor_row()))})  # fmt: skip


@extend_schema(**SCHEMA)
@extend_schema(methods=["PUT"], request=FloorPolicySerializer)
@api_view(["GET", "PUT"])
@permission_classes([IsPlatformAdmin])
def floor_policy(request: Request) -> Response:
    """The platform's floor: every tenant obeys it; no tenant policy may be looser."""
    if request.method == "PUT":
        set_floor(raw=_body(request), actor=str(request.user.name))
    return Response({"floor": _calibrated(stored(floor_row()))})
