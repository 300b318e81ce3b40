"""Ingestion after a crash bills each batch once, and beat resumes a stalled document once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from knowledge.ingestion import EMBED_BATCH, IngestionPaused, ingest
from knowledge.models import Chunk, Document
from knowledge.services import create_knowledge_base
from knowledge.stores import opened
from knowledge.tasks import resume_stalled_documents_of_tenant
from metering.models import UsageEvent
from metering.usage_queue import record_queued_usage
from models_catalog.models import FoundationModel, Provider
from models_catalog.services.access import grant_model
from models_catalog.services.catalog import set_price
from portal.celery import app as celery_app
from tests.gateway.upstreams import Upstream
from tests.knowledge.conftest import in_small_chunks, knowledge_base, stored_document

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_batch_billed_before_a_crash_is_billed_once(make_tenant, handbook) -> None:
    acme = make_tenant("acme")
    located = knowledge_base(acme)
    in_small_chunks(located)
    content = handbook * 2
    document = stored_document(located, content)
    ingest(located, str(document.pk))
    record_queued_usage()
    events = UsageEvent.objects.unscoped().filter(tenant_id=acme.pk, operation="embeddings")
    batches = events.count()
    with opened(located):
        chunks = Chunk.objects.filter(document=document, is_parent=False).order_by("-index")
        assert batches == -(-chunks.count() // EMBED_BATCH) >= 2
        # A worker killed after the last batch was embedded and billed, before its vectors
        # were saved:
        last = chunks.count() % EMBED_BATCH or EMBED_BATCH
        Chunk.objects.filter(pk__in=[c.pk for c in chunks[:last]]).update(embedding=None)
        Document.objects.filter(pk=document.pk).update(status="embedding", content=content)

    ingest(located, str(document.pk))  # the redelivered task

    record_queued_usage()
    assert events.count() == batches
    with opened(located):
        assert Document.objects.get(pk=document.pk).status == "ready"
        assert not chunks.filter(embedding__isnull=True).exists()


def test_a_stalled_document_is_queued_once_while_its_task_waits(make_tenant) -> None:
    acme = make_tenant("acme")
    located = knowledge_base(acme)
    document = stored_document(located, b"# Notes\n\nSome text.")
    with opened(located):
        Document.objects.filter(pk=document.pk).update(
            status="embedding", updated_at=timezone.now() - timedelta(hours=1)
        )
    try:
        with tenant_context(acme):  # as a worker runs it; no worker is free for what it queues
            queued = [resume_stalled_documents_of_tenant(stalled_seconds=600) for _ in range(3)]
        assert queued == [1, 0, 0]
    finally:
        celery_app.control.purge()  # the queued task: no worker in this test


def test_a_batch_that_failed_once_is_billed_when_it_is_answered(
    request, make_tenant, handbook, settings
) -> None:
    """The first call for a batch failed (recorded as failed, under its request id); the call
    that answers it is another call, billed under an id of its own, not dropped as a repeat."""
    settings.GATEWAY_RETRIES = 0
    upstream = Upstream()
    request.addfinalizer(upstream.server.shutdown)
    upstream.embedding = [0.05] * 384
    upstream.status, upstream.failures_left = 503, 1
    provider = Provider.objects.create(name="embed-up", kind="openai_compatible",
                                       endpoint_url=upstream.url)  # fmt: skip
    model = FoundationModel.objects.create(
        name="up-embed", provider=provider, provider_model_id="up-embed", display_name="e",
        modality="embedding", embedding_dimensions=384,
    )  # fmt: skip
    set_price(model=model, input_per_million="5000", output_per_million="0", currency="USD",
              effective_from=timezone.now() - timedelta(days=1), actor="test")  # fmt: skip
    acme = make_tenant("acme")
    grant_model(model_name="up-embed", tenants=[acme], actor="test")
    located = create_knowledge_base(
        tenant=acme, name="Up", isolation="siloed", embedding_model="up-embed", chunking=None,
        actor="test",
    )  # fmt: skip
    document = stored_document(located, handbook)

    with pytest.raises(IngestionPaused):
        ingest(located, str(document.pk))  # the provider failed: the task waits, then goes on
    ingest(located, str(document.pk))

    record_queued_usage()
    events = UsageEvent.objects.unscoped().filter(tenant_id=acme.pk, operation="embeddings")
    statuses = sorted(events.values_list("status", flat=True))
    assert statuses.count("error") == 1 and set(statuses) == {"error", "ok"}
    assert all(event.cost > 0 for event in events.filter(status="ok"))
    with opened(located):
        assert Document.objects.get(pk=document.pk).status == "ready"
