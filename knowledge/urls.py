"""Knowledge bases: pages and the API."""

from django.urls import path

from knowledge import api, views

# Mounted under /t/<slug>/ by portal.urls_tenant.
tenant_urlpatterns = [
    path("knowledge/", views.knowledge_bases_page, name="knowledge-bases"),
    path("knowledge/<str:kb_id>/", views.knowledge_base_page, name="knowledge-base"),
    path(
        "knowledge/<str:kb_id>/documents.json",
        views.documents_json,
        name="knowledge-documents-json",
    ),
    path(
        "knowledge/<str:kb_id>/documents/<str:document_id>/",
        views.document_page,
        name="knowledge-document",
    ),
    path(
        "knowledge/<str:kb_id>/documents/<str:document_id>/delete",
        views.delete_document_page,
        name="knowledge-document-delete",
    ),
    path("knowledge/<str:kb_id>/search", views.search_page, name="knowledge-search"),
    path("v1/knowledge-bases", api.knowledge_bases, name="api-knowledge-bases"),
    path("v1/knowledge-bases/<str:kb_id>", api.knowledge_base, name="api-kb"),
    path("v1/knowledge-bases/<str:kb_id>/documents", api.documents, name="api-kb-docs"),
    path(
        "v1/knowledge-bases/<str:kb_id>/documents/<str:document_id>",
        api.document,
        name="api-kb-doc",
    ),
    path("v1/knowledge-bases/<str:kb_id>/retrieve", api.retrieve_view, name="api-kb-retrieve"),
    path(
        "v1/knowledge-bases/<str:kb_id>/retrieve-and-generate",
        api.retrieve_and_generate,
        name="api-kb-answer",
    ),
    path("v1/knowledge-bases/<str:kb_id>/shares", api.shares, name="api-kb-shares"),
]
