"""A worker killed in the middle of a document: beat's resumption (one task per tenant) finds it,
the ingestion resumes where it stopped, and the knowledge base ends with every chunk exactly
once."""

from __future__ import annotations

import os
import signal

import pytest

from knowledge.models import Chunk, Document
from knowledge.services import Upload, upload_documents
from knowledge.stores import Located, opened
from knowledge.tasks import resume_stalled_documents
from tests.celery_workers import start_worker, wait_for
from tests.knowledge.conftest import in_small_chunks, knowledge_base, member_of

pytestmark = pytest.mark.django_db(transaction=True)


def document_state(located: Located, document_id: object) -> Document:
    with opened(located):
        return Document.objects.get(pk=document_id)


def test_a_killed_worker_resumes_without_duplicates(make_tenant, handbook) -> None:
    acme = make_tenant("acme")
    located = knowledge_base(acme)
    in_small_chunks(located)
    big = b"\n\n".join(handbook.replace(b"Riverside", f"Riverside {n}".encode())
                       for n in range(40))  # fmt: skip
    first = start_worker("doomed")
    try:
        (outcome,) = upload_documents(located=located, uploads=[Upload("big.md", big)],
                                      principal=member_of(acme))  # fmt: skip
        document_id = outcome.document.pk  # type: ignore[union-attr]
        wait_for(lambda: document_state(located, document_id).chunks_embedded >= 64)
    finally:
        os.killpg(first.pid, signal.SIGKILL)  # mid-document, no chance to clean up
        first.wait(10)
    halfway = document_state(located, document_id)
    assert halfway.status == "embedding"
    assert 0 < halfway.chunks_embedded < halfway.chunks_total

    second = start_worker("rescuer")
    try:
        # As beat sends it: no tenant, so the dispatcher runs in public and queues one task per
        # tenant, in that tenant's schema; acme's finds its one stalled document.
        dispatched = resume_stalled_documents.delay(stalled_seconds=0)
        assert dispatched.get(timeout=60) == 1
        (of_acme,) = dispatched.children
        assert of_acme.get(timeout=60) == 1
        done = wait_for(lambda: (d := document_state(located, document_id)).status == "ready"
                        and d)  # fmt: skip
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        second.wait(30)
    with opened(located):
        chunks = Chunk.objects.filter(document_id=document_id, is_parent=False)
        indexes = list(chunks.values_list("index", flat=True))
        assert len(indexes) == len(set(indexes)) == done.chunks_total == done.chunks_embedded
        assert not chunks.filter(embedding__isnull=True).exists()
