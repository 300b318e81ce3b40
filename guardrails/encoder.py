"""The embedding model the meaning-based guardrails read with: the shared local all-MiniLM-L6-v2,
run as a bfloat16 copy where the CPU multiplies bfloat16 in hardware (AMX or AVX512-BF16: the 15
windows of a 2 KB prompt in 42 ms here, against 70 ms in float32 and 51 ms under autocast, which
casts every weight on every call), in float32 elsewhere. A text's vector does not depend on what
else is in its batch (8-bit dynamic quantisation, measured too, was faster still but moved a
window's vector by up to 3% with its neighbours, so a verdict could depend on them). bfloat16
vectors agree with float32 ones to a cosine of 0.9999.

Windows already embedded are kept (`CACHE_WINDOWS`, least recently used out first): a chat sends
its whole history on every turn, and only the new turn's windows need the model."""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]  # one unit vector per row
DIMENSIONS = 384
CACHE_WINDOWS = 8192  # ~12 MiB of vectors


@functools.cache
def _bfloat16_in_hardware() -> bool:
    import torch

    return bool(torch.cpu._is_amx_tile_supported() or torch.cpu._is_avx512_bf16_supported())


def _embedded(texts: list[str]) -> Vectors:
    from providers.local import LOCAL_EMBEDDINGS

    return np.asarray(
        LOCAL_EMBEDDINGS.vectors(texts, bfloat16=_bfloat16_in_hardware()), dtype=np.float32
    )


class CachedEncoder:
    """A model's unit vectors for texts, the texts seen lately kept (least recently used out
    first), the rest embedded in one batch."""

    def __init__(self, embed: Callable[[list[str]], Vectors], dimensions: int) -> None:
        self._embed = embed
        self.dimensions = dimensions
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, npt.NDArray[np.float32]] = OrderedDict()

    def encoded(self, texts: list[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        with self._lock:
            known = {text: self._cache[text] for text in texts if text in self._cache}
            for text in known:
                self._cache.move_to_end(text)
        missing = list(dict.fromkeys(text for text in texts if text not in known))
        if missing:
            # Copies: a row kept as a view would keep its whole batch's array alive.
            fresh = {text: row.copy() for text, row in zip(missing, self._embed(missing),
                                                           strict=True)}  # fmt: skip
            with self._lock:
                self._cache.update(fresh)
                while len(self._cache) > CACHE_WINDOWS:
                    self._cache.popitem(last=False)
            known.update(fresh)
        return np.stack([known[text] for text in texts])

    def forget(self) -> None:
        with self._lock:
            self._cache.clear()

    def cached(self) -> int:
        with self._lock:
            return len(self._cache)


ENGLISH = CachedEncoder(_embedded, DIMENSIONS)


def encoded(texts: list[str]) -> Vectors:
    """One MiniLM unit vector per text; texts seen lately come from the cache, the rest from the
    model in one batch."""
    return ENGLISH.encoded(texts)


def forget() -> None:
    """Empty the cache of windows (a benchmark measuring text never seen before)."""
    ENGLISH.forget()


def cached() -> int:
    """How many windows the cache holds."""
    return ENGLISH.cached()
