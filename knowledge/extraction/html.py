"""HTML: headings, tables, preformatted text and the inline text of block elements, in document
order, without page chrome (scripts, navigation, footers). Markdown is read through here too,
once rendered to HTML."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import PreformattedString

from knowledge.extraction.blocks import Block
from knowledge.extraction.errors import ExtractionError
from knowledge.extraction.media_types import HTML
from knowledge.extraction.tables import table_blocks
from knowledge.extraction.text_decoding import decode_text

_HTML_TAG = re.compile(r"<[a-zA-Z!/]")
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
        return table_blocks(texts[0], texts[1:])
    return table_blocks(None, texts)


def html_blocks(html: str) -> list[Block]:
    """The blocks of an HTML text (a page, or Markdown rendered to HTML)."""
    try:
        return _HtmlReader().read(BeautifulSoup(html, "lxml"))
    except RecursionError:
        raise ExtractionError(
            "This page is nested too deeply to read. Save it as plain text or PDF and upload "
            "that instead."
        ) from None


def read_html(data: bytes) -> list[Block]:
    """An HTML page's blocks; a file with no markup at all is refused as misnamed text."""
    text = decode_text(data, HTML)
    if not _HTML_TAG.search(text):
        raise ExtractionError(
            "The file is named as an HTML page but contains no HTML markup. Rename it to .txt "
            "(or .md) and upload it again."
        )
    return html_blocks(text)
