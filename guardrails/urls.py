"""Guardrail policies (API and page) and the invocation log (pages)."""

from django.urls import path

from guardrails import api, views

# Mounted under /t/<slug>/ by portal.urls_tenant.
tenant_urlpatterns = [
    path("v1/guardrails", api.tenant_policy, name="api-guardrails"),
    path("guardrails/", views.policy_page, name="guardrails"),
    path("invocations/", views.invocations, name="invocations"),
    path("invocations.jsonl", views.invocations_export, name="invocations-export"),
]

# Mounted on the platform's site, /, by portal.urls_public.
platform_urlpatterns = [
    path("api/guardrails/floor", api.floor_policy, name="api-guardrails-floor"),
]
