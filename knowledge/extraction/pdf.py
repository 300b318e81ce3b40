"""PDF: the text layer of each page (pypdf), wrapped lines rejoined into paragraphs, each block
carrying its page number for citations."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager

from pypdf import PasswordType, PdfReader

from knowledge.extraction.blocks import Block
from knowledge.extraction.errors import ExtractionError
from knowledge.extraction.media_types import PDF
from knowledge.extraction.sniffing import looks_like, mismatch

_PDF_LOCKED = "This PDF is password-protected: remove the password and upload it again."
_PDF_NO_TEXT = (
    "This PDF has no text layer (its pages look like scanned images), and text recognition "
    "(OCR) is not supported. Export it with text from the program that made it, or run it "
    "through OCR first, then upload it again."
)


@contextmanager
def _reported_as_damaged_pdf() -> Iterator[None]:
    try:
        yield
    # pypdf fails on damaged files with many exception types (its own, ValueError, KeyError,
    # TypeError, ...); all of them mean the same thing to the person uploading.
    except Exception as error:
        raise ExtractionError(
            f"This PDF is damaged and could not be read ({type(error).__name__}). Open it in a "
            "PDF viewer, save or print it to a new PDF, and upload that."
        ) from error


def read_pdf(data: bytes) -> list[Block]:
    """A PDF's paragraphs page by page; cut-off, locked, damaged and scanned-only PDFs are
    refused, each with what to do about it."""
    if b"%PDF-" not in data[:1024]:
        raise mismatch(PDF, looks_like(data))
    if b"%%EOF" not in data[-1024:]:
        raise ExtractionError(
            "This PDF is incomplete: it stops before its end marker, so an upload or download "
            "was probably cut off. Download or export it again and upload the new copy."
        )
    with _reported_as_damaged_pdf():
        reader = PdfReader(io.BytesIO(data))
        # An owner password alone (print/copy restrictions) opens with an empty user password.
        locked = reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED
    if locked:
        raise ExtractionError(_PDF_LOCKED)
    with _reported_as_damaged_pdf():
        pages = [page.extract_text() or "" for page in reader.pages]
    blocks = [
        Block(kind="paragraph", text=paragraph, page=number)
        for number, page_text in enumerate(pages, start=1)
        for paragraph in _pdf_paragraphs(page_text)
    ]
    if not blocks:
        raise ExtractionError(_PDF_NO_TEXT)
    return blocks


def _pdf_paragraphs(page_text: str) -> list[str]:
    """Rejoin a page's wrapped lines into paragraphs: a paragraph ends at a blank line or after
    a line clearly shorter than the page's full lines."""
    lines = [" ".join(line.split()) for line in page_text.splitlines()]
    full_width = max((len(line) for line in lines), default=0)
    paragraphs: list[str] = []
    current: list[str] = []
    for line in lines:
        if line:
            current.append(line)
        if current and (not line or len(line) < 0.7 * full_width):
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return paragraphs
