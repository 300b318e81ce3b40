"""Every API route in one URLconf, for the OpenAPI schema: the platform API and a tenant's API
(under `/t/{slug}/`)."""

from django.urls import include, path

from guardrails import api as guardrails_api
from portal import urls_tenant

urlpatterns = [
    path("api/guardrails/floor", guardrails_api.floor_policy),
    path("api/", include("models_catalog.urls_api")),
    path(
        "t/<slug:tenant>/",
        include([p for p in urls_tenant.urlpatterns if str(p.pattern).startswith("v1/")]),
    ),
]
