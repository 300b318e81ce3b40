"""The identity part of the tenant API."""

from __future__ import annotations

from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from identity.principals import Principal


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
