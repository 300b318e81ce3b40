"""Extraction of every supported type, each generated at test time from the committed Markdown
handbook, and refusal of bad uploads with a reason a person can act on."""

from __future__ import annotations

import codecs
import csv
import hashlib
import html
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import docx
import pytest
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter

from knowledge.extraction import (
    CSV,
    DOCX,
    HTML,
    MARKDOWN,
    MAX_DOCX_MEMBERS,
    MAX_FILE_BYTES,
    PDF,
    PLAIN_TEXT,
    SUPPORTED,
    Block,
    Extracted,
    ExtractionError,
    UnsupportedType,
    extract,
)

HANDBOOK = Path(__file__).parents[1] / "fixtures" / "tool_library_handbook.md"
# Every refusal must tell the person one of these things to do.
ACTIONS = ("upload", "save", "export", "remove", "rename", "check")


@pytest.fixture(scope="module")
def handbook() -> Extracted:
    return extract("handbook.md", HANDBOOK.read_bytes())


@pytest.fixture(scope="module")
def budget_table() -> list[list[str]]:
    """The handbook's Markdown table as rows of cells, header first."""
    lines = [line for line in HANDBOOK.read_text().splitlines() if line.startswith("|")]
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines]
    return [row for row in rows if not set("".join(row)) <= {"-", ":"}]


def docx_from(blocks: list[Block], table: list[list[str]]) -> bytes:
    """A Word document with the blocks' headings and paragraphs, and `table` where rows are."""
    document = docx.Document()
    table_written = False
    for block in blocks:
        if block.kind == "heading":
            document.add_heading(block.text, level=block.level)
        elif block.kind == "paragraph":
            document.add_paragraph(block.text)
        elif not table_written:
            word_table = document.add_table(rows=len(table), cols=len(table[0]))
            for cells, row in zip(table, word_table.rows, strict=True):
                for text, cell in zip(cells, row.cells, strict=True):
                    cell.text = text
            table_written = True
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def html_from(blocks: list[Block], table: list[list[str]]) -> bytes:
    """A web page around the blocks, with the chrome (head, nav, script, footer) to drop."""
    body = []
    table_written = False
    for block in blocks:
        text = html.escape(block.text)
        if block.kind == "heading":
            body.append(f"<h{block.level}>{text}</h{block.level}>")
        elif block.kind == "paragraph":
            body.append(f"<pre><code>{text}</code></pre>" if "\n" in text else f"<p>{text}</p>")
        elif not table_written:
            header = "".join(f"<th>{html.escape(cell)}</th>" for cell in table[0])
            rows = "".join(
                "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>"
                for row in table[1:]
            )
            body.append(f"<table><thead><tr>{header}</tr></thead><tbody>{rows}</tbody></table>")
            table_written = True
    page = (
        "<!DOCTYPE html><html><head><title>Page title</title><style>p {color: red}</style>"
        "<script>var tracking = 'script text';</script></head><body>"
        "<nav><a href='/'>Navigation link</a></nav><main>"
        + "\n".join(body)
        + "</main><footer>Footer text</footer></body></html>"
    )
    return page.encode()


def pdf_from(blocks: list[Block]) -> bytes:
    pdf = FPDF()
    pdf.add_page()
    for block in blocks:
        if block.kind == "heading":
            pdf.set_font("helvetica", style="B", size=18 - 2 * block.level)
        else:
            pdf.set_font("helvetica", size=11)
        pdf.multi_cell(0, 6, block.text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
    return bytes(pdf.output())


def csv_from(table: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(table)
    return buffer.getvalue().encode()


def encrypted(pdf: bytes, *, user_password: str, owner_password: str) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.encrypt(user_password=user_password, owner_password=owner_password)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def normalised(text: str) -> str:
    return " ".join(text.split())


# What comes back


def test_markdown_keeps_headings_paragraphs_lists_code_and_table_rows(handbook: Extracted) -> None:
    assert handbook.media_type == MARKDOWN
    headings = [(block.level, block.text) for block in handbook.blocks if block.kind == "heading"]
    assert headings[:5] == [
        (1, "Riverside Tool Library: Volunteer Handbook"),
        (2, "Chapter 1: Welcome"),
        (2, "Chapter 2: Lending"),
        (3, "Borrowing rules"),
        (3, "Late returns"),
    ]
    texts = [block.text for block in handbook.blocks]
    assert "the tool is complete, with its case, manual, blades or bits;" in texts
    assert (
        "def may_borrow(member, item, today):\n    if member.overdue_items(today):\n"
        "        return False" in handbook.text
    )
    rows = [block.text for block in handbook.blocks if block.kind == "row"]
    assert rows[0] == "Budget line: Rent and utilities; Amount: 4200; Responsible: Treasurer"
    assert len(rows) == 6
    assert "|" not in handbook.text and "**" not in handbook.text


def test_docx_comes_back_block_for_block(
    handbook: Extracted, budget_table: list[list[str]]
) -> None:
    extracted = extract("handbook.docx", docx_from(handbook.blocks, budget_table))

    assert extracted.media_type == DOCX
    assert extracted.blocks == handbook.blocks


def test_html_comes_back_block_for_block_without_page_chrome(
    handbook: Extracted, budget_table: list[list[str]]
) -> None:
    extracted = extract("handbook.html", html_from(handbook.blocks, budget_table))

    assert extracted.media_type == HTML
    assert extracted.blocks == handbook.blocks
    for chrome in ("Page title", "script text", "color: red", "Navigation link", "Footer text"):
        assert chrome not in extracted.text


def test_pdf_text_comes_back_with_page_numbers(handbook: Extracted) -> None:
    extracted = extract("handbook.pdf", pdf_from(handbook.blocks))

    assert extracted.media_type == PDF
    assert normalised(extracted.text) == normalised(handbook.text)
    pages = [block.page for block in extracted.blocks]
    assert pages[0] == 1 and pages[-1] > 1
    assert pages == sorted(pages)
    # Wrapped lines are joined again: a long paragraph stays one block.
    opening = next(block.text for block in handbook.blocks if block.kind == "paragraph")
    assert opening in [block.text for block in extracted.blocks]


def test_csv_rows_come_back_under_their_headers(
    handbook: Extracted, budget_table: list[list[str]]
) -> None:
    extracted = extract("budget.csv", csv_from(budget_table))

    assert extracted.media_type == CSV
    assert extracted.blocks == [block for block in handbook.blocks if block.kind == "row"]


def test_semicolon_separated_csv_is_sniffed(budget_table: list[list[str]]) -> None:
    data = "\n".join(";".join(row) for row in budget_table).encode()

    extracted = extract("budget.csv", data)

    assert extracted.blocks[-1].text == (
        "Budget line: Café corner and events; Amount: 150; Responsible: Events group"
    )


@pytest.mark.parametrize(
    "encode",
    [
        lambda text: text.encode(),
        lambda text: codecs.BOM_UTF8 + text.encode(),
        lambda text: text.encode("utf-16"),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16-bom"],
)
def test_plain_text_paragraphs_come_back_in_each_encoding(
    handbook: Extracted, encode: Callable[[str], bytes]
) -> None:
    text = handbook.text.replace("\n\n", "\r\n\r\n")

    extracted = extract("handbook.txt", encode(text))

    assert extracted.media_type == PLAIN_TEXT
    assert [block.text for block in extracted.blocks] == [block.text for block in handbook.blocks]


def test_pdf_with_only_an_owner_password_is_read(handbook: Extracted) -> None:
    restricted = encrypted(pdf_from(handbook.blocks[:3]), user_password="", owner_password="x")

    extracted = extract("restricted.pdf", restricted)

    assert "Riverside Tool Library" in extracted.text


def test_supported_extensions_cover_every_type() -> None:
    assert set(SUPPORTED.values()) == {PDF, DOCX, HTML, MARKDOWN, PLAIN_TEXT, CSV}


# What is refused, and why


def scanned_pdf() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 150, style="F")
    return bytes(pdf.output())


@dataclass(frozen=True)
class Originals:
    """Good files to damage or mislabel."""

    pdf: bytes
    docx: bytes


@pytest.fixture(scope="module")
def originals(handbook: Extracted, budget_table: list[list[str]]) -> Originals:
    return Originals(pdf=pdf_from(handbook.blocks), docx=docx_from(handbook.blocks, budget_table))


MARKER = b"CONFIDENTIAL-MARKER "
BAD_INPUTS = [
    pytest.param("notes.txt", lambda _: b"", "The file is empty", id="empty"),
    pytest.param("notes.txt", lambda _: b"  \n\n\t  \n", "No text found", id="blank"),
    pytest.param(
        "notes.md", lambda _: MARKER + b"\x00\x01\x02" * 200, "not readable text", id="binary-md"
    ),
    pytest.param(
        "notes.txt",
        lambda _: b"".join(hashlib.sha256(bytes([i])).digest() for i in range(128)),
        "not encoded as UTF-8",
        id="garbage-txt",
    ),
    pytest.param(
        "notes.txt",
        lambda _: MARKER + "caf\xe9".encode("latin-1"),
        "Save it as UTF-8",
        id="latin-1",
    ),
    pytest.param("notes.txt", lambda files: files.pdf, "it looks like a PDF", id="pdf-as-txt"),
    pytest.param(
        "notes.txt",
        lambda _: b"<!DOCTYPE html><html><body>" + MARKER + b"</body></html>",
        "it looks like an HTML page",
        id="html-as-txt",
    ),
    pytest.param("page.html", lambda _: MARKER * 10, "contains no HTML markup", id="text-as-html"),
    pytest.param(
        "report.pdf", lambda _: MARKER * 10, "named as a PDF but is not one", id="text-as-pdf"
    ),
    pytest.param(
        "report.pdf",
        lambda files: files.docx,
        "it looks like a Word document",
        id="docx-as-pdf",
    ),
    pytest.param(
        "report.pdf",
        lambda files: files.pdf[: len(files.pdf) // 2],
        "This PDF is incomplete",
        id="truncated-pdf",
    ),
    pytest.param(
        "report.pdf",
        lambda _: b"%PDF-1.7\n" + MARKER * 40 + b"\n%%EOF\n",
        "This PDF is damaged and could not be read",
        id="corrupt-pdf",
    ),
    pytest.param(
        "report.pdf",
        lambda files: encrypted(files.pdf, user_password="secret", owner_password="secret"),
        "This PDF is password-protected: remove the password and upload it again.",
        id="encrypted-pdf",
    ),
    pytest.param("scan.pdf", lambda _: scanned_pdf(), "no text layer", id="scanned-pdf"),
    pytest.param(
        "report.docx",
        lambda _: MARKER * 10,
        "named as a Word document (.docx) but is not one",
        id="docx-not-a-zip",
    ),
    pytest.param(
        "report.docx",
        lambda _: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + MARKER,
        "password-protected or in the old .doc format",
        id="encrypted-or-old-docx",
    ),
    pytest.param(
        "report.docx",
        lambda _: zip_of({"xl/workbook.xml": MARKER}),
        "it looks like an Excel workbook",
        id="xlsx-as-docx",
    ),
    pytest.param(
        "report.docx",
        lambda _: zip_of({"word/document.xml": MARKER, "word/media/a.bin": bytes(20 << 20)}),
        "looks like a zip bomb",
        id="zip-bomb-ratio",
    ),
    pytest.param(
        "report.docx",
        lambda _: zip_of({f"word/part{i}.xml": b"" for i in range(MAX_DOCX_MEMBERS + 1)}),
        "looks like a zip bomb",
        id="zip-bomb-members",
    ),
    pytest.param(
        "report.docx",
        lambda files: files.docx[: len(files.docx) // 2],
        "This Word document is damaged or incomplete",
        id="truncated-docx",
    ),
    pytest.param(
        "report.docx",
        lambda _: zip_of({"word/document.xml": MARKER}),
        "This Word document is damaged and could not be read",
        id="corrupt-docx",
    ),
    pytest.param(
        "budget.csv",
        lambda _: b"Budget line,Amount\n",
        "header row but no data rows",
        id="csv-header-only",
    ),
    pytest.param(
        "budget.csv",
        lambda _: b'Budget line,Amount\n"' + MARKER * 10_000 + b'",1\n',
        "could not be read at line",
        id="csv-huge-field",
    ),
]


@pytest.mark.parametrize(("filename", "make", "expected"), BAD_INPUTS)
def test_bad_input_is_refused_with_an_actionable_reason(
    originals: Originals, filename: str, make: Callable[[Originals], bytes], expected: str
) -> None:
    with pytest.raises(ExtractionError) as raised:
        extract(filename, make(originals))

    message = str(raised.value)
    assert expected in message
    assert any(action in message.lower() for action in ACTIONS), message
    assert "CONFIDENTIAL" not in message


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("setup.exe", ".exe files are not supported"),
        ("minutes.doc", "Save it as .docx in Word and upload that."),
        ("budget.xlsx", "Export the sheet as CSV and upload that."),
        ("README", "no recognisable extension"),
    ],
)
def test_unsupported_type_is_refused_naming_what_is_accepted(filename: str, expected: str) -> None:
    with pytest.raises(UnsupportedType) as raised:
        extract(filename, b"MZ\x90\x00 anything")

    assert expected in str(raised.value)
    assert ".pdf" in str(raised.value) and ".docx" in str(raised.value)


def test_file_over_the_size_limit_is_refused() -> None:
    with pytest.raises(ExtractionError, match=r"over the 25\.0 MB limit\. Split it"):
        extract("big.txt", b"a" * (MAX_FILE_BYTES + 1))
