"""CSV: the first row is the header, every other row one block naming its columns; the separator
(comma, semicolon, tab, bar) is sniffed, since spreadsheets export all of them."""

from __future__ import annotations

import csv
import io

from knowledge.extraction.blocks import Block
from knowledge.extraction.errors import ExtractionError
from knowledge.extraction.media_types import CSV
from knowledge.extraction.tables import table_blocks
from knowledge.extraction.text_decoding import decode_text


def read_csv(data: bytes) -> list[Block]:
    """A CSV file's data rows; a malformed line or a header with no data is refused."""
    text = decode_text(data, CSV)
    sample = text[:65536].rsplit("\n", 1)[0] if len(text) > 65536 else text
    dialect: type[csv.Dialect] | csv.Dialect
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        rows = [[cell.strip() for cell in row] for row in reader if any(c.strip() for c in row)]
    except csv.Error as error:
        raise ExtractionError(
            f"This CSV file could not be read at line {reader.line_num} ({error}). Check that "
            "line's quotes and separators, or export the sheet again, and upload it again."
        ) from None
    if len(rows) == 1:
        raise ExtractionError(
            "This CSV file has a header row but no data rows. Check that it is the export you "
            "meant to upload."
        )
    return table_blocks(rows[0], rows[1:]) if rows else []
