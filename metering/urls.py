"""Billing pages."""

from django.urls import path

from metering import api, views

# Mounted under /t/<slug>/ by portal.urls_tenant.
tenant_urlpatterns = [
    path("billing/", views.tenant_billing, name="tenant-billing"),
    path("v1/usage", api.tenant_usage, name="api-tenant-usage"),
]

# The platform's usage API (in the OpenAPI schema through portal.urls_schema).
platform_api_urlpatterns = [
    path("api/usage", api.platform_usage, name="api-platform-usage"),
]

# Mounted on the platform's site, /, by portal.urls_public.
platform_urlpatterns = [
    path("billing/", views.platform_billing, name="platform-billing"),
    *platform_api_urlpatterns,
]
