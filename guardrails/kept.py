"""A cache for what a check makes of a text, kept only for texts short enough to be worth it:
a chat re-sends its system prompt and history on every turn, so what was made of them is asked
for again; a long document is not kept (one would hold megabytes of readings)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class KeptWhenShort(Generic[T]):
    """`make(text)`, remembered for the `maxsize` texts up to `up_to` characters used last."""

    def __init__(self, make: Callable[[str], T], up_to: int, maxsize: int) -> None:
        self._make = make
        self._up_to = up_to
        self._kept = functools.lru_cache(maxsize=maxsize)(make)
        functools.update_wrapper(self, make)

    def __call__(self, text: str) -> T:
        return self._kept(text) if len(text) <= self._up_to else self._make(text)

    def cache_clear(self) -> None:
        self._kept.cache_clear()


def kept_when_short(up_to: int, maxsize: int) -> Callable[[Callable[[str], T]], KeptWhenShort[T]]:
    """Decorator: `KeptWhenShort(function, up_to, maxsize)`."""
    return lambda make: KeptWhenShort(make, up_to, maxsize)
