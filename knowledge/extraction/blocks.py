"""What every reader produces: a document's structural blocks in reading order, the shape chunking
consumes whatever the file's format was."""

from __future__ import annotations

from dataclasses import dataclass

BLOCK_SEPARATOR = "\n\n"


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
