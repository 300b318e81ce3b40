"""Tool-call arguments after masking: still JSON. A mask put where a JSON number stood
(`{"phone": 4930123456}` masked as `{"phone": [PHONE]}`) leaves text no program can parse; the
label is quoted there (`{"phone": "[PHONE]"}`). Nothing is unmasked: only quotes are added."""

from __future__ import annotations

import json
import re

from guardrails.engine import LABELS

# A mask label where a JSON value begins (after ":", "[" or ","), not inside a string.
_BARE_LABEL = re.compile(
    r"([:\[,]\s*)(\[(?:" + "|".join(map(re.escape, LABELS.values())) + r")\])(?=\s*[,\]}])"
)


def still_json(original: str, masked: str) -> str:
    """`masked` (the guardrails' reading of `original`), its bare labels quoted where `original`
    was JSON and `masked` no longer is."""
    if masked == original or not _parses(original) or _parses(masked):
        return masked
    quoted = _BARE_LABEL.sub(r'\1"\2"', masked)
    return quoted if _parses(quoted) else masked


def _parses(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True
