"""The budgets page and the budgets API of a tenant."""

from django.urls import path

from budgets import api, views

# Mounted under /t/<slug>/ by portal.urls_tenant.
tenant_urlpatterns = [
    path("budgets/", views.budgets_page, name="budgets"),
    path("v1/budgets", api.budgets, name="api-budgets"),
    path("v1/budgets/<int:budget_id>", api.budget, name="api-budget"),
]
