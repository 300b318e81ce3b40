"""The knowledge-base API of a tenant (`/t/<slug>/v1/knowledge-bases/...`). Every knowledge base
is looked up through `knowledge.stores`, so a tenant reaches its own (and pooled ones shared with
it, read-only) and nothing else: another tenant's id answers 404, as an unknown one does."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count, Q
from drf_spectacular.utils import OpenApiResponse, OpenApiTypes, extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view, parser_classes, permission_classes
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from identity.api_auth import IsPlatformAdmin
from kernel.errors import InvalidInput, NotAllowed, NotFound
from kernel.openapi import error_responses
from kernel.request_json import JsonParser
from kernel.strict_input import refuse_unknown_fields
from knowledge import answers
from knowledge import serializers as s
from knowledge.answer_settings import AnswerSettings
from knowledge.models import Document
from knowledge.retrieval import Filters
from knowledge.services import (
    Upload,
    create_knowledge_base,
    delete_document,
    delete_knowledge_base,
    document_of,
    set_answer_settings,
    share_knowledge_base,
    upload_documents,
)
from knowledge.stores import Located, find_knowledge_base, knowledge_bases_of, opened
from tenants.models import Role, Tenant

TAGS = ["knowledge"]
OBJECT = OpenApiTypes.OBJECT
# Searching embeds the query, answering calls a chat model: the gateway's refusals apply.
MODEL_CALL_ERRORS = error_responses(410, 429)


def _tenant(request: Request) -> Tenant:
    return request._request.tenant  # type: ignore[attr-defined, no-any-return]


def _body(request: Request, shape: type[serializers.Serializer]) -> dict[str, Any]:  # type: ignore[type-arg]
    """The JSON object body, with no field that `shape` (its schema) does not name."""
    if not isinstance(request.data, dict):
        raise InvalidInput("The request body must be a JSON object.")
    refuse_unknown_fields(request.data, list(shape().fields))
    return dict(request.data)


def _text(body: dict[str, Any], name: str) -> str:
    value = body.get(name, "")
    if not isinstance(value, str):
        raise InvalidInput(f"{name}: a string, not {type(value).__name__}.", param=name)
    return value


def _require_admin(request: Request) -> None:
    if not request.user.has_role(Role.ADMIN):
        raise NotAllowed("Only this tenant's administrators may change knowledge bases.")


def knowledge_base_data(located: Located) -> dict[str, Any]:
    kb = located.kb
    with opened(located):
        counts = Document.objects.filter(knowledge_base=kb).aggregate(
            total=Count("id"),
            ready=Count("id", filter=Q(status="ready")),
            failed=Count("id", filter=Q(status="failed")),
        )
    return {
        "id": str(kb.pk), "name": kb.name, "description": kb.description,
        "isolation": kb.isolation, "embedding_model": kb.embedding_model,
        "chunking": kb.chunking, "writable": located.writable, "documents": counts["total"],
        "documents_ready": counts["ready"], "documents_failed": counts["failed"],
        "answering": AnswerSettings.from_dict(kb.answering).as_dict(),
        "created_at": kb.created_at.isoformat(),
    }  # fmt: skip


def document_data(document: Document) -> dict[str, Any]:
    return {
        "id": str(document.pk), "filename": document.filename, "size": document.size,
        "media_type": document.media_type, "status": document.status,
        "failure": document.failure, "progress": document.progress,
        "chunks_total": document.chunks_total, "chunks_embedded": document.chunks_embedded,
        "tags": document.tags, "dated": document.dated.isoformat() if document.dated else None,
        "uploaded_by": document.uploaded_by, "created_at": document.created_at.isoformat(),
    }  # fmt: skip


@extend_schema(methods=["GET"], operation_id="knowledge_bases_list", responses=OBJECT, tags=TAGS)
@extend_schema(
    methods=["POST"],
    request=s.NewKnowledgeBaseSerializer,
    responses={201: OBJECT, **error_responses(404, 409, 410)},
    tags=TAGS,
)
@api_view(["GET", "POST"])
def knowledge_bases(request: Request) -> Response:
    """GET: the tenant's knowledge bases (and pooled ones shared with it). POST {name,
    isolation: siloed|pooled, embedding_model, chunking: {kind: fixed|recursive|hierarchical,
    ...}, description}: a new one (tenant administrators)."""
    tenant = _tenant(request)
    if request.method == "GET":
        listed = [knowledge_base_data(located) for located in knowledge_bases_of(tenant)]
        return Response({"object": "list", "data": listed})
    _require_admin(request)
    body = _body(request, s.NewKnowledgeBaseSerializer)
    located = create_knowledge_base(
        tenant=tenant, name=_text(body, "name"), isolation=_text(body, "isolation"),
        embedding_model=_text(body, "embedding_model"), chunking=body.get("chunking"),
        description=_text(body, "description"), actor=str(request.user.name),
        answering=body.get("answering"),
    )  # fmt: skip
    return Response(knowledge_base_data(located), status=201)


@extend_schema(methods=["GET"], responses=OBJECT, tags=TAGS)
@extend_schema(
    methods=["PATCH"],
    request=s.KnowledgeBaseChangeSerializer,
    responses={200: OBJECT, **error_responses(404)},
    tags=TAGS,
)
@extend_schema(methods=["DELETE"], responses={204: None}, tags=TAGS)
@api_view(["GET", "PATCH", "DELETE"])
@parser_classes([JsonParser])
def knowledge_base(request: Request, kb_id: str) -> Response:
    """GET: the knowledge base. PATCH {answering: {min_relevance, rerank_model,
    rerank_top_n}}: how it answers (administrators). DELETE: it and all its documents."""
    located = find_knowledge_base(_tenant(request), kb_id)
    if request.method == "DELETE":
        _require_admin(request)
        delete_knowledge_base(located=located, actor=str(request.user.name))
        return Response(status=204)
    if request.method == "PATCH":
        _require_admin(request)
        body = _body(request, s.KnowledgeBaseChangeSerializer)
        set_answer_settings(located=located, answering=body.get("answering"),
                            actor=str(request.user.name))  # fmt: skip
    return Response(knowledge_base_data(located))


def _dated(raw: Any) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        raise InvalidInput("dated: a date as YYYY-MM-DD.") from None


@extend_schema(
    methods=["GET"], operation_id="knowledge_base_documents_list", responses=OBJECT, tags=TAGS
)
@extend_schema(
    methods=["POST"],
    request={"multipart/form-data": s.UploadSerializer},
    responses={
        202: OpenApiResponse(OBJECT, description="At least one file accepted (queued)."),
        400: OpenApiResponse(OBJECT, description="No file accepted: each one's refusal."),
    },
    tags=TAGS,
)
@api_view(["GET", "POST"])
@parser_classes([MultiPartParser, FormParser])
def documents(request: Request, kb_id: str) -> Response:
    """GET: the documents with their state. POST (multipart): one or more `file` parts, optional
    `tags` (comma-separated) and `dated`; each file is accepted (202, queued) or refused with
    its reason, on its own."""
    located = find_knowledge_base(_tenant(request), kb_id)
    if request.method == "GET":
        with opened(located):
            listed = [document_data(d) for d in Document.objects.filter(knowledge_base=located.kb)]
        return Response({"object": "list", "data": listed})
    _require_admin(request)  # members read and search; administrators upload (as on the pages)
    refuse_unknown_fields(request.data, ["file", "tags", "dated"], repeatable=["file"])
    files = request.FILES.getlist("file")
    if not files:
        raise InvalidInput("file: attach one or more files as multipart parts named 'file'.")
    tags = [t.strip() for t in str(request.data.get("tags", "")).split(",") if t.strip()]
    outcomes = upload_documents(
        located=located, uploads=[Upload(f.name or "unnamed", f.read()) for f in files],
        principal=request.user, tags=tags, dated=_dated(request.data.get("dated")),  # type: ignore[arg-type]
    )  # fmt: skip
    data = [
        {"filename": o.filename, "accepted": o.document is not None, "refusal": o.refusal,
         "document": document_data(o.document) if o.document else None}
        for o in outcomes
    ]  # fmt: skip
    status = 202 if any(o.document for o in outcomes) else 400
    return Response({"object": "list", "data": data}, status=status)


@extend_schema(methods=["GET"], responses=OBJECT, tags=TAGS)
@extend_schema(methods=["DELETE"], responses={204: None}, tags=TAGS)
@api_view(["GET", "DELETE"])
def document(request: Request, kb_id: str, document_id: str) -> Response:
    located = find_knowledge_base(_tenant(request), kb_id)
    if request.method == "DELETE":
        _require_admin(request)
        delete_document(located=located, document_id=document_id, actor=str(request.user.name))
        return Response(status=204)
    with opened(located):
        return Response(document_data(document_of(located, document_id)))


@extend_schema(
    request=s.RetrieveSerializer, responses={200: OBJECT, **MODEL_CALL_ERRORS}, tags=TAGS
)
@api_view(["POST"])
@parser_classes([JsonParser])
def retrieve_view(request: Request, kb_id: str) -> Response:
    """{query, top_k (1-50, default 5), mode: vector|hybrid, filters: {document_ids, tags,
    dated_from, dated_to}}: the best-matching chunks with their document and score. The query
    is read by the tenant's input guardrails (masked or refused) before it is embedded."""
    located = find_knowledge_base(_tenant(request), kb_id)
    body = _body(request, s.RetrieveSerializer)
    hits = answers.search(
        located, query=body.get("query", ""), principal=request.user,  # type: ignore[arg-type]
        top_k=body.get("top_k", 5), mode=body.get("mode", "vector"),
        filters=Filters.from_dict(body.get("filters")),
    )  # fmt: skip
    return Response({"object": "list", "data": [hit.as_dict() for hit in hits]})


@extend_schema(
    request=s.RetrieveAndGenerateSerializer,
    responses={200: OBJECT, **MODEL_CALL_ERRORS},
    tags=TAGS,
)
@api_view(["POST"])
@parser_classes([JsonParser])
def retrieve_and_generate(request: Request, kb_id: str) -> Response:
    """{query, model, top_k, mode, filters, max_tokens}: an answer from the knowledge base's
    passages, with citations (document, chunk, score)."""
    located = find_knowledge_base(_tenant(request), kb_id)
    body = _body(request, s.RetrieveAndGenerateSerializer)
    reply = answers.answer(
        located, query=body.get("query", ""), model=body.get("model", ""),
        principal=request.user, top_k=body.get("top_k", 4),  # type: ignore[arg-type]
        mode=body.get("mode", "hybrid"), filters=Filters.from_dict(body.get("filters")),
        max_tokens=body.get("max_tokens", 256),
    )  # fmt: skip
    return Response(reply)


@extend_schema(request=s.ShareSerializer, responses={201: OBJECT}, tags=TAGS)
@api_view(["POST"])
@permission_classes([IsPlatformAdmin])
@parser_classes([JsonParser])
def shares(request: Request, kb_id: str) -> Response:
    """Platform administrators: {tenant: slug} may read this pooled knowledge base."""
    located = find_knowledge_base(_tenant(request), kb_id)
    slug = _text(_body(request, s.ShareSerializer), "tenant")
    other = Tenant.objects.filter(slug=slug).exclude(schema_name="public").first()
    if other is None:
        raise NotFound(f"tenant: no tenant {slug!r}.")
    share_knowledge_base(located=located, with_tenant=other, actor=str(request.user.name))
    return Response(knowledge_base_data(located), status=201)
