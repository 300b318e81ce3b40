"""A call's id sorts by the time it was made (a UUIDv7's layout, in hex), so the usage table's
unique index on request ids grows at its end (#16); ids never repeat."""

from __future__ import annotations

import re
import time

from kernel.ids import time_ordered_hex


def test_ids_sort_by_the_millisecond_they_were_made_in_and_never_repeat() -> None:
    made = []
    for _ in range(5):
        made += [time_ordered_hex() for _ in range(200)]
        time.sleep(0.002)

    assert all(re.fullmatch(r"[0-9a-f]{32}", made_id) for made_id in made)
    assert len(set(made)) == len(made)
    milliseconds = [int(made_id[:12], 16) for made_id in made]
    assert milliseconds == sorted(milliseconds)
    assert abs(milliseconds[-1] - time.time_ns() // 1_000_000) < 1000
    assert made[-1] > made[0]
