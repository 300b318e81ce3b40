"""The catalogue: a tenant's models and requests; the platform's catalogue, queue, registry."""

from django.urls import include, path

from models_catalog import api, views

# The platform API (catalogue, approvals, registry), under /api/.
platform_api_urlpatterns = [
    path("catalog/models", api.catalogue, name="api-catalogue"),
    path("catalog/prices", api.add_price, name="api-add-price"),
    path("catalog/lifecycle", api.set_lifecycle, name="api-set-lifecycle"),
    path("catalog/requests", api.request_queue, name="api-request-queue"),
    path("catalog/requests/<int:request_id>/approve", api.approve, name="api-approve"),
    path("catalog/requests/<int:request_id>/reject", api.reject, name="api-reject"),
    path("catalog/grants", api.grants, name="api-grants"),
    path("catalog/grants/<int:grant_id>/revoke", api.revoke, name="api-revoke"),
    path("registry/models", api.custom_models, name="api-custom-models"),
    path("registry/models/<slug:name>/versions", api.versions, name="api-versions"),
    path(
        "registry/models/<slug:name>/versions/<int:number>",
        api.delete_version,
        name="api-delete-version",
    ),
    path("registry/models/<slug:name>/deploy", api.deploy, name="api-deploy"),
    path("registry/models/<slug:name>/rollback", api.rollback, name="api-rollback"),
]

# Mounted under /t/<slug>/ by portal.urls_tenant.
tenant_urlpatterns = [
    path("models/", views.tenant_models, name="tenant-models"),
    path("v1/catalog/models", api.tenant_catalogue, name="api-tenant-catalogue"),
    path("v1/catalog/requests", api.tenant_requests, name="api-tenant-requests"),
]

# Mounted on the platform's site, /, by portal.urls_public.
platform_urlpatterns = [
    path("catalog/", views.catalogue, name="catalogue"),
    path("catalog/requests/", views.queue, name="request-queue"),
    path("catalog/grants/", views.grant_matrix, name="grant-matrix"),
    path("catalog/providers/", views.providers, name="providers"),
    path("catalog/providers/<int:provider_id>/", views.provider_page, name="provider"),
    path("catalog/providers/<int:provider_id>/test/", views.provider_test, name="provider-test"),
    path("catalog/models/new/", views.model_new, name="model-new"),
    path("catalog/models/<int:model_id>/", views.model_page, name="model"),
    path("catalog/registry/", views.registry_index, name="registry"),
    path("catalog/registry/<slug:name>/", views.custom_model_page, name="custom-model"),
    path("catalog/registry/<slug:name>/<int:number>/", views.version_page, name="model-version"),
    path("api/", include(platform_api_urlpatterns)),
]
