"""Tenant routing by subfolder, `/t/<slug>/...` (django-tenants' middleware, marked beta
upstream, so it is covered by our tests)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django_tenants.middleware.subfolder import TenantSubfolderMiddleware

from identity.api_auth import authenticate_bearer
from kernel.errors import DomainError
from kernel.http_errors import domain_error_response
from tenants.models import Domain, Tenant
from tenants.selectors import tenant_routed_by


class TenantSubfolderRouting(TenantSubfolderMiddleware):
    def get_tenant(self, domain_model: type[Domain], hostname: str) -> Tenant:
        """From the hot-path cache: routing costs no query while nothing changed."""
        tenant = tenant_routed_by(hostname)
        if tenant is None:
            raise domain_model.DoesNotExist(hostname)
        return tenant

    def no_tenant_found(self, request: HttpRequest, hostname: str) -> HttpResponse:
        if request.path.startswith(f"/t/{hostname}/v1/"):
            try:
                authenticate_bearer(request.META.get("HTTP_AUTHORIZATION", ""), None)
            except DomainError as refusal:
                return domain_error_response(refusal)
        return super().no_tenant_found(request, hostname)
