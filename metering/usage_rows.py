"""A usage event as the queue carries it: one line of PostgreSQL's COPY text format, its values in
the order of COLUMNS, written by the web process that served the call. The recorder hands a batch
of lines to COPY as they came, so its own work per event is reading it from Redis (#16).

The line is written by psycopg's own COPY formatter (its C implementation, with the adapters that
write every other value we send PostgreSQL), so a line holds exactly what `Copy.write_row` would
send. A layout (the columns, in order) is named by its digest, and each release's web processes
register theirs in Redis: a recorder of any release reads by column name the lines another
release queued (a rolling upgrade).
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Sequence
from datetime import datetime
from operator import itemgetter
from typing import Any

import psycopg
from django.db import models
from psycopg._copy_base import format_row_text  # the formatter `Copy.write_row` uses
from psycopg.adapt import Transformer

from kernel.redis_keys import platform_key
from metering.models import UsageEvent

COLUMNS = [
    column
    for field in UsageEvent._meta.concrete_fields
    if (column := field.column) is not None and column not in {"id", "created_at"}
]
# An event queued before a column existed (by a web process of an older release) takes the
# column's default ("" for a text without one), so an upgrade never wedges the recorder on a NOT
# NULL column. No queued column has a callable default.
DEFAULTS = {
    field.column: field.get_default()
    for field in UsageEvent._meta.concrete_fields
    if field.column in COLUMNS and not (field.has_default() and callable(field.default))
}
ROW_VALUES = itemgetter(*COLUMNS)  # an event's values in the order of COLUMNS

LAYOUTS = platform_key("usage-layouts")  # hash: layout digest -> its columns, as JSON
LAYOUT = hashlib.sha256(",".join(COLUMNS).encode()).hexdigest()[:16]
ROW_FIELD = f"row:{LAYOUT}".encode()
ROW_PREFIX = b"row:"
EVENT_FIELD = b"event"  # an event queued as a JSON object (releases before lines, or odd values)

# What can make a value unwritable as a line: a type psycopg cannot adapt, a NUL in a text.
UNWRITABLE = (psycopg.Error, TypeError, ValueError)

_local = threading.local()


class UnknownLayout(ValueError):
    """A line whose layout no release registered."""


def _transformer() -> Transformer:
    """One per thread: a transformer caches the adapter of each type it met."""
    try:
        transformer: Transformer = _local.transformer
    except AttributeError:
        transformer = _local.transformer = Transformer()
    return transformer


# psycopg writes a datetime in ~1.2 µs, isoformat in ~0.3 (PostgreSQL reads either): a third of a
# line's time, paid by the web process on every call.
_QUEUED_FIELDS = [field for field in UsageEvent._meta.concrete_fields if field.column in COLUMNS]
_TIMES = [at for at, field in enumerate(_QUEUED_FIELDS) if isinstance(field, models.DateTimeField)]


def copy_line(row: Sequence[Any]) -> bytes:
    """`row` as one line of COPY text (ending in a newline); raises one of UNWRITABLE."""
    line = bytearray()
    format_row_text(row, _transformer(), line)
    return bytes(line)


def event_row(fields: dict[str, Any]) -> Sequence[Any]:
    """The values of an event given by column name, in the order of COLUMNS; the default of a
    column it lacks."""
    try:
        row: Sequence[Any] = ROW_VALUES(fields)
    except KeyError:  # queued by an older release: a column it did not know
        row = ROW_VALUES({**DEFAULTS, **fields})
    return row


def event_line(fields: dict[str, Any]) -> bytes:
    """An event given by column name as a line of this release's layout; raises one of
    UNWRITABLE."""
    values = list(event_row(fields))
    for at in _TIMES:
        if isinstance(value := values[at], datetime):
            values[at] = value.isoformat()
    return copy_line(values)


def is_one_line(raw: bytes, width: int) -> bool:
    """Whether `raw` is one whole line of `width` values: a line cut short or run together with
    another must not reach COPY beside the rest of a batch."""
    return raw.endswith(b"\n") and raw.count(b"\n") == 1 and raw.count(b"\t") == width - 1


_ESCAPED = re.compile(rb"\\(.)")
_UNESCAPE = {b"b": b"\b", b"f": b"\f", b"n": b"\n", b"r": b"\r", b"t": b"\t", b"v": b"\v"}


def _value(text: bytes) -> str | None:
    if text == b"\\N":
        return None
    plain = _ESCAPED.sub(lambda match: _UNESCAPE.get(match[1], match[1]), text)
    return plain.decode("utf-8", "backslashreplace")


def line_fields(raw: bytes, layout: Sequence[str]) -> dict[str, str | None]:
    """A line's values by column name, as text (None for NULL); ValueError if it does not have
    the layout's width."""
    values = [_value(text) for text in raw.removesuffix(b"\n").split(b"\t")]
    return dict(zip(layout, values, strict=True))
