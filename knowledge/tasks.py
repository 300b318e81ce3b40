"""Ingestion as a tenant-aware Celery task: it runs in the schema of the tenant that uploaded."""

from __future__ import annotations

from celery import shared_task
from django.db import connection

from knowledge.ingestion import ingest
from knowledge.stores import find_knowledge_base
from portal.errors import NotFound


@shared_task(name="knowledge.ingest_document", acks_late=True, reject_on_worker_lost=True)
def ingest_document_task(knowledge_base_id: str, document_id: str) -> None:
    tenant = connection.tenant
    try:
        located = find_knowledge_base(tenant, knowledge_base_id)
    except NotFound:
        return  # the knowledge base was deleted meanwhile
    ingest(located, document_id)
