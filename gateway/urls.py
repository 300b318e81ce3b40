"""The OpenAI-compatible model endpoints, and the Prometheus metrics."""

from django.urls import path

from gateway import api, completions, metrics, rerank

# Mounted under /t/<slug>/ by portal.urls_tenant.
tenant_urlpatterns = [
    # Served by gateway.handler under ASGI; listed here for reverse() and other handlers.
    path("v1/models", api.models, name="api-models"),
    path("v1/chat/completions", api.chat_completions, name="api-chat"),
    path("v1/embeddings", api.embeddings, name="api-embeddings"),
    path("v1/models/<path:model_id>", api.model, name="api-model"),
    # Served by Django's ASGI handler (gateway.handler takes only the routes above).
    path("v1/completions", completions.completions, name="api-completions"),
    path("v1/rerank", rerank.rerank_view, name="api-rerank"),
]

# Last of all a tenant's routes: any other path under v1/ answers in OpenAI's error shape.
unknown_api_urlpatterns = [
    path("v1/<path:rest>", api.not_found, name="api-unknown"),
]

# Mounted on the platform's site, /, by portal.urls_public.
platform_urlpatterns = [
    path("metrics", metrics.metrics_view, name="metrics"),
]
