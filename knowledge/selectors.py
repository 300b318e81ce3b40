"""Reads of knowledge bases for pages and the API that are more than one lookup."""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.models import Chunk, Document
from knowledge.services import document_of
from knowledge.stores import Located, opened

# A document's page lists its chunks like Dify's preview: enough to check how it was cut,
# without loading a long document's every passage into one page.
PREVIEW_CHUNKS = 200


@dataclass(frozen=True)
class ChunkPreview:
    """One chunk as the document's page shows it."""

    index: int
    text: str
    tokens: int
    heading: str
    pages: str  # "page 2", "pages 1-2" (en dash), "" outside PDFs
    is_parent: bool
    parent_index: int | None
    embedded: bool


@dataclass(frozen=True)
class DocumentPreview:
    document: Document
    chunks: list[ChunkPreview]
    more: int  # chunks beyond the preview


def document_preview(located: Located, document_id: str) -> DocumentPreview:
    """A document of the knowledge base with its first chunks in order (NotFound if it is not
    there): page ranges, headings, token counts, and which are parents or children."""
    with opened(located):
        document = document_of(located, document_id)
        rows = (
            Chunk.objects.filter(document=document)
            .order_by("index")
            .select_related("parent")
            .defer("embedding", "parent__embedding", "parent__text")
        )
        total = rows.count()
        chunks = [
            ChunkPreview(
                index=row.index,
                text=row.text,
                tokens=row.tokens,
                heading=row.heading,
                pages=row.pages,
                is_parent=row.is_parent,
                parent_index=row.parent.index if row.parent else None,
                embedded=row.dimensions is not None,
            )
            for row in rows[:PREVIEW_CHUNKS]
        ]
    return DocumentPreview(document=document, chunks=chunks, more=max(total - PREVIEW_CHUNKS, 0))
