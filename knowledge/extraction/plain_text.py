"""Plain text: one paragraph per run of lines between blank lines; line breaks inside a paragraph
are kept (addresses, lists, poems)."""

from __future__ import annotations

import re

from knowledge.extraction.blocks import Block
from knowledge.extraction.media_types import PLAIN_TEXT
from knowledge.extraction.text_decoding import decode_text

_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def read_plain_text(data: bytes) -> list[Block]:
    """A text file's paragraphs."""
    text = decode_text(data, PLAIN_TEXT)
    paragraphs = (_trim_lines(part) for part in _BLANK_LINE.split(text))
    return [Block(kind="paragraph", text=paragraph) for paragraph in paragraphs if paragraph]


def _trim_lines(paragraph: str) -> str:
    return "\n".join(line.rstrip() for line in paragraph.splitlines()).strip()
