"""Tables (Word, HTML, CSV) become one block per row, each cell named by its column, so a row
found by search still says what its values mean."""

from __future__ import annotations

from knowledge.extraction.blocks import Block


def _row_text(header: list[str] | None, cells: list[str]) -> str:
    """A table row as "column: value; ..." (values only when there is no header)."""
    parts = []
    for position, raw in enumerate(cells):
        value = " ".join(raw.split())
        if not value:
            continue
        if header is None:
            parts.append(value)
            continue
        name = header[position] if position < len(header) and header[position] else ""
        parts.append(f"{name or f'column {position + 1}'}: {value}")
    return "; ".join(parts)


def table_blocks(header: list[str] | None, rows: list[list[str]]) -> list[Block]:
    """The rows below `header` as row blocks; empty rows are dropped."""
    rendered = (_row_text(header, cells) for cells in rows)
    return [Block(kind="row", text=text) for text in rendered if text]
