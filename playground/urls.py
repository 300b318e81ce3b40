"""The playground's pages and its browser endpoints."""

from django.urls import path

from playground import views

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
    path("playground/chat", views.chat, name="playground-chat"),
    path("playground/turns/<int:turn_id>/feedback", views.feedback, name="playground-feedback"),
]
