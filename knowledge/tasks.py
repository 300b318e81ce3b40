"""Ingestion as tenant-aware Celery tasks: each runs in the schema of the tenant that uploaded."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from celery import shared_task
from django.conf import settings
from django.db import connection
from django.utils import timezone

from kernel.errors import NotFound
from knowledge.ingestion import ingest
from knowledge.models import Document
from knowledge.stores import find_knowledge_base
from tenants.models import Tenant
from tenants.schemas import in_public_schema, in_tenant_schema
from tenants.selectors import customer_tenants

logger = logging.getLogger("atrium.knowledge")
UNFINISHED = ("queued", "extracting", "chunking", "embedding")


@shared_task(name="knowledge.ingest_document", acks_late=True, reject_on_worker_lost=True)
def ingest_document_task(knowledge_base_id: str, document_id: str) -> None:
    tenant = connection.tenant
    try:
        located = find_knowledge_base(tenant, knowledge_base_id)
    except NotFound:
        return  # the knowledge base was deleted meanwhile
    ingest(located, document_id)


def _stalled(before: datetime) -> list[tuple[int | None, str, str]]:
    """(owner tenant, knowledge base, document) of unfinished documents untouched since."""
    rows = Document.objects.filter(status__in=UNFINISHED, updated_at__lt=before)
    return [(d.tenant_id, str(d.knowledge_base_id), str(d.pk)) for d in rows]


@shared_task(name="knowledge.resume_stalled_documents")
def resume_stalled_documents(stalled_seconds: int | None = None) -> int:
    """Queue again the documents whose ingestion stopped (a worker killed, a lost message):
    ingestion resumes where it stopped, without duplicate chunks."""
    seconds = settings.KNOWLEDGE_STALLED_SECONDS if stalled_seconds is None else stalled_seconds
    before = timezone.now() - timedelta(seconds=seconds)
    found: list[tuple[int | None, str, str]] = []
    for tenant in customer_tenants():
        with in_tenant_schema(tenant):
            found += _stalled(before)
    with in_public_schema():
        found += _stalled(before)
    owners = {t.pk: t for t in Tenant.objects.filter(pk__in={owner for owner, _, _ in found})}
    for owner, kb_id, document_id in found:
        tenant = owners.get(owner)  # type: ignore[arg-type]
        if tenant is None:
            continue
        logger.warning("resuming the ingestion of document %s", document_id)
        with in_tenant_schema(tenant):
            ingest_document_task.delay(kb_id, document_id)
    return len(found)
