"""Vector arithmetic shared by guardrails (topic similarity), the answer cache and evaluation."""

from __future__ import annotations

import math
from collections.abc import Sequence


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    """Cosine similarity; 0 when either vector is all zeros."""
    norms = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    if norms == 0:
        return 0.0
    return sum(x * y for x, y in zip(a, b, strict=True)) / norms
