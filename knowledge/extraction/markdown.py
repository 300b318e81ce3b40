"""Markdown: rendered to HTML (with fenced code and tables) and read as HTML, so headings and
tables come out the same way from both."""

from __future__ import annotations

import markdown

from knowledge.extraction.blocks import Block
from knowledge.extraction.html import html_blocks
from knowledge.extraction.media_types import MARKDOWN
from knowledge.extraction.text_decoding import decode_text


def read_markdown(data: bytes) -> list[Block]:
    """A Markdown file's blocks."""
    text = decode_text(data, MARKDOWN)
    return html_blocks(markdown.markdown(text, extensions=["fenced_code", "tables"]))
