"""Writes to knowledge bases: create, upload (each file accepted or refused on its own), delete.
Ingestion itself runs in Celery (`knowledge.ingestion`)."""

from __future__ import annotations

import hashlib
import logging
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

import redis
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from kombu.exceptions import KombuError

from audit.services import record_audit
from gateway.calls import resolve
from identity.principals import Principal
from kernel.errors import Conflict, InvalidInput, NotFound
from knowledge.answer_settings import AnswerSettings
from knowledge.chunking import ChunkingStrategy
from knowledge.extraction import MAX_FILE_BYTES, UnsupportedType, declared_type
from knowledge.models import Document, KnowledgeBase, KnowledgeShare
from knowledge.search_indexes import create_search_index, drop_search_index
from knowledge.stores import Located, opened, store_of
from models_catalog.models import Modality
from tenants.models import Tenant
from tenants.schemas import in_tenant_schema

logger = logging.getLogger("atrium.knowledge")

INDEXED_SIZES = (384, 768, 1024)  # vector sizes an HNSW index takes (knowledge.search_indexes)


def create_knowledge_base(
    *, tenant: Tenant, name: str, isolation: str, embedding_model: str,
    chunking: dict[str, Any] | None, description: str = "", actor: str,
    answering: dict[str, Any] | None = None,
) -> Located:  # fmt: skip
    """A new knowledge base of `tenant`, embedded with a model the tenant may use."""
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise InvalidInput("name: give the knowledge base a name of 1 to 120 characters.")
    if isolation not in KnowledgeBase.Isolation.values:
        raise InvalidInput("isolation: 'siloed' (the tenant's own schema) or 'pooled'.")
    entry = resolve(tenant, embedding_model, Modality.EMBEDDING).entry
    size = entry.embedding_dimensions
    if size not in INDEXED_SIZES:
        raise InvalidInput(
            f"embedding_model: {embedding_model} makes {size}-dimensional vectors; knowledge "
            f"bases index {', '.join(map(str, INDEXED_SIZES))}."
        )
    try:
        # Not given: the default. Given empty ({}, []): refused, as any other wrong value.
        strategy = ChunkingStrategy.from_dict(
            {"kind": "recursive"} if chunking is None else chunking
        )
    except ValueError as error:
        raise InvalidInput(f"chunking: {error}") from None
    settings = _answer_settings(tenant, answering)
    taken = Conflict(f"name: {tenant.name} already has a knowledge base called {name!r}.")
    try:
        with store_of(tenant, isolation) as schema, transaction.atomic():
            if KnowledgeBase.objects.filter(name=name).exists():
                raise taken
            kb = KnowledgeBase.objects.create(
                tenant_id=tenant.pk, name=name, description=description, isolation=isolation,
                embedding_model=entry.name, embedding_dimensions=size,
                chunking=strategy.as_dict(), answering=settings.as_dict(), created_by=actor,
            )  # fmt: skip
    except IntegrityError as error:  # the same name, created by someone else at that moment
        if _violated(error) != "unique_kb_name":
            raise
        raise taken from None
    # After the commit: concurrently, so other knowledge bases' writes to the table go on.
    create_search_index(schema=schema, kb_id=kb.pk, dimensions=size)
    record_audit(actor=actor, action="knowledge_base.create", target=kb, tenant=tenant,
                 after={"name": name, "isolation": isolation, "model": entry.name})  # fmt: skip
    return Located(kb, tenant, schema, True)


def _answer_settings(tenant: Tenant, raw: dict[str, Any] | None) -> AnswerSettings:
    try:
        settings = AnswerSettings.from_dict(raw)
    except (TypeError, ValueError) as error:
        field = str(error).split(":", 1)[0] if ":" in str(error) else ""
        raise InvalidInput(
            f"answering.{error}", param=f"answering.{field}" if field else "answering"
        ) from None
    if settings.rerank_model:  # a rerank model this tenant may use now (404/403 otherwise)
        resolve(tenant, settings.rerank_model, Modality.RERANK)
    return settings


def set_answer_settings(*, located: Located, answering: Any, actor: str) -> None:
    """Change how a knowledge base answers (citation threshold, re-ranking); the knowledge
    base's version moves on, so answers cached under the old settings are not served."""
    located.require_writable()
    current = AnswerSettings.from_dict(located.kb.answering).as_dict()
    if not isinstance(answering, dict):
        raise InvalidInput("answering: an object with min_relevance, rerank_model, rerank_top_n.")
    settings = _answer_settings(located.tenant, {**current, **answering})
    with opened(located):
        KnowledgeBase.objects.filter(pk=located.kb.pk).update(
            answering=settings.as_dict(), version=F("version") + 1
        )
        located.kb.refresh_from_db(fields=["answering", "version"])
    record_audit(actor=actor, action="knowledge_base.answering", target=located.kb,
                 tenant=located.tenant, before=current, after=settings.as_dict())  # fmt: skip


def delete_knowledge_base(*, located: Located, actor: str) -> None:
    """Delete a knowledge base, its documents, chunks and search index."""
    located.require_writable()
    kb_id = located.kb.pk  # delete() forgets it
    with opened(located):
        located.kb.delete()
    drop_search_index(schema=located.schema_name, kb_id=kb_id)
    record_audit(actor=actor, action="knowledge_base.delete", target=located.kb,
                 tenant=located.tenant, before={"name": located.kb.name})  # fmt: skip


def share_knowledge_base(*, located: Located, with_tenant: Tenant, actor: str) -> None:
    """Platform administrators: let another tenant read a pooled knowledge base."""
    if not located.pooled:
        raise InvalidInput("Only pooled knowledge bases can be shared; siloed ones stay home.")
    if with_tenant.pk == located.kb.tenant_id:
        raise InvalidInput(f"{with_tenant.name} owns this knowledge base already.")
    with opened(located):
        KnowledgeShare.objects.grant(located.kb, with_tenant.pk, created_by=actor)
    record_audit(actor=actor, action="knowledge_base.share", target=located.kb,
                 tenant=located.tenant, after={"shared_with": with_tenant.slug})  # fmt: skip


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes


@dataclass(frozen=True)
class UploadOutcome:
    filename: str
    document: Document | None  # None: refused
    refusal: str = ""


def _violated(error: IntegrityError) -> str:
    """The name of the constraint `error` reports ("" if it names none)."""
    diagnostics = getattr(error.__cause__, "diag", None)
    return getattr(diagnostics, "constraint_name", None) or ""


def _refusal(located: Located, upload: Upload, digest: str) -> str:
    try:  # the same reading of the name as the extraction's, so what is accepted is read
        declared_type(upload.filename)
    except UnsupportedType as unsupported:
        return f"{upload.filename}: {unsupported}"
    if not upload.data:
        return f"{upload.filename}: the file is empty."
    # Never more than the extraction reads, whatever the setting says.
    limit = min(settings.KNOWLEDGE_MAX_UPLOAD_BYTES, MAX_FILE_BYTES)
    if len(upload.data) > limit:
        return (
            f"{upload.filename}: {len(upload.data) / 1e6:.1f} MB is over the limit of "
            f"{limit / 1e6:.0f} MB per file: split it or compress its images."
        )
    twin = Document.objects.filter(knowledge_base=located.kb, sha256=digest).first()
    if twin is not None and twin.status != Document.Status.FAILED:
        return f"{upload.filename}: the same content is already here as {twin.filename}."
    return ""


def upload_documents(
    *, located: Located, uploads: list[Upload], principal: Principal, tags: list[str] | None = None,
    dated: date | None = None,
) -> list[UploadOutcome]:  # fmt: skip
    """Accept each file that can be ingested and queue it; refuse the others, each with its
    reason. One file's refusal never affects the others."""
    from knowledge.tasks import ingest_document_task

    located.require_writable()
    outcomes = []
    with opened(located):
        for upload in uploads:
            digest = hashlib.sha256(upload.data).hexdigest()
            refusal = _refusal(located, upload, digest)
            if refusal:
                outcomes.append(UploadOutcome(upload.filename, None, refusal))
                continue
            try:
                with transaction.atomic():
                    # The same content that failed before (a rate limit since lifted, a model
                    # granted since) is uploaded again: it replaces the failed one.
                    Document.objects.filter(
                        knowledge_base=located.kb, sha256=digest, status=Document.Status.FAILED
                    ).delete()
                    document = Document.objects.create(
                        knowledge_base=located.kb, tenant_id=located.tenant.pk,
                        filename=upload.filename[:255], size=len(upload.data), sha256=digest,
                        content=upload.data, tags=tags or [], dated=dated,
                        uploaded_by=principal.name, uploader_type=principal.kind,
                        uploader_id=principal.id, business_unit_id=principal.business_unit_id,
                    )  # fmt: skip
            except IntegrityError as error:  # the same content, uploaded at the same moment
                if _violated(error) != "one_copy_of_a_content_per_kb":
                    raise
                outcomes.append(UploadOutcome(upload.filename, None, f"{upload.filename}: "
                                              "the same content is already here."))  # fmt: skip
                continue
            outcomes.append(UploadOutcome(upload.filename, document))
    for outcome in outcomes:
        if outcome.document is not None:
            document_id = str(outcome.document.pk)
            try:
                with in_tenant_schema(located.tenant):  # the task runs as the uploading tenant
                    ingest_document_task.delay(str(located.kb.pk), document_id)
            except (KombuError, redis.RedisError) as error:
                # Stored and accepted: beat resumes a document left queued, once the broker is
                # back (KNOWLEDGE_STALLED_SECONDS). Refusing it now would refuse its retry too.
                logger.warning("document %s stays queued for beat: %s", document_id, error)
    return outcomes


def document_of(located: Located, document_id: str) -> Document:
    """One document of the knowledge base (inside `opened(located)`), or NotFound."""
    try:
        key = uuid.UUID(str(document_id))
    except ValueError:
        key = None
    # The uploaded bytes (up to the upload limit) are ingestion's: never loaded here.
    documents = Document.objects.filter(knowledge_base=located.kb, pk=key).defer("content")
    found = documents.first() if key else None
    if found is None:
        raise NotFound(f"No document {document_id} in {located.kb.name}.")
    return found


def delete_document(*, located: Located, document_id: str, actor: str) -> None:
    located.require_writable()
    with opened(located), transaction.atomic():
        document_of(located, document_id).delete()
        KnowledgeBase.objects.filter(pk=located.kb.pk).update(version=F("version") + 1)
    record_audit(actor=actor, action="document.delete", target=located.kb,
                 tenant=located.tenant, before={"document": document_id})  # fmt: skip
