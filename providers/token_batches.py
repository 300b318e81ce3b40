"""Texts grouped into batches for a transformer so that little of its work is padding.

A batch is padded to its longest text. One batch of everything wastes most of its work when the
lengths differ (a prompt in several scripts: windows of 7 to 144 tokens, 1,170 tokens padded to
2,304); one batch per text pays a forward pass's fixed cost (every weight read, ~100 modules
called) each time. `padded_batches` chooses, among the texts sorted longest first, the cuts that
cost least by a measured model of a forward pass: `FORWARD_COST` plus each padded token's
cost, which grows with the batch's length (attention reads every other token)."""

from __future__ import annotations

from collections.abc import Sequence

# all-MiniLM-L6-v2 in bfloat16 on two cores: one forward pass costs ~8 ms plus ~0.09 ms a token
# at 32 tokens and ~0.125 ms at 144; so a pass costs as much as ~90 padded tokens.
FORWARD_COST = 90.0
ATTENTION_LENGTH = 400.0  # a token costs (1 + length / ATTENTION_LENGTH) times a short one


def _cost(rows: int, length: int) -> float:
    return FORWARD_COST + rows * length * (1.0 + length / ATTENTION_LENGTH)


def padded_batches(lengths: Sequence[int], largest: int) -> list[list[int]]:
    """Indices into `lengths` (each text's length in tokens) in batches of at most `largest`,
    longest texts first, cut where the padding saved pays for another forward pass."""
    order = sorted(range(len(lengths)), key=lambda i: lengths[i], reverse=True)
    # best[j]: the least cost of the first j texts of `order`; cut[j]: where its last batch starts
    best = [0.0] + [float("inf")] * len(order)
    cut = [0] * (len(order) + 1)
    for end in range(1, len(order) + 1):
        for start in range(max(0, end - largest), end):
            cost = best[start] + _cost(end - start, lengths[order[start]])
            if cost < best[end]:
                best[end], cut[end] = cost, start
    batches: list[list[int]] = []
    end = len(order)
    while end:
        batches.append(order[cut[end] : end])
        end = cut[end]
    return batches[::-1]
