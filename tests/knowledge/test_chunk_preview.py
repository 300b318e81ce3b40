"""A document's page previews its chunks in order, with the pages each one spans: a PDF's
passage that runs over a page break says "pages 1-2" (with an en dash), not "page 1" (issue #18)."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client
from fpdf import FPDF

from knowledge.chunking import ChunkingStrategy, chunk
from knowledge.extraction import extract
from knowledge.retrieval import retrieve
from tests.knowledge.conftest import ingested, knowledge_base, member_of

RULE = "Sentence {} about the lending rules of the library, which members read before borrowing."


def pdf_of(pages: list[list[str]]) -> bytes:
    """A PDF with a text layer, one list of paragraphs per page."""
    document = FPDF()
    document.set_font("helvetica", size=11)
    for paragraphs in pages:
        document.add_page()
        for paragraph in paragraphs:
            document.multi_cell(0, 6, paragraph)
            document.ln(4)
    return bytes(document.output())


def three_passages() -> bytes:
    """Page 1: one short paragraph; page 2: enough text for two more 200-token passages."""
    rules = [RULE.format(number) for number in range(30)]
    return pdf_of([
        ["The tool library lends drills to members."],
        [" ".join(rules[:15]), " ".join(rules[15:])],
    ])  # fmt: skip


def test_a_passage_over_a_page_break_names_both_pages() -> None:
    two_pages = pdf_of([["The tool library lends drills to members."],
                        ["Returns are due within seven days."]])  # fmt: skip
    (only,) = chunk(extract("rules.pdf", two_pages), ChunkingStrategy("recursive"))
    assert (only.page, only.last_page) == (1, 2)

    pieces = chunk(extract("rules.pdf", three_passages()), ChunkingStrategy("recursive"))
    assert [(piece.page, piece.last_page) for piece in pieces] == [(1, 2), (2, 2), (2, 2)]


def test_other_formats_have_no_pages() -> None:
    (only,) = chunk(extract("rules.md", b"# Rules\n\nReturn tools clean."),
                    ChunkingStrategy("recursive"))  # fmt: skip
    assert (only.page, only.last_page) == (None, None)


@pytest.mark.django_db(transaction=True)
def test_the_document_page_previews_its_chunks_with_page_ranges(
    make_tenant, make_user, celery_worker
) -> None:
    acme, globex = make_tenant("acme"), make_tenant("globex")
    located = knowledge_base(acme)
    (document,) = ingested(located, {"rules.pdf": three_passages()})
    assert document.status == "ready"
    member = Client()
    member.force_login(make_user("mo", roles={acme: "member"}))
    kb_page = f"/t/{acme.slug}/knowledge/{located.kb.pk}/"
    listing = member.get(kb_page).content.decode()
    assert f'href="{kb_page}documents/{document.pk}/"' in listing
    assert "passages with similarity &ge; 0.25" in listing  # the answering settings, shown

    shown = member.get(f"{kb_page}documents/{document.pk}/")
    assert shown.status_code == 200
    html = shown.content.decode()
    assert html.count('data-testid="chunk"') == 3
    labels = html.split('data-testid="chunk-pages">')[1:]
    assert [label.split("<", 1)[0] for label in labels] == ["pages 1\u20132", "page 2", "page 2"]
    assert "The tool library lends drills to members." in html and "Sentence 29" in html

    hits = retrieve(located, query="Which tools does the library lend?",
                    principal=member_of(acme), top_k=3)  # fmt: skip
    pages = {hit.as_dict()["pages"] for hit in hits}
    assert pages == {"pages 1\u20132", "page 2"}
    first = next(hit.as_dict() for hit in hits if hit.index == 0)
    assert (first["page"], first["last_page"]) == (1, 2)

    # Another tenant's document, or none at all, is the same 404 under one's own URL.
    stranger = Client()
    stranger.force_login(make_user("gus", roles={globex: "admin"}))
    assert (
        stranger.get(
            f"/t/{globex.slug}/knowledge/{located.kb.pk}/documents/{document.pk}/"
        ).status_code
        == 404
    )
    assert member.get(f"{kb_page}documents/{uuid.uuid4()}/").status_code == 404
