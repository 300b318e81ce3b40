"""Text extraction for knowledge-base uploads: turns a PDF, DOCX, HTML, Markdown, plain-text or
CSV file into structural blocks in reading order, or refuses it with a reason a person can act on.

Error messages never quote the file's content: they are shown to users and written to logs."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import PurePath

import docx
import markdown
from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import PreformattedString
from docx.document import Document as DocxDocument
from docx.text.paragraph import Paragraph
from pypdf import PasswordType, PdfReader

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
HTML = "text/html"
MARKDOWN = "text/markdown"
PLAIN_TEXT = "text/plain"
CSV = "text/csv"

SUPPORTED: dict[str, str] = {
    ".pdf": PDF,
    ".docx": DOCX,
    ".html": HTML,
    ".htm": HTML,
    ".md": MARKDOWN,
    ".markdown": MARKDOWN,
    ".txt": PLAIN_TEXT,
    ".csv": CSV,
}

MAX_FILE_BYTES = 25 * 1024 * 1024
MAX_DOCX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_DOCX_MEMBERS = 10_000
MAX_COMPRESSION_RATIO = 200
# Small members may compress extremely well (repetitive XML) and cannot hurt; the total cap
# above still bounds them.
_RATIO_CHECK_FROM_BYTES = 1024 * 1024

BLOCK_SEPARATOR = "\n\n"

_NOUNS = {
    PDF: "PDF",
    DOCX: "Word document (.docx)",
    HTML: "HTML page",
    MARKDOWN: "Markdown file",
    PLAIN_TEXT: "text file",
    CSV: "CSV file",
}
_CONVERSION_HINTS = {
    ".doc": "save it as .docx in Word",
    ".rtf": "save it as .docx in Word",
    ".odt": "save it as .docx",
    ".pages": "export it as .docx or PDF",
    ".xls": "export the sheet as CSV",
    ".xlsx": "export the sheet as CSV",
    ".ods": "export the sheet as CSV",
    ".ppt": "export it as PDF",
    ".pptx": "export it as PDF",
    ".key": "export it as PDF",
}
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*")
_HTML_DOCUMENT = re.compile(r"\s*(<!doctype\s+html|<html[\s>])", re.IGNORECASE)
_HTML_TAG = re.compile(r"<[a-zA-Z!/]")
_HEADING_STYLE = re.compile(r"heading\s+(\d)", re.IGNORECASE)
_BLANK_LINE = re.compile(r"\n[ \t]*\n")

_PDF_LOCKED = "This PDF is password-protected: remove the password and upload it again."
_PDF_NO_TEXT = (
    "This PDF has no text layer (its pages look like scanned images), and text recognition "
    "(OCR) is not supported. Export it with text from the program that made it, or run it "
    "through OCR first, then upload it again."
)


class ExtractionError(Exception):
    """A file that cannot be turned into text; str(error) tells a person what to do."""


class UnsupportedType(ExtractionError):
    """A file whose type (by extension) is not accepted at all."""


@dataclass(frozen=True)
class Block:
    """One structural piece of a document, in reading order."""

    kind: str  # "heading" | "paragraph" | "row"
    text: str
    level: int = 0  # heading level 1-6, 0 for other kinds
    page: int | None = None  # PDFs: 1-based page number


@dataclass(frozen=True)
class Extracted:
    """The text of one document as blocks, with the media type it was read as."""

    media_type: str
    blocks: list[Block]

    @property
    def text(self) -> str:
        return BLOCK_SEPARATOR.join(block.text for block in self.blocks)


def extract(filename: str, data: bytes) -> Extracted:
    """Read `data` as the type its `filename` extension names, checking the content agrees;
    raise ExtractionError (UnsupportedType for refused types) with an actionable reason."""
    media_type = _declared_type(filename)
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
    blocks = _READERS[media_type](data)
    if not blocks:
        raise ExtractionError(
            f"No text found in this {_NOUNS[media_type]}: it contains only blank space or "
            "markup. Check that it is the document you meant to upload."
        )
    return Extracted(media_type=media_type, blocks=blocks)


def _declared_type(filename: str) -> str:
    suffix = PurePath(filename).suffix.lower()
    if suffix in SUPPORTED:
        return SUPPORTED[suffix]
    accepted = ", ".join(sorted(SUPPORTED))
    if not re.fullmatch(r"\.[a-z0-9]{1,10}", suffix):
        raise UnsupportedType(
            f"The file name has no recognisable extension, so its type is unknown. Name it with "
            f"one of {accepted} and upload it again."
        )
    hint = _CONVERSION_HINTS.get(suffix)
    advice = f"{hint[0].upper()}{hint[1:]} and upload that. " if hint else ""
    raise UnsupportedType(f"{suffix} files are not supported. {advice}Supported types: {accepted}.")


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _looks_like(data: bytes) -> str | None:
    """What binary content really is, for messages when it does not match its name."""
    if data.startswith(b"%PDF-"):
        return "a PDF"
    if data.startswith(_OLE_MAGIC):
        return "an old-format Office file (.doc/.xls) or a password-protected Office document"
    if data.startswith(_IMAGE_MAGIC):
        return "an image"
    if data.startswith(_ZIP_MAGIC):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except zipfile.BadZipFile:
            return "a damaged zip archive"
        if "word/document.xml" in names:
            return "a Word document"
        if "xl/workbook.xml" in names:
            return "an Excel workbook"
        if "ppt/presentation.xml" in names:
            return "a PowerPoint presentation"
        return "a zip archive"
    return None


def _mismatch(media_type: str, found: str | None) -> ExtractionError:
    noun = _NOUNS[media_type]
    label = f"{'an' if noun[0] in 'AEHIO' else 'a'} {noun}"
    seen = f"it looks like {found}" if found else "its content is something else"
    return ExtractionError(
        f"The file is named as {label} but is not one ({seen}). Rename it to its real type, "
        f"or export it again as {label}, and upload it again."
    )


def _decode_text(data: bytes, media_type: str) -> str:
    found = _looks_like(data)
    if found:
        raise _mismatch(media_type, found)
    not_text = ExtractionError(
        f"This {_NOUNS[media_type]} is not readable text: it is not encoded as UTF-8 (or UTF-16 "
        "with a byte-order mark), or it is a binary file. Save it as UTF-8 text and upload it "
        "again."
    )
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            text = data.decode("utf-16")
        else:
            text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise not_text from None
    sample = text[:65536]
    controls = sum(1 for char in sample if char < " " and char not in "\t\n\r\f")
    if "\x00" in sample or controls > len(sample) / 100:
        raise not_text
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if media_type != HTML and _HTML_DOCUMENT.match(text):
        raise _mismatch(media_type, "an HTML page")
    return text


def _row_text(header: list[str] | None, cells: list[str]) -> str:
    """A table row as "column: value; ..." (values only when there is no header)."""
    parts = []
    for position, raw in enumerate(cells):
        value = " ".join(raw.split())
        if not value:
            continue
        if header is None:
            parts.append(value)
            continue
        name = header[position] if position < len(header) and header[position] else ""
        parts.append(f"{name or f'column {position + 1}'}: {value}")
    return "; ".join(parts)


def _table_blocks(header: list[str] | None, rows: list[list[str]]) -> list[Block]:
    rendered = (_row_text(header, cells) for cells in rows)
    return [Block(kind="row", text=text) for text in rendered if text]


# PDF


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


def _read_pdf(data: bytes) -> list[Block]:
    if b"%PDF-" not in data[:1024]:
        raise _mismatch(PDF, _looks_like(data))
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


# DOCX


def _read_docx(data: bytes) -> list[Block]:
    if data.startswith(_OLE_MAGIC):
        raise ExtractionError(
            "This Word document is password-protected or in the old .doc format. Remove the "
            "password, or save it as .docx (Word 2007 or later), and upload it again."
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        if data.startswith(_ZIP_MAGIC):
            raise ExtractionError(
                "This Word document is damaged or incomplete (its zip structure cannot be read). "
                "Open it in Word, save it again as .docx, and upload that."
            ) from None
        raise _mismatch(DOCX, _looks_like(data)) from None
    with archive:
        _refuse_zip_bomb(archive)
        if "word/document.xml" not in archive.namelist():
            raise _mismatch(DOCX, _looks_like(data))
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
            yield from _table_blocks(rows[0], rows[1:])
        else:
            yield from _table_blocks(None, rows)


def _heading_level(style_name: str) -> int:
    if style_name == "Title":
        return 1
    match = _HEADING_STYLE.fullmatch(style_name)
    return min(int(match.group(1)), 6) if match else 0


# HTML and Markdown

_DROPPED_TAGS = frozenset(
    {"script", "style", "nav", "footer", "head", "noscript", "template", "svg", "iframe"}
)
_HEADING_TAGS = {f"h{level}": level for level in range(1, 7)}
# Elements whose text stands apart from the text around them.
# fmt: off
_BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "dd", "details", "div", "dl", "dt", "figcaption",
    "figure", "header", "hr", "li", "main", "ol", "p", "section", "summary", "ul",
})
# fmt: on


class _HtmlReader:
    """Walks the parsed tree once, turning headings, tables, preformatted text and the inline
    text of block elements into blocks in document order."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self._inline: list[str] = []

    def read(self, root: Tag) -> list[Block]:
        self._walk(root)
        self._flush()
        return self.blocks

    def _walk(self, node: Tag) -> None:
        for child in node.children:
            if isinstance(child, PreformattedString):  # comments, doctype, CDATA
                continue
            if isinstance(child, NavigableString):
                self._inline.append(str(child))
            elif isinstance(child, Tag):
                self._element(child)

    def _element(self, tag: Tag) -> None:
        name = tag.name
        if name in _DROPPED_TAGS or tag.has_attr("hidden"):
            return
        if name == "br":
            self._inline.append("\n")
        elif name in _HEADING_TAGS:
            self._flush()
            self._add("heading", " ".join(tag.get_text().split()), _HEADING_TAGS[name])
        elif name == "pre":
            self._flush()
            self._add("paragraph", tag.get_text().strip("\n").rstrip())
        elif name == "table":
            self._flush()
            self.blocks.extend(_html_table(tag))
        elif name in _BLOCK_TAGS:
            self._flush()
            self._walk(tag)
            self._flush()
        else:
            self._walk(tag)

    def _flush(self) -> None:
        self._add("paragraph", " ".join("".join(self._inline).split()))
        self._inline.clear()

    def _add(self, kind: str, text: str, level: int = 0) -> None:
        if text.strip():
            self.blocks.append(Block(kind=kind, text=text, level=level))


def _html_table(table: Tag) -> list[Block]:
    rows = [row for row in table.find_all("tr") if row.find_parent("table") is table]
    cells = [row.find_all(["th", "td"], recursive=False) for row in rows]
    texts = [[" ".join(cell.get_text().split()) for cell in row] for row in cells]
    if texts and cells[0] and all(cell.name == "th" for cell in cells[0]):
        return _table_blocks(texts[0], texts[1:])
    return _table_blocks(None, texts)


def _html_blocks(html: str) -> list[Block]:
    try:
        return _HtmlReader().read(BeautifulSoup(html, "lxml"))
    except RecursionError:
        raise ExtractionError(
            "This page is nested too deeply to read. Save it as plain text or PDF and upload "
            "that instead."
        ) from None


def _read_html(data: bytes) -> list[Block]:
    text = _decode_text(data, HTML)
    if not _HTML_TAG.search(text):
        raise ExtractionError(
            "The file is named as an HTML page but contains no HTML markup. Rename it to .txt "
            "(or .md) and upload it again."
        )
    return _html_blocks(text)


def _read_markdown(data: bytes) -> list[Block]:
    text = _decode_text(data, MARKDOWN)
    return _html_blocks(markdown.markdown(text, extensions=["fenced_code", "tables"]))


# Plain text and CSV


def _read_plain_text(data: bytes) -> list[Block]:
    text = _decode_text(data, PLAIN_TEXT)
    paragraphs = (_trim_lines(part) for part in _BLANK_LINE.split(text))
    return [Block(kind="paragraph", text=paragraph) for paragraph in paragraphs if paragraph]


def _trim_lines(paragraph: str) -> str:
    return "\n".join(line.rstrip() for line in paragraph.splitlines()).strip()


def _read_csv(data: bytes) -> list[Block]:
    text = _decode_text(data, CSV)
    sample = text[:65536].rsplit("\n", 1)[0] if len(text) > 65536 else text
    dialect: type[csv.Dialect] | csv.Dialect
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        rows = [[cell.strip() for cell in row] for row in reader if any(c.strip() for c in row)]
    except csv.Error as error:
        raise ExtractionError(
            f"This CSV file could not be read at line {reader.line_num} ({error}). Check that "
            "line's quotes and separators, or export the sheet again, and upload it again."
        ) from None
    if len(rows) == 1:
        raise ExtractionError(
            "This CSV file has a header row but no data rows. Check that it is the export you "
            "meant to upload."
        )
    return _table_blocks(rows[0], rows[1:]) if rows else []


_READERS: dict[str, Callable[[bytes], list[Block]]] = {
    PDF: _read_pdf,
    DOCX: _read_docx,
    HTML: _read_html,
    MARKDOWN: _read_markdown,
    PLAIN_TEXT: _read_plain_text,
    CSV: _read_csv,
}
