"""Billing pages."""

from django.urls import path

from metering import views

# Mounted under /t/<slug>/ by portal.urls_tenant.
tenant_urlpatterns = [
    path("billing/", views.tenant_billing, name="tenant-billing"),
]

# Mounted on the platform's site, /, by portal.urls_public.
platform_urlpatterns = [
    path("billing/", views.platform_billing, name="platform-billing"),
]
