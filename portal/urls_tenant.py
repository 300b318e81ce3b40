"""URLs of a tenant; django-tenants mounts them under `/t/<slug>/`."""

from django.urls import path

from gateway import api as gateway_api
from identity import api as identity_api
from identity import views as identity_views
from models_catalog import api as catalog_api
from models_catalog import views as catalog_views
from tenants import views as tenant_views

urlpatterns = [
    path("", tenant_views.tenant_home, name="tenant-home"),
    path("api-access/", identity_views.api_access, name="api-access"),
    path("api-access/token", identity_views.issue_token, name="api-access-token"),
    path("models/", catalog_views.tenant_models, name="tenant-models"),
    path("members/", identity_views.members, name="members"),
    path("service-accounts/", identity_views.service_accounts, name="service-accounts"),
    path(
        "service-accounts/<int:account_id>/revoke",
        identity_views.revoke_account,
        name="service-account-revoke",
    ),
    path("v1/whoami", identity_api.whoami, name="api-whoami"),
    # Served by gateway.handler under ASGI; listed here for reverse() and other handlers.
    path("v1/models", gateway_api.models, name="api-models"),
    path("v1/chat/completions", gateway_api.chat_completions, name="api-chat"),
    path("v1/embeddings", gateway_api.embeddings, name="api-embeddings"),
    path("v1/catalog/models", catalog_api.tenant_catalogue, name="api-tenant-catalogue"),
    path("v1/catalog/requests", catalog_api.tenant_requests, name="api-tenant-requests"),
]
