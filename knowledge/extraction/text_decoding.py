"""Text formats (HTML, Markdown, plain text, CSV) start the same way: the bytes must be text, in
an encoding we can tell, and not another format named as this one."""

from __future__ import annotations

import re

from knowledge.extraction.errors import ExtractionError
from knowledge.extraction.media_types import HTML, NOUNS
from knowledge.extraction.sniffing import looks_like, mismatch

_HTML_DOCUMENT = re.compile(r"\s*(<!doctype\s+html|<html[\s>])", re.IGNORECASE)


def decode_text(data: bytes, media_type: str) -> str:
    """The upload as text with \\n line ends, or a refusal saying how to save it as text."""
    found = looks_like(data)
    if found:
        raise mismatch(media_type, found)
    not_text = ExtractionError(
        f"This {NOUNS[media_type]} is not readable text: it is not encoded as UTF-8 (or UTF-16 "
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
        raise mismatch(media_type, "an HTML page")
    return text
