"""The Responses API's routes (served by Django's ASGI handler)."""

from django.urls import path

from response_store import api

# Mounted under /t/<slug>/ by portal.urls_tenant, before the gateway's catch-all for v1/.
tenant_urlpatterns = [
    path("v1/responses", api.create_response, name="api-responses"),
    path("v1/responses/<str:response_id>", api.response_detail, name="api-response"),
    path(
        "v1/responses/<str:response_id>/input_items",
        api.response_input_items,
        name="api-response-input-items",
    ),
]
