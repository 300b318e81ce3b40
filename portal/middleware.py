"""Tenant routing by subfolder, `/t/<slug>/...` (django-tenants' middleware, marked beta
upstream, so it is covered by our tests)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django_tenants.middleware.subfolder import TenantSubfolderMiddleware

from portal.api_errors import error_body


class TenantSubfolderRouting(TenantSubfolderMiddleware):
    def no_tenant_found(self, request: HttpRequest, hostname: str) -> HttpResponse:
        if request.path.startswith(f"/t/{hostname}/v1/"):
            return _api_refusal_for_unknown_tenant(request)
        return super().no_tenant_found(request, hostname)


def _api_refusal_for_unknown_tenant(request: HttpRequest) -> HttpResponse:
    """Answer exactly as for a tenant the caller may not use: 401 for a bad or missing token,
    403 for a good one, so that probing does not reveal which tenants exist."""
    from identity.api_auth import ASK_FOR_BEARER, bearer_from_header, challenge
    from identity.principals import NO_ACCESS
    from identity.verification import InvalidToken, verify_access_token

    header = request.META.get("HTTP_AUTHORIZATION", "")
    if not header:
        response = JsonResponse(error_body(ASK_FOR_BEARER, 401, "missing_token"), status=401)
        response["WWW-Authenticate"] = challenge()
        return response
    try:
        verify_access_token(bearer_from_header(header))
    except InvalidToken as error:
        response = JsonResponse(error_body(str(error), 401, "invalid_token"), status=401)
        response["WWW-Authenticate"] = challenge(str(error))
        return response
    return JsonResponse(error_body(NO_ACCESS, 403, "permission_denied"), status=403)
