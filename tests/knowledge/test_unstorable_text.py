"""Text PostgreSQL cannot store (a NUL) is dropped at extraction: a document holding one is
indexed, not left half-ingested and retried by beat forever."""

from __future__ import annotations

import pytest

from knowledge.extraction import extract
from knowledge.ingestion import ingest
from knowledge.models import Chunk, Document
from knowledge.stores import opened
from tests.knowledge.conftest import knowledge_base, stored_document

# A page whose font has no Unicode map writes a NUL for a glyph it cannot name (\000 here).
PDF_WITH_A_NUL = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages "
    b"/Kids [3 0 R] /Count 1 >>\nendobj\n3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 "
    b"612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>\nendobj\n4 0 obj\n<< "
    b"/Length 64 >>\nstream\nBT /F1 12 Tf 72 720 Td (Hello\\000World and more text here) Tj "
    b"ET\nendstream\nendobj\n5 0 obj\n<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>\n"
    b"endobj\nxref\n0 6\n0000000000 65535 f \n0000000009 00000 n \n0000000058 00000 n \n"
    b"0000000115 00000 n \n0000000241 00000 n \n0000000355 00000 n \ntrailer\n<< /Size 6 /Root "
    b"1 0 R >>\nstartxref\n425\n%%EOF\n"
)
# Past the first 64 KiB, which is what is sampled to tell text from a binary file.
TEXT_WITH_A_LATE_NUL = b"Members may borrow five items. " * 2500 + b"\x00 The end."


def test_a_pdf_glyph_read_as_nul_is_dropped() -> None:
    text = extract("scan.pdf", PDF_WITH_A_NUL).text
    assert "\x00" not in text
    assert "HelloWorld and more text here" in text


def test_a_nul_past_the_sampled_part_of_a_text_file_is_dropped() -> None:
    text = extract("notes.txt", TEXT_WITH_A_LATE_NUL).text
    assert "\x00" not in text
    assert text.endswith("The end.")


@pytest.mark.django_db(transaction=True)
def test_a_document_with_a_nul_is_indexed(make_tenant) -> None:
    located = knowledge_base(make_tenant("acme"))
    document = stored_document(located, TEXT_WITH_A_LATE_NUL, "notes.txt")
    ingest(located, str(document.pk))
    with opened(located):
        document.refresh_from_db()
        assert (document.status, document.failure) == (Document.Status.READY, "")
        assert Chunk.objects.filter(document=document, text__contains="The end.").exists()
