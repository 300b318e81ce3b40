"""Pages of a tenant's knowledge bases: the list (with a form to create one), and one knowledge
base with its documents (upload, live state, delete) and a search box. Members read and search;
administrators create, upload and delete. The upload form is a plain multipart POST; with
JavaScript, `knowledge/upload.js` sends the same form by fetch and polls `documents.json`."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from identity.permissions import principal_of, tenant_role_required
from identity.roles import at_least
from kernel.errors import DomainError, InvalidInput, NotFound
from knowledge import answers
from knowledge.api import document_data, knowledge_base_data
from knowledge.extraction import SUPPORTED
from knowledge.models import Document, KnowledgeBase
from knowledge.retrieval import MODES
from knowledge.selectors import document_preview
from knowledge.services import (
    Upload,
    create_knowledge_base,
    delete_document,
    delete_knowledge_base,
    set_answer_settings,
    upload_documents,
)
from knowledge.stores import Located, find_knowledge_base, knowledge_bases_of, opened
from models_catalog.models import Modality
from models_catalog.selectors import usable_models
from tenants.models import Role

NO_SUCH_PAGE = "No such page, or you have no access to it."
DONE = (Document.Status.READY, Document.Status.FAILED)
CHUNKING_KINDS = [
    ("recursive", "Recursive (by headings, paragraphs)"),
    ("fixed", "Fixed windows (overlapping)"),
    ("hierarchical", "Hierarchical (parent sections)"),
]
SEARCH_HITS = 5


def _located(request: HttpRequest, kb_id: str) -> Located:
    try:
        return find_knowledge_base(request.tenant, kb_id)  # type: ignore[attr-defined]
    except NotFound:
        raise Http404(NO_SUCH_PAGE) from None


def _may_change(request: HttpRequest) -> bool:
    return at_least(request.tenant_role, Role.ADMIN)  # type: ignore[attr-defined]


def _require_admin(request: HttpRequest) -> None:
    # Members see no forms to change anything; a forged POST gets the house 404.
    if not _may_change(request):
        raise Http404(NO_SUCH_PAGE)


def _page_url(located: Located) -> str:
    return f"/t/{located.tenant.slug}/knowledge/{located.kb.pk}/"


def _documents(located: Located) -> list[Document]:
    # The uploaded bytes stay in the database until ingestion is done: never load them here.
    with opened(located):
        return list(Document.objects.filter(knowledge_base=located.kb).defer("content"))


def _chunking(form: Any) -> dict[str, Any]:
    chunking: dict[str, Any] = {"kind": form.get("chunking", "recursive")}
    size = form.get("chunk_tokens", "").strip()
    if size:
        try:
            chunking["chunk_tokens"] = int(size)
        except ValueError:
            raise InvalidInput("chunk_tokens: a whole number, or leave it empty.") from None
    return chunking


def _chunking_summary(chunking: dict[str, Any]) -> str:
    summary = f"{chunking['kind'].capitalize()}, {chunking['chunk_tokens']}-token passages"
    if chunking["kind"] == "fixed":
        return f"{summary} overlapping by {chunking['overlap_tokens']}"
    if chunking["kind"] == "hierarchical":
        return f"{summary} in {chunking['parent_tokens']}-token sections"
    return summary


def _tags(raw: str) -> list[str]:
    return [tag.strip() for tag in raw.split(",") if tag.strip()]


@require_http_methods(["GET", "POST"])
@tenant_role_required(Role.MEMBER)
@never_cache
def knowledge_bases_page(request: HttpRequest) -> HttpResponse:
    """The tenant's knowledge bases; administrators create new ones here."""
    tenant = request.tenant  # type: ignore[attr-defined]
    error = None
    if request.method == "POST":
        _require_admin(request)
        try:
            located = create_knowledge_base(
                tenant=tenant, name=request.POST.get("name", ""),
                isolation=request.POST.get("isolation", ""),
                embedding_model=request.POST.get("embedding_model", ""),
                chunking=_chunking(request.POST), description=request.POST.get("description", ""),
                actor=request.user.get_username(),
            )  # fmt: skip
            messages.success(request, f"Created {located.kb.name}: upload its documents below.")
            return redirect(_page_url(located))
        except DomainError as failure:
            error = failure.message
    context = {
        "tenant": tenant,
        "role": request.tenant_role,  # type: ignore[attr-defined]
        "may_change": _may_change(request),
        "knowledge_bases": [knowledge_base_data(located) for located in knowledge_bases_of(tenant)],
        "embedding_models": usable_models(tenant, timezone.now())
        .filter(modality=Modality.EMBEDDING)
        .order_by("name"),
        "isolations": KnowledgeBase.Isolation.choices,
        "chunking_kinds": CHUNKING_KINDS,
        "error": error,
        "form": request.POST if error else None,
    }
    return render(request, "knowledge/list.html", context, status=400 if error else 200)


def _render_detail(
    request: HttpRequest, located: Located, *, status: int = 200, **extra: Any
) -> HttpResponse:
    context = {
        "tenant": located.tenant,
        "role": request.tenant_role,  # type: ignore[attr-defined]
        "kb": knowledge_base_data(located),
        "documents": _documents(located),
        "may_change": _may_change(request) and located.writable,
        "chunking": _chunking_summary(located.kb.chunking),
        "accept": ",".join(sorted(SUPPORTED)),
        "kinds": ", ".join(sorted(extension.lstrip(".") for extension in SUPPORTED)),
        "max_upload": settings.KNOWLEDGE_MAX_UPLOAD_BYTES,
        "modes": MODES,
        "page_url": _page_url(located),
        "rerank_models": usable_models(located.tenant, timezone.now())
        .filter(modality=Modality.RERANK)
        .order_by("name"),
        **extra,
    }
    return render(request, "knowledge/detail.html", context, status=status)


@require_http_methods(["GET", "POST"])
@tenant_role_required(Role.MEMBER)
@never_cache
def knowledge_base_page(request: HttpRequest, kb_id: str) -> HttpResponse:
    """One knowledge base: its settings, documents and search. POST: upload files, or (with
    action=delete) delete the knowledge base; administrators of a writable one only."""
    located = _located(request, kb_id)
    if request.method == "GET":
        return _render_detail(request, located)
    _require_admin(request)
    if request.POST.get("action") == "delete":
        return _delete_knowledge_base(request, located)
    if request.POST.get("action") == "answering":
        return _change_answering(request, located)
    return _upload(request, located)


def _change_answering(request: HttpRequest, located: Located) -> HttpResponse:
    form = request.POST
    try:
        answering = {
            "min_relevance": float(form.get("min_relevance", "")),
            "rerank_model": form.get("rerank_model", ""),
            "rerank_top_n": int(form.get("rerank_top_n", "")),
        }
    except ValueError:
        return _render_detail(request, located, status=400, answering_error=(
            "Minimum relevance is a number from -1 to 1, passages a whole number."))  # fmt: skip
    try:
        set_answer_settings(located=located, answering=answering,
                            actor=request.user.get_username())  # fmt: skip
    except DomainError as failure:
        return _render_detail(request, located, status=400, answering_error=failure.message)
    messages.success(request, "Saved how answers cite.")
    return redirect(_page_url(located))


def _upload(request: HttpRequest, located: Located) -> HttpResponse:
    wants_json = "application/json" in request.headers.get("Accept", "")
    files = request.FILES.getlist("file")
    try:
        if not files:
            raise InvalidInput("file: choose one or more files to upload.")
        outcomes = upload_documents(
            located=located, uploads=[Upload(f.name or "unnamed", f.read()) for f in files],
            principal=principal_of(request), tags=_tags(request.POST.get("tags", "")),
        )  # fmt: skip
    except DomainError as failure:
        if wants_json:
            return JsonResponse({"accepted": [], "refusals": [failure.message]}, status=400)
        return _render_detail(request, located, status=400, refusals=[failure.message])
    accepted = [o.filename for o in outcomes if o.document is not None]
    refusals = [o.refusal for o in outcomes if o.document is None]
    if wants_json:
        return JsonResponse({"accepted": accepted, "refusals": refusals},
                            status=202 if accepted else 400)  # fmt: skip
    if not accepted:
        return _render_detail(request, located, status=400, refusals=refusals)
    messages.success(request, f"Queued {', '.join(accepted)}: each is read, cut and embedded.")
    for refusal in refusals:
        messages.error(request, refusal)
    return redirect(_page_url(located))


def _delete_knowledge_base(request: HttpRequest, located: Located) -> HttpResponse:
    try:
        delete_knowledge_base(located=located, actor=request.user.get_username())
    except DomainError as failure:
        return _render_detail(request, located, status=400, refusals=[failure.message])
    messages.success(request, f"Deleted {located.kb.name}, its documents and their chunks.")
    return redirect(f"/t/{located.tenant.slug}/knowledge/")


@require_GET
@tenant_role_required(Role.MEMBER)
@never_cache
def documents_json(request: HttpRequest, kb_id: str) -> JsonResponse:
    """Each document's state, for the page's progress bars; `done` once none is in progress."""
    listed = [
        {**document_data(document), "status_label": document.get_status_display()}
        for document in _documents(_located(request, kb_id))
    ]
    return JsonResponse({"documents": listed, "done": all(d["status"] in DONE for d in listed)})


@require_GET
@tenant_role_required(Role.MEMBER)
@never_cache
def document_page(request: HttpRequest, kb_id: str, document_id: str) -> HttpResponse:
    """One document: its state and its chunks in order, each with its page range (PDFs) and
    heading, to check how it was cut."""
    located = _located(request, kb_id)
    try:
        preview = document_preview(located, document_id)
    except NotFound:
        raise Http404(NO_SUCH_PAGE) from None
    context = {
        "tenant": located.tenant,
        "kb": knowledge_base_data(located),
        "document": preview.document,
        "chunks": preview.chunks,
        "more": preview.more,
        "page_url": _page_url(located),
    }
    return render(request, "knowledge/document.html", context)


@require_POST
@tenant_role_required(Role.ADMIN)
def delete_document_page(request: HttpRequest, kb_id: str, document_id: str) -> HttpResponse:
    located = _located(request, kb_id)
    try:
        delete_document(located=located, document_id=document_id,
                        actor=request.user.get_username())  # fmt: skip
    except NotFound:
        raise Http404(NO_SUCH_PAGE) from None
    except DomainError as failure:
        messages.error(request, failure.message)
    else:
        messages.success(request, "Deleted the document and its chunks.")
    return redirect(_page_url(located))


@require_GET
@tenant_role_required(Role.MEMBER)
@never_cache
def search_page(request: HttpRequest, kb_id: str) -> HttpResponse:
    """The knowledge base's page with the passages that best match a query."""
    located = _located(request, kb_id)
    search = {"query": request.GET.get("query", ""), "mode": request.GET.get("mode", "vector")}
    try:
        hits = answers.search(located, query=search["query"], principal=principal_of(request),
                              top_k=SEARCH_HITS, mode=search["mode"])  # fmt: skip
    except DomainError as failure:
        return _render_detail(request, located, status=400, search=search,
                              search_error=failure.message)  # fmt: skip
    return _render_detail(request, located, search=search, hits=[hit.as_dict() for hit in hits])
