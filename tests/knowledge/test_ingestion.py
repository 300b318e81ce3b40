"""Ingestion on a real worker, retrieval, and isolation: siloed and pooled."""

from __future__ import annotations

import pytest

from kernel.errors import NotAllowed, NotFound
from knowledge.models import Chunk, Document
from knowledge.retrieval import Filters, retrieve
from knowledge.services import Upload, delete_document, share_knowledge_base, upload_documents
from knowledge.stores import find_knowledge_base, knowledge_bases_of, opened
from tests.knowledge.conftest import ingested, knowledge_base, member_of

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_document_is_ingested_and_retrieved(make_tenant, celery_worker, handbook) -> None:
    acme = make_tenant("acme")
    located = knowledge_base(acme)
    (document,) = ingested(located, {"handbook.md": handbook})
    assert document.status == "ready", document.failure
    assert document.chunks_total == document.chunks_embedded > 5
    assert document.content == b""  # not kept once indexed
    hits = retrieve(located, query="Do you charge late fees?", principal=member_of(acme))
    assert "late fees" in hits[0].text and hits[0].filename == "handbook.md"
    assert hits[0].heading.endswith("Late returns")
    hybrid = retrieve(located, query="petty cash tin receipt", principal=member_of(acme),
                      mode="hybrid", top_k=3)  # fmt: skip
    assert "petty cash" in hybrid[0].text


def test_hierarchical_matches_children_and_returns_parents(make_tenant, celery_worker,
                                                           handbook) -> None:  # fmt: skip
    acme = make_tenant("acme")
    located = knowledge_base(acme, kind="hierarchical")
    ingested(located, {"handbook.md": handbook})
    with opened(located):
        parents = Chunk.objects.filter(knowledge_base=located.kb, is_parent=True).count()
        assert parents and not Chunk.objects.filter(is_parent=True, embedding__isnull=False)
    (hit,) = retrieve(located, query="late fees", principal=member_of(acme), top_k=1)
    with opened(located):
        assert Chunk.objects.get(pk=hit.chunk_id).is_parent


def test_bad_files_fail_alone_and_duplicates_are_refused(make_tenant, celery_worker,
                                                         handbook) -> None:  # fmt: skip
    acme = make_tenant("acme")
    located = knowledge_base(acme)
    documents = ingested(located, {
        "handbook.md": handbook, "broken.pdf": b"%PDF-1.7 not really", "notes.txt": b"Keep calm.",
    })  # fmt: skip
    states = {d.filename: (d.status, d.failure) for d in documents}
    assert states["handbook.md"][0] == states["notes.txt"][0] == "ready"
    assert states["broken.pdf"][0] == "failed" and "PDF" in states["broken.pdf"][1]
    outcomes = upload_documents(located=located, principal=member_of(acme), uploads=[
        Upload("copy.md", handbook), Upload("tool.exe", b"MZ"), Upload("empty.txt", b""),
    ])  # fmt: skip
    refusals = [o.refusal for o in outcomes]
    assert all(o.document is None for o in outcomes)
    assert "already here as handbook.md" in refusals[0]
    assert "not supported" in refusals[1] and "empty" in refusals[2]
    # Nothing of the failed document is served.
    hits = retrieve(located, query="not really", principal=member_of(acme), mode="hybrid")
    assert all(h.filename != "broken.pdf" for h in hits)


def test_deleting_a_document_deletes_its_chunks(make_tenant, celery_worker, handbook) -> None:
    acme = make_tenant("acme")
    located = knowledge_base(acme)
    (document,) = ingested(located, {"handbook.md": handbook})
    delete_document(located=located, document_id=str(document.pk), actor="test")
    with opened(located):
        assert not Chunk.objects.filter(document_id=document.pk).exists()
        assert not Document.objects.filter(pk=document.pk).exists()


def test_filters_narrow_the_documents(make_tenant, celery_worker, handbook) -> None:
    acme = make_tenant("acme")
    located = knowledge_base(acme)
    documents = ingested(located, {"a.md": handbook, "b.txt": b"Late fees: none at all."})
    short = next(d for d in documents if d.filename == "b.txt")
    only = Filters(document_ids=(str(short.pk),))
    hits = retrieve(located, query="late fees", principal=member_of(acme), filters=only)
    assert {h.document_id for h in hits} == {str(short.pk)}


def test_a_siloed_knowledge_base_is_out_of_another_tenants_reach(make_tenant) -> None:
    acme, globex = make_tenant("acme"), make_tenant("globex")
    located = knowledge_base(acme)
    with pytest.raises(NotFound):
        find_knowledge_base(globex, located.kb.pk)
    assert knowledge_bases_of(globex) == []


def test_pooled_items_never_cross_tenants(make_tenant, celery_worker, handbook) -> None:
    acme, globex = make_tenant("acme"), make_tenant("globex")
    ours = knowledge_base(acme, isolation="pooled", name="Ours")
    theirs = knowledge_base(globex, isolation="pooled", name="Theirs")
    ingested(ours, {"ours.txt": b"Our secret: the late fee is zero."})
    ingested(theirs, {"theirs.txt": b"Their secret: the late fee is ninety pounds."})
    hits = retrieve(ours, query="late fee secret", principal=member_of(acme), top_k=10,
                    mode="hybrid")  # fmt: skip
    assert hits and all(h.filename == "ours.txt" for h in hits)
    with pytest.raises(NotFound):
        find_knowledge_base(acme, theirs.kb.pk)
    assert [located.kb.name for located in knowledge_bases_of(acme)] == ["Ours"]

    # Shared read-only by a platform administrator: readable, not writable.
    share_knowledge_base(located=theirs, with_tenant=acme, actor="root")
    shared = find_knowledge_base(acme, theirs.kb.pk)
    assert not shared.writable
    assert retrieve(shared, query="late fee", principal=member_of(acme))[0].filename == "theirs.txt"
    with pytest.raises(NotAllowed):
        upload_documents(located=shared, uploads=[Upload("x.txt", b"x")],
                         principal=member_of(acme))  # fmt: skip
