"""An embedding refused for a while (the model's rate limit) pauses a document's ingestion, which
goes on where it stopped; it fails only when the refusal will not pass. A failed document's
content may be uploaded again."""

from __future__ import annotations

import pytest

from kernel.redis_client import shared_redis
from knowledge.ingestion import EMBED_BATCH, IngestionPaused, ingest, lease_key
from knowledge.models import Chunk, Document
from knowledge.services import Upload, upload_documents
from knowledge.stores import opened
from models_catalog.models import ModelGrant
from tests.knowledge.conftest import (
    EMBEDDINGS,
    in_small_chunks,
    knowledge_base,
    member_of,
    stored_document,
)

pytestmark = pytest.mark.django_db(transaction=True)


def limited(tenant, per_minute: int | None) -> None:  # type: ignore[no-untyped-def]
    grant = ModelGrant.objects.get(tenant=tenant, model__name=EMBEDDINGS)
    grant.requests_per_minute = per_minute
    grant.save()


def test_a_rate_limited_document_waits_then_goes_on(make_tenant, handbook) -> None:
    acme = make_tenant("acme")
    located = knowledge_base(acme)
    in_small_chunks(located)
    document = stored_document(located, handbook * 2)
    limited(acme, 1)  # one embedding call a minute: the second batch must wait

    with pytest.raises(IngestionPaused) as paused:
        ingest(located, str(document.pk))

    assert 1 <= paused.value.seconds <= 60
    with opened(located):
        document.refresh_from_db()
        assert (document.status, document.chunks_embedded) == ("embedding", EMBED_BATCH)
        assert document.chunks_total > EMBED_BATCH
    limited(acme, None)
    ingest(located, str(document.pk))  # the task, queued again for after the wait
    with opened(located):
        document.refresh_from_db()
        assert (document.status, document.failure) == ("ready", "")
        assert not Chunk.objects.filter(document=document, is_parent=False,
                                        embedding__isnull=True).exists()  # fmt: skip


def test_a_document_still_refused_on_its_last_try_fails_and_may_be_uploaded_again(
    make_tenant, handbook
) -> None:
    acme = make_tenant("acme")
    located = knowledge_base(acme)
    in_small_chunks(located)
    content = handbook * 2
    document = stored_document(located, content)
    limited(acme, 1)

    ingest(located, str(document.pk), last_try=True)

    with opened(located):
        document.refresh_from_db()
        assert document.status == "failed"
        assert "Rate limit" in document.failure
    limited(acme, None)
    (again,) = upload_documents(located=located, uploads=[Upload("big.md", content)],
                                principal=member_of(acme))  # fmt: skip
    assert again.document is not None, again.refusal
    with opened(located):
        assert list(Document.objects.values_list("pk", "status")) == [(again.document.pk, "queued")]


def test_a_document_another_run_is_at_work_on_waits_for_it(make_tenant, handbook) -> None:
    """Beat resumes a document whose extraction is slow, or a task is delivered twice: the
    second run waits for the first (each batch would be embedded, and counted, twice)."""
    acme = make_tenant("acme")
    located = knowledge_base(acme)
    document = stored_document(located, handbook)
    key = lease_key(located, str(document.pk))
    shared_redis().set(key, "the other run", ex=60)

    with pytest.raises(IngestionPaused) as paused:  # its task comes back when the lease ends
        ingest(located, str(document.pk))

    assert 50 <= paused.value.seconds <= 60

    with opened(located):
        document.refresh_from_db()
        assert document.status == "queued"
        assert not Chunk.objects.filter(document=document).exists()
    assert shared_redis().get(key) == b"the other run"  # not taken from it either
    shared_redis().delete(key)  # that run is over
    ingest(located, str(document.pk))
    with opened(located):
        document.refresh_from_db()
        assert (document.status, document.chunks_embedded) == ("ready", document.chunks_total)
    assert not shared_redis().exists(key)
