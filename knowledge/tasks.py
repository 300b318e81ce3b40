"""Ingestion as tenant-aware Celery tasks: each runs in the schema of the tenant that uploaded,
and refuses to run in public (`TenantTask`). Beat's resumption of stalled documents fans out: a
dispatcher in public queues one task per tenant, so one tenant's backlog never holds up
another's. A resumed document is queued once: not again while that task waits for a worker."""

from __future__ import annotations

import contextlib
import logging
from datetime import datetime, timedelta

import redis
from celery import shared_task
from django.conf import settings
from django.db import connection
from django.utils import timezone

from kernel.errors import NotFound
from kernel.redis_client import shared_redis
from kernel.redis_keys import tenant_key
from kernel.tenant_tasks import TenantTask
from knowledge.ingestion import MAX_PAUSES, DocumentBusy, IngestionPaused, ingest
from knowledge.models import Document
from knowledge.stores import find_knowledge_base, pooled_store_of
from tenants.schemas import queue_in_every_tenant

logger = logging.getLogger("atrium.knowledge")
UNFINISHED = ("queued", "extracting", "chunking", "embedding")


@shared_task(
    name="knowledge.ingest_document", base=TenantTask, acks_late=True, reject_on_worker_lost=True
)
def ingest_document_task(knowledge_base_id: str, document_id: str, pauses: int = 0) -> None:
    """Ingest one uploaded document as the tenant that uploaded it (the schema it was queued in).
    A pause (a rate limit on the embedding model) queues the task again for after the wait."""
    tenant = connection.tenant
    with contextlib.suppress(redis.RedisError):  # started: it may be resumed again if it stalls
        shared_redis().delete(_resumption(tenant.pk, document_id))
    try:
        located = find_knowledge_base(tenant, knowledge_base_id)
    except NotFound:
        return  # the knowledge base was deleted meanwhile
    try:
        ingest(located, document_id, last_try=pauses >= MAX_PAUSES)
    except IngestionPaused as paused:
        logger.warning("document %s waits %d s: %s", document_id, paused.seconds, paused)
        counted = 0 if isinstance(paused, DocumentBusy) else 1
        if counted == 0:  # this task comes back for it: beat need not queue another meanwhile
            with contextlib.suppress(redis.RedisError):
                shared_redis().set(_resumption(tenant.pk, document_id), 1, ex=paused.seconds + 60)
        ingest_document_task.apply_async(
            (knowledge_base_id, document_id, pauses + counted), countdown=paused.seconds
        )


def _stalled(before: datetime) -> list[tuple[str, str]]:
    """(knowledge base, document) of the unfinished documents untouched since `before`, in the
    active store (the queryset is built here, inside it, so the pooled store's scope applies)."""
    rows = Document.objects.filter(status__in=UNFINISHED, updated_at__lt=before)
    return [(str(d.knowledge_base_id), str(d.pk)) for d in rows]


@shared_task(name="knowledge.resume_stalled_documents")
def resume_stalled_documents(stalled_seconds: int | None = None) -> int:
    """Beat's dispatcher (in public): one `resume_stalled_documents_of_tenant` per tenant, each
    in that tenant's schema; answers how many were queued."""
    return queue_in_every_tenant(resume_stalled_documents_of_tenant, stalled_seconds)


@shared_task(name="knowledge.resume_stalled_documents_of_tenant", base=TenantTask)
def resume_stalled_documents_of_tenant(stalled_seconds: int | None = None) -> int:
    """Queue again this tenant's documents whose ingestion stopped (a worker killed, a lost
    message), siloed and pooled: ingestion resumes where it stopped, without duplicate chunks.
    Answers how many were queued."""
    seconds = settings.KNOWLEDGE_STALLED_SECONDS if stalled_seconds is None else stalled_seconds
    before = timezone.now() - timedelta(seconds=seconds)
    found = _stalled(before)  # its own schema: the siloed knowledge bases
    with pooled_store_of(connection.tenant):
        found += _stalled(before)  # its rows of the pooled store
    queued = 0
    for kb_id, document_id in found:
        # Once per stall: not again while the queued task waits for a busy worker (a lost one is
        # queued again when the mark expires).
        key = _resumption(connection.tenant.pk, document_id)
        if not shared_redis().set(key, 1, nx=True, ex=max(3 * seconds, 60)):
            continue
        logger.warning("resuming the ingestion of document %s", document_id)
        ingest_document_task.delay(kb_id, document_id)
        queued += 1
    return queued


def _resumption(tenant_id: int, document_id: str) -> str:
    return tenant_key(tenant_id, "ingest-resumed", document_id)
