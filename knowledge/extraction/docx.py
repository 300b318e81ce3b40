"""Word (.docx): headings (by paragraph style), paragraphs and tables in document order
(python-docx), after refusing old .doc files, damaged archives and zip bombs."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator

import docx
from docx.document import Document as DocxDocument
from docx.text.paragraph import Paragraph

from knowledge.extraction.blocks import Block
from knowledge.extraction.errors import ExtractionError
from knowledge.extraction.media_types import DOCX
from knowledge.extraction.sniffing import OLE_MAGIC, ZIP_MAGIC, looks_like, mismatch
from knowledge.extraction.tables import table_blocks

MAX_DOCX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_DOCX_MEMBERS = 10_000
MAX_COMPRESSION_RATIO = 200
# Small members may compress extremely well (repetitive XML) and cannot hurt; the total cap
# above still bounds them.
_RATIO_CHECK_FROM_BYTES = 1024 * 1024
_HEADING_STYLE = re.compile(r"heading\s+(\d)", re.IGNORECASE)


def read_docx(data: bytes) -> list[Block]:
    """A Word document's blocks; anything that is not a readable, reasonably sized .docx is
    refused with how to save it again."""
    if data.startswith(OLE_MAGIC):
        raise ExtractionError(
            "This Word document is password-protected or in the old .doc format. Remove the "
            "password, or save it as .docx (Word 2007 or later), and upload it again."
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        if data.startswith(ZIP_MAGIC):
            raise ExtractionError(
                "This Word document is damaged or incomplete (its zip structure cannot be read). "
                "Open it in Word, save it again as .docx, and upload that."
            ) from None
        raise mismatch(DOCX, looks_like(data)) from None
    with archive:
        _refuse_zip_bomb(archive)
        if "word/document.xml" not in archive.namelist():
            raise mismatch(DOCX, looks_like(data))
    try:
        document = docx.Document(io.BytesIO(data))
        return list(_docx_blocks(document))
    # python-docx surfaces damaged parts as zip, XML, lookup and value errors alike.
    except Exception as error:
        raise ExtractionError(
            f"This Word document is damaged and could not be read ({type(error).__name__}). "
            "Open it in Word, save it again as .docx, and upload that."
        ) from error


def _refuse_zip_bomb(archive: zipfile.ZipFile) -> None:
    """Refuse archives that would expand far beyond any real document. zipfile itself stops
    reading a member at its declared size, so the declared sizes can be trusted here."""
    members = archive.infolist()
    bomb = ExtractionError(
        "This Word document looks like a zip bomb (it would unpack into far more files or data "
        "than any real document), so it was refused. Open it in Word, save it again, and upload "
        "that."
    )
    if len(members) > MAX_DOCX_MEMBERS:
        raise bomb
    if sum(member.file_size for member in members) > MAX_DOCX_UNCOMPRESSED_BYTES:
        raise bomb
    for member in members:
        if member.file_size < _RATIO_CHECK_FROM_BYTES:
            continue
        if member.file_size > MAX_COMPRESSION_RATIO * max(member.compress_size, 1):
            raise bomb


def _docx_blocks(document: DocxDocument) -> Iterator[Block]:
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            text = item.text.strip()
            if not text:
                continue
            level = _heading_level(item.style.name if item.style is not None else "")
            kind = "heading" if level else "paragraph"
            yield Block(kind=kind, text=text, level=level)
            continue
        rows = [[cell.text for cell in row.cells] for row in item.rows]
        if len(rows) > 1:
            yield from table_blocks(rows[0], rows[1:])
        else:
            yield from table_blocks(None, rows)


def _heading_level(style_name: str) -> int:
    if style_name == "Title":
        return 1
    match = _HEADING_STYLE.fullmatch(style_name)
    return min(int(match.group(1)), 6) if match else 0
