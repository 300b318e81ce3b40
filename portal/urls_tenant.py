"""URLs of a tenant; django-tenants mounts them under `/t/<slug>/`."""

from django.urls import path

from audit import views as audit_views
from evaluation import views as evaluation_views
from gateway import api as gateway_api
from guardrails import api as guardrails_api
from guardrails import views as guardrails_views
from identity import api as identity_api
from identity import views as identity_views
from knowledge import api as knowledge_api
from knowledge import views as knowledge_views
from metering import api as metering_api
from metering import budget_views
from metering import views as metering_views
from models_catalog import api as catalog_api
from models_catalog import views as catalog_views
from playground import api as playground_api
from playground import endpoints as playground_endpoints
from playground import views as playground_views
from tenants import views as tenant_views

urlpatterns = [
    path("", tenant_views.tenant_home, name="tenant-home"),
    path("api-access/", identity_views.api_access, name="api-access"),
    path("api-access/token", identity_views.issue_token, name="api-access-token"),
    path("models/", catalog_views.tenant_models, name="tenant-models"),
    path("members/", identity_views.members, name="members"),
    path("billing/", metering_views.tenant_billing, name="tenant-billing"),
    path("audit/", audit_views.tenant_audit_log, name="tenant-audit-log"),
    path("service-accounts/", identity_views.service_accounts, name="service-accounts"),
    path(
        "service-accounts/<int:account_id>/revoke",
        identity_views.revoke_account,
        name="service-account-revoke",
    ),
    path("budgets/", budget_views.budgets_page, name="budgets"),
    path("playground/", playground_views.playground_page, name="playground"),
    path(
        "playground/conversations/<uuid:conversation_id>.json",
        playground_views.conversation_json,
        name="playground-conversation-json",
    ),
    path(
        "playground/conversations/<uuid:conversation_id>/rename",
        playground_views.rename_conversation,
        name="playground-conversation-rename",
    ),
    path(
        "playground/conversations/<uuid:conversation_id>/delete",
        playground_views.delete_conversation,
        name="playground-conversation-delete",
    ),
    path("playground/templates/", playground_views.templates_page, name="playground-templates"),
    path(
        "playground/templates/<int:template_id>/",
        playground_views.template_page,
        name="playground-template",
    ),
    path(
        "playground/templates/<int:template_id>/fill",
        playground_views.fill_template,
        name="playground-template-fill",
    ),
    path("playground/chat", playground_endpoints.chat, name="playground-chat"),
    path(
        "playground/turns/<int:turn_id>/feedback",
        playground_endpoints.feedback,
        name="playground-feedback",
    ),
    path("evaluations/", evaluation_views.evaluations_page, name="evaluations"),
    path("evaluations/datasets/", evaluation_views.upload_dataset, name="evaluation-upload"),
    path(
        "evaluations/datasets/<uuid:dataset_id>/",
        evaluation_views.dataset_page,
        name="evaluation-dataset",
    ),
    path("evaluations/jobs/", evaluation_views.start_job, name="evaluation-start"),
    path("evaluations/jobs/<uuid:job_id>/", evaluation_views.job_page, name="evaluation-job"),
    path(
        "evaluations/jobs/<uuid:job_id>/results.<str:fmt>",
        evaluation_views.download_results,
        name="evaluation-results",
    ),
    path("evaluations/feedback/", evaluation_views.curate_feedback_page, name="evaluation-curate"),
    path("knowledge/", knowledge_views.knowledge_bases_page, name="knowledge-bases"),
    path("knowledge/<str:kb_id>/", knowledge_views.knowledge_base_page, name="knowledge-base"),
    path(
        "knowledge/<str:kb_id>/documents.json",
        knowledge_views.documents_json,
        name="knowledge-documents-json",
    ),
    path(
        "knowledge/<str:kb_id>/documents/<str:document_id>/delete",
        knowledge_views.delete_document_page,
        name="knowledge-document-delete",
    ),
    path("knowledge/<str:kb_id>/search", knowledge_views.search_page, name="knowledge-search"),
    path("v1/whoami", identity_api.whoami, name="api-whoami"),
    path("v1/budgets", metering_api.budgets, name="api-budgets"),
    path("v1/guardrails", guardrails_api.tenant_policy, name="api-guardrails"),
    path("v1/feedback", playground_api.feedback, name="api-feedback"),
    path("invocations/", guardrails_views.invocations, name="invocations"),
    path("invocations.jsonl", guardrails_views.invocations_export, name="invocations-export"),
    path("v1/knowledge-bases", knowledge_api.knowledge_bases, name="api-knowledge-bases"),
    path("v1/knowledge-bases/<str:kb_id>", knowledge_api.knowledge_base, name="api-kb"),
    path("v1/knowledge-bases/<str:kb_id>/documents", knowledge_api.documents, name="api-kb-docs"),
    path(
        "v1/knowledge-bases/<str:kb_id>/documents/<str:document_id>",
        knowledge_api.document,
        name="api-kb-doc",
    ),
    path(
        "v1/knowledge-bases/<str:kb_id>/retrieve",
        knowledge_api.retrieve_view,
        name="api-kb-retrieve",
    ),
    path(
        "v1/knowledge-bases/<str:kb_id>/retrieve-and-generate",
        knowledge_api.retrieve_and_generate,
        name="api-kb-answer",
    ),
    path("v1/knowledge-bases/<str:kb_id>/shares", knowledge_api.shares, name="api-kb-shares"),
    path("v1/budgets/<int:budget_id>", metering_api.budget, name="api-budget"),
    # Served by gateway.handler under ASGI; listed here for reverse() and other handlers.
    path("v1/models", gateway_api.models, name="api-models"),
    path("v1/chat/completions", gateway_api.chat_completions, name="api-chat"),
    path("v1/embeddings", gateway_api.embeddings, name="api-embeddings"),
    path("v1/catalog/models", catalog_api.tenant_catalogue, name="api-tenant-catalogue"),
    path("v1/catalog/requests", catalog_api.tenant_requests, name="api-tenant-requests"),
]
