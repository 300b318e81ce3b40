"""Knowledge bases, their documents and chunks.

The app is both a shared and a tenant app (django-tenants), so these tables exist twice:
- in each tenant's schema: the tenant's *siloed* knowledge bases (resource-level isolation: another
  tenant's requests never even have that schema on their search path);
- in the public schema: the *pooled* store, where every row carries its tenant and every read goes
  through `knowledge.stores` (item-level isolation, filtered in one place). A pooled knowledge base
  may be the platform's (no tenant) and shared read-only with chosen tenants.
Knowledge bases and documents have UUIDs, unique across both stores.
"""

from __future__ import annotations

import uuid

from django.db import models
from pgvector.django import VectorField


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
    version = models.PositiveIntegerField(default=1, help_text="Bumped on every change.")
    created_by = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

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
    tenant_id = models.BigIntegerField(db_index=True)
    created_by = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

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
    # Who uploaded it: its embedding calls are metered and budgeted as theirs.
    uploaded_by = models.CharField(max_length=200, blank=True)
    uploader_type = models.CharField(max_length=20, default="user")
    uploader_id = models.BigIntegerField(default=0)
    business_unit_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

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
    page = models.PositiveIntegerField(null=True, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    is_parent = models.BooleanField(default=False)
    dimensions = models.PositiveSmallIntegerField(null=True, blank=True)
    embedding = VectorField(null=True, blank=True)  # any size; HNSW indexes per size (migration)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["document", "index"], name="one_chunk_per_index"),
        ]

    def __str__(self) -> str:
        return f"{self.document_id}#{self.index}"
