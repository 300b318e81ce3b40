"""The accepted media types, how a file name declares one, and what to call each in a message."""

from __future__ import annotations

import re
from pathlib import PurePath

from knowledge.extraction.errors import UnsupportedType

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

NOUNS = {
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


def declared_type(filename: str) -> str:
    """The media type the file name's extension names; an unsupported one is refused with the
    conversion that would make it acceptable, since that is what the person can do about it."""
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
