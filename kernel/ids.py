"""Ids of model calls (a usage event's request id, the id its caller is answered with), ordered
by time as a UUIDv7 is: 12 hex digits of Unix milliseconds, then 80 random bits. The usage
table's unique index on them then grows at its end, as the table does, instead of taking each
insert at a random page: random ids cost the recorder's COPY ~2-3 µs more an event, and an index
of random keys larger than memory would cost a read per insert (#16)."""

from __future__ import annotations

import os
import time


def time_ordered_hex() -> str:
    """32 hex digits that sort by the millisecond they were made in."""
    return f"{time.time_ns() // 1_000_000:012x}{os.urandom(10).hex()}"
