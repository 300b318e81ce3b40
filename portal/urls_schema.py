"""Every API route in one URLconf, for the OpenAPI schema: the platform API and a tenant's API
(under `/t/{slug}/`)."""

from django.urls import URLPattern, URLResolver, include, path

from gateway import urls as gateway
from guardrails import urls as guardrails
from metering import urls as metering
from models_catalog import urls as models_catalog
from portal import urls_tenant


def _documented(pattern: URLPattern | URLResolver) -> bool:
    """A tenant API route (the catch-all for unknown v1/ paths is not one)."""
    return str(pattern.pattern).startswith("v1/") and pattern not in gateway.unknown_api_urlpatterns


urlpatterns = [
    *guardrails.platform_urlpatterns,
    *metering.platform_api_urlpatterns,
    path("api/", include(models_catalog.platform_api_urlpatterns)),
    path(
        "t/<slug:tenant>/",
        include([p for p in urls_tenant.urlpatterns if _documented(p)]),
    ),
]
