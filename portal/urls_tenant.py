"""URLs of a tenant; django-tenants mounts them under `/t/<slug>/`. Each app lists its own."""

from django.urls import path

from audit import urls as audit
from budgets import urls as budgets
from evaluation import urls as evaluation
from gateway import urls as gateway
from guardrails import urls as guardrails
from identity import urls as identity
from knowledge import urls as knowledge
from metering import urls as metering
from models_catalog import urls as models_catalog
from playground import urls as playground
from portal import views
from response_store import urls as response_store

urlpatterns = [
    path("", views.tenant_home, name="tenant-home"),
    *identity.tenant_urlpatterns,
    *models_catalog.tenant_urlpatterns,
    *metering.tenant_urlpatterns,
    *budgets.tenant_urlpatterns,
    *audit.tenant_urlpatterns,
    *playground.tenant_urlpatterns,
    *evaluation.tenant_urlpatterns,
    *knowledge.tenant_urlpatterns,
    *guardrails.tenant_urlpatterns,
    *gateway.tenant_urlpatterns,
    *response_store.tenant_urlpatterns,
    *gateway.unknown_api_urlpatterns,  # last: every other v1/ path
]

handler403 = views.permission_denied
handler404 = views.page_not_found
