"""The playground's pages and its browser endpoints."""

from django.urls import path

from playground import api, endpoints, views

# Mounted under /t/<slug>/ by portal.urls_tenant.
tenant_urlpatterns = [
    path("playground/", views.playground_page, name="playground"),
    path(
        "playground/conversations/<uuid:conversation_id>.json",
        views.conversation_json,
        name="playground-conversation-json",
    ),
    path(
        "playground/conversations/<uuid:conversation_id>/rename",
        views.rename_conversation,
        name="playground-conversation-rename",
    ),
    path(
        "playground/conversations/<uuid:conversation_id>/delete",
        views.delete_conversation,
        name="playground-conversation-delete",
    ),
    path("playground/templates/", views.templates_page, name="playground-templates"),
    path(
        "playground/templates/<int:template_id>/", views.template_page, name="playground-template"
    ),
    path(
        "playground/templates/<int:template_id>/fill",
        views.fill_template,
        name="playground-template-fill",
    ),
    path("playground/chat", endpoints.chat, name="playground-chat"),
    path("playground/turns/<int:turn_id>/feedback", endpoints.feedback, name="playground-feedback"),
    path("v1/feedback", api.feedback, name="api-feedback"),
]
