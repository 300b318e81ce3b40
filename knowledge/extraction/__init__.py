"""Text extraction for knowledge-base uploads: turns a PDF, DOCX, HTML, Markdown, plain-text or
CSV file into structural blocks in reading order, or refuses it with a reason a person can act on.

One module per format reads it (`pdf`, `docx`, `html`, `markdown`, `plain_text`, `csv`); `extract`
picks the reader by the file's extension after the checks every upload gets. Error messages
never quote the file's content: they are shown to users and written to logs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from knowledge.extraction.blocks import BLOCK_SEPARATOR, Block, Extracted
from knowledge.extraction.csv import read_csv
from knowledge.extraction.docx import MAX_DOCX_MEMBERS, read_docx
from knowledge.extraction.errors import ExtractionError, UnsupportedType
from knowledge.extraction.html import read_html
from knowledge.extraction.markdown import read_markdown
from knowledge.extraction.media_types import (
    CSV,
    DOCX,
    HTML,
    MARKDOWN,
    NOUNS,
    PDF,
    PLAIN_TEXT,
    SUPPORTED,
    declared_type,
)
from knowledge.extraction.pdf import read_pdf
from knowledge.extraction.plain_text import read_plain_text

__all__ = [
    "BLOCK_SEPARATOR",
    "CSV",
    "DOCX",
    "HTML",
    "MARKDOWN",
    "MAX_DOCX_MEMBERS",
    "MAX_FILE_BYTES",
    "PDF",
    "PLAIN_TEXT",
    "SUPPORTED",
    "Block",
    "Extracted",
    "ExtractionError",
    "UnsupportedType",
    "extract",
]

MAX_FILE_BYTES = 25 * 1024 * 1024

_READERS: dict[str, Callable[[bytes], list[Block]]] = {
    PDF: read_pdf,
    DOCX: read_docx,
    HTML: read_html,
    MARKDOWN: read_markdown,
    PLAIN_TEXT: read_plain_text,
    CSV: read_csv,
}


def extract(filename: str, data: bytes) -> Extracted:
    """Read `data` as the type its `filename` extension names, checking the content agrees;
    raise ExtractionError (UnsupportedType for refused types) with an actionable reason."""
    media_type = declared_type(filename)
    if not data:
        raise ExtractionError(
            "The file is empty (0 bytes). Check that you chose the right file and that it "
            "finished saving, then upload it again."
        )
    if len(data) > MAX_FILE_BYTES:
        raise ExtractionError(
            f"The file is {_megabytes(len(data))}, over the {_megabytes(MAX_FILE_BYTES)} limit. "
            "Split it into smaller files and upload those."
        )
    read = [_storable(block) for block in _READERS[media_type](data)]
    blocks = [block for block in read if block.text.strip()]
    if not blocks:
        raise ExtractionError(
            f"No text found in this {NOUNS[media_type]}: it contains only blank space or "
            "markup. Check that it is the document you meant to upload."
        )
    return Extracted(media_type=media_type, blocks=blocks)


def _storable(block: Block) -> Block:
    """`block` as PostgreSQL can store it: no NUL (a PDF font without a Unicode map gives one
    per glyph it cannot name; a text file may hold one past the part checked for binary), and
    no lone surrogate (which UTF-8 cannot carry)."""
    text = block.text.replace("\x00", "")
    if not text.isascii():
        text = text.encode("utf-8", "replace").decode("utf-8")
    return block if text == block.text else replace(block, text=text)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"
