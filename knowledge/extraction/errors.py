"""The two ways an upload is refused: every reader raises these, with a reason a person can act on
(never the file's content: messages are shown to users and written to logs)."""

from __future__ import annotations


class ExtractionError(Exception):
    """A file that cannot be turned into text; str(error) tells a person what to do."""


class UnsupportedType(ExtractionError):
    """A file whose type (by extension) is not accepted at all."""
