"""Knowledge bases, their documents and chunks.

The app is both a shared and a tenant app (django-tenants), so these tables exist twice:
- in each tenant's schema: the tenant's *siloed* knowledge bases (resource-level isolation: another
  tenant's requests never even have that schema on their search path);
- in the public schema: the *pooled* store, where every row carries its tenant and every read goes
  through `PooledRows` (item-level isolation, filtered in one place): in public it answers only
  the rows of the tenant `knowledge.stores` put in context, and raises without one. A pooled
  knowledge base may be the platform's (no tenant) and shared read-only with chosen tenants.
Knowledge bases and documents have UUIDs, unique across both stores.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Q
from pgvector.django import VectorField

from kernel.scoping import NoTenantInContext, TenantScopedManager
from tenants.schemas import in_public_now


@dataclass(frozen=True)
class _InContext:
    tenant_id: int | None  # None: the platform's own rows


# In the public schema `connection.tenant` names no tenant, so the pooled store's tenant travels
# beside it: set by `pooled_rows_of` (through knowledge.stores), read by `PooledRows` only.
_pooled_tenant: ContextVar[_InContext | None] = ContextVar("knowledge_pooled_tenant", default=None)


@contextmanager
def pooled_rows_of(tenant_id: int | None) -> Iterator[None]:
    """Let the queries inside read the pooled store's rows of `tenant_id` (None: the
    platform's), and only those. `knowledge.stores` says whose, next to its schema switch."""
    token = _pooled_tenant.set(_InContext(tenant_id))
    try:
        yield
    finally:
        _pooled_tenant.reset(token)


def _tenant_in_context(model: type[models.Model]) -> _InContext:
    in_context = _pooled_tenant.get()
    if in_context is None:
        raise NoTenantInContext(
            f"Pooled {model.__name__} rows belong to tenants: read them inside "
            "knowledge.stores.opened() or pooled_store_of(), or say .unscoped() where reading "
            "across tenants is intended."
        )
    return in_context


class PooledRows(TenantScopedManager):
    """The one place where knowledge reads are scoped to a tenant. In a tenant's own schema the
    schema is the boundary (siloed rows need no filter, whatever their tenant_id says); in the
    public schema (the pooled store) it fails closed like the kernel's scoped manager, but takes
    the tenant from `pooled_rows_of`, since switching to public leaves no tenant on the
    connection."""

    def get_queryset(self) -> models.QuerySet[Any]:
        if not in_public_now():
            return self.unscoped()
        return self.unscoped().filter(self._of(_tenant_in_context(self.model).tenant_id))

    @staticmethod
    def _of(tenant_id: int | None) -> Q:
        return Q(tenant_id__isnull=True) if tenant_id is None else Q(tenant_id=tenant_id)


class KnowledgeBases(PooledRows):
    """Knowledge bases, plus the one read that crosses tenants on purpose (shares)."""

    def owned_or_shared(self) -> models.QuerySet[Any]:
        """The cross-tenant read of knowledge bases, named: the pooled ones of the tenant in
        context and those another owner shared with it (read-only, `KnowledgeShare`)."""
        tenant_id = _tenant_in_context(self.model).tenant_id
        return self.unscoped().filter(self._of(tenant_id) | Q(shares__tenant_id=tenant_id))


class KnowledgeShares(PooledRows):
    """Shares, scoped to the tenant they were granted to, plus the platform's way to grant one."""

    def grant(self, knowledge_base: KnowledgeBase, tenant_id: int, created_by: str) -> None:
        """Platform administrators let another tenant read a pooled knowledge base: a row of
        that tenant, written on the owner's behalf (so unscoped), once."""
        self.unscoped().get_or_create(
            knowledge_base=knowledge_base, tenant_id=tenant_id, defaults={"created_by": created_by}
        )


class KnowledgeBase(models.Model):
    class Isolation(models.TextChoices):
        SILOED = "siloed", "Siloed (in the tenant's own schema)"
        POOLED = "pooled", "Pooled (shared store, filtered by tenant)"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant_id = models.BigIntegerField(null=True, blank=True, db_index=True)  # None: platform's
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    isolation = models.CharField(max_length=10, choices=Isolation.choices)
    embedding_model = models.CharField(max_length=200)
    embedding_dimensions = models.PositiveSmallIntegerField()
    chunking = models.JSONField()
    # knowledge.answer_settings.AnswerSettings: citation threshold, re-ranking; {}: defaults.
    answering = models.JSONField(default=dict, blank=True)
    version = models.PositiveIntegerField(default=1, help_text="Bumped on every change.")
    created_by = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = KnowledgeBases()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant_id", "name"], nulls_distinct=False, name="unique_kb_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class KnowledgeShare(models.Model):
    """A pooled knowledge base readable (not writable) by another tenant."""

    knowledge_base = models.ForeignKey(
        KnowledgeBase, on_delete=models.CASCADE, related_name="shares"
    )
    tenant_id = models.BigIntegerField(db_index=True)  # the tenant it is shared with
    created_by = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = KnowledgeShares()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["knowledge_base", "tenant_id"], name="unique_share"),
        ]

    def __str__(self) -> str:
        return f"{self.knowledge_base} -> tenant {self.tenant_id}"


class Document(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        EXTRACTING = "extracting", "Extracting text"
        CHUNKING = "chunking", "Chunking"
        EMBEDDING = "embedding", "Embedding"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    knowledge_base = models.ForeignKey(
        KnowledgeBase, on_delete=models.CASCADE, related_name="documents"
    )
    tenant_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    filename = models.CharField(max_length=255)
    media_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    content = models.BinaryField(help_text="The uploaded file, until it is ready.")
    tags = models.JSONField(default=list, blank=True)
    dated = models.DateField(null=True, blank=True, help_text="The document's own date.")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    failure = models.CharField(max_length=500, blank=True)
    chunks_total = models.PositiveIntegerField(default=0)
    chunks_embedded = models.PositiveIntegerField(default=0)
    # Embedding calls that failed (recorded as failed under their request id): the next attempt
    # at a batch is a new call, billed on its own (`ingestion.batch_request_id`).
    failed_embedding_calls = models.PositiveIntegerField(default=0)
    # Who uploaded it: its embedding calls are metered and budgeted as theirs.
    uploaded_by = models.CharField(max_length=200, blank=True)
    uploader_type = models.CharField(max_length=20, default="user")
    uploader_id = models.BigIntegerField(default=0)
    business_unit_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PooledRows()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["knowledge_base", "sha256"], name="one_copy_of_a_content_per_kb"
            ),
        ]

    def __str__(self) -> str:
        return self.filename

    @property
    def progress(self) -> int:
        """Percent done, for the progress bar."""
        steps = {"queued": 0, "extracting": 5, "chunking": 10, "ready": 100, "failed": 100}
        if self.status == self.Status.EMBEDDING and self.chunks_total:
            return 10 + int(90 * self.chunks_embedded / self.chunks_total)
        return steps.get(self.status, 10)


class Chunk(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="chunks")
    knowledge_base = models.ForeignKey(
        KnowledgeBase, on_delete=models.CASCADE, related_name="chunks"
    )
    tenant_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    index = models.PositiveIntegerField()
    text = models.TextField()
    tokens = models.PositiveIntegerField()
    heading = models.CharField(max_length=500, blank=True)
    page = models.PositiveIntegerField(null=True, blank=True)  # PDFs: where the chunk starts
    last_page = models.PositiveIntegerField(null=True, blank=True)  # ... and where it ends
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    is_parent = models.BooleanField(default=False)
    dimensions = models.PositiveSmallIntegerField(null=True, blank=True)
    embedding = VectorField(null=True, blank=True)  # any size; HNSW indexes per size (migration)

    objects = PooledRows()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["document", "index"], name="one_chunk_per_index"),
        ]

    def __str__(self) -> str:
        return f"{self.document_id}#{self.index}"

    @property
    def pages(self) -> str:
        return pages_label(self.page, self.last_page)


def pages_label(first: int | None, last: int | None) -> str:
    """Where a passage lies in its PDF, for people: "page 2", "pages 1-2" (an en dash); ""
    outside PDFs."""
    if first is None:
        return ""
    if last is None or last == first:
        return f"page {first}"
    return f"pages {first}\u2013{last}"
