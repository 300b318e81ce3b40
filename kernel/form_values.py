"""Ids and days as forms and query strings give them, read the same way on every page.

`str.isdigit()` is true of "²" and "٣", which `int()` refuses or reads as another number; and a
day near `date.max` overflows the moment a range adds a day to it. Both were 500s on pages."""

from __future__ import annotations

from datetime import date, timedelta

# A range ends at the instant after its last day, so the last day a range may name is the one
# before date.max.
LAST_DAY = date.max - timedelta(days=1)
# A bigint row id has at most 19 digits; 18 always fit.
MAX_ID_DIGITS = 18


def whole_number(value: str | None) -> int | None:
    """`value` as a row id or a count (ASCII digits, at most 18, surrounding spaces allowed),
    else None."""
    text = (value or "").strip()
    if text.isascii() and text.isdigit() and len(text) <= MAX_ID_DIGITS:
        return int(text)
    return None
