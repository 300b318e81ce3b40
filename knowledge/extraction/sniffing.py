"""What an upload's bytes really are, whatever its name says: a file named as one type but holding
another is refused with what it looks like, so the person knows which file they picked."""

from __future__ import annotations

import io
import zipfile

from knowledge.extraction.errors import ExtractionError
from knowledge.extraction.media_types import NOUNS

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*")


def looks_like(data: bytes) -> str | None:
    """What binary content really is, for messages when it does not match its name."""
    if data.startswith(b"%PDF-"):
        return "a PDF"
    if data.startswith(OLE_MAGIC):
        return "an old-format Office file (.doc/.xls) or a password-protected Office document"
    if data.startswith(_IMAGE_MAGIC):
        return "an image"
    if data.startswith(ZIP_MAGIC):
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


def mismatch(media_type: str, found: str | None) -> ExtractionError:
    """The refusal of a file whose content is not the type its name declares."""
    noun = NOUNS[media_type]
    label = f"{'an' if noun[0] in 'AEHIO' else 'a'} {noun}"
    seen = f"it looks like {found}" if found else "its content is something else"
    return ExtractionError(
        f"The file is named as {label} but is not one ({seen}). Rename it to its real type, "
        f"or export it again as {label}, and upload it again."
    )
