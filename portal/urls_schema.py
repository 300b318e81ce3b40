"""Every API route in one URLconf, for the OpenAPI schema: the platform API and a tenant's API
(under `/t/{slug}/`)."""

from django.urls import include, path

from guardrails import urls as guardrails
from models_catalog import urls as models_catalog
from portal import urls_tenant

urlpatterns = [
    *guardrails.platform_urlpatterns,
    path("api/", include(models_catalog.platform_api_urlpatterns)),
    path(
        "t/<slug:tenant>/",
        include([p for p in urls_tenant.urlpatterns if str(p.pattern).startswith("v1/")]),
    ),
]
