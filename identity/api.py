"""The identity part of the tenant API."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from identity.principals import Principal


class WhoAmISerializer(serializers.Serializer):
    tenant = serializers.DictField(child=serializers.CharField())
    principal = serializers.DictField()
    role = serializers.CharField()


@extend_schema(responses=WhoAmISerializer, tags=["identity"])
@api_view(["GET"])
def whoami(request: Request) -> Response:
    """The tenant, the principal and its role: proof that the token chain works end to end."""
    principal: Principal = request.user  # type: ignore[assignment]
    tenant = request._request.tenant  # type: ignore[attr-defined]
    return Response(
        {
            "tenant": {"slug": tenant.slug, "name": tenant.name},
            "principal": {"type": principal.kind, "id": principal.id, "name": principal.name},
            "role": principal.role,
        }
    )
