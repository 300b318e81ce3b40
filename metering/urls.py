"""Billing pages and the budgets API."""

from django.urls import path

from metering import api, budget_views, views

# Mounted under /t/<slug>/ by portal.urls_tenant.
tenant_urlpatterns = [
    path("billing/", views.tenant_billing, name="tenant-billing"),
    path("budgets/", budget_views.budgets_page, name="budgets"),
    path("v1/budgets", api.budgets, name="api-budgets"),
    path("v1/budgets/<int:budget_id>", api.budget, name="api-budget"),
]

# Mounted on the platform's site, /, by portal.urls_public.
platform_urlpatterns = [
    path("billing/", views.platform_billing, name="platform-billing"),
]
