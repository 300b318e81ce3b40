"""Platform-wide catalogue API, mounted at /api/ on the public site."""

from django.urls import path

from models_catalog import api

urlpatterns = [
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
