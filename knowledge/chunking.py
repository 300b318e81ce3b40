"""Chunking of extracted documents into pieces the embedding model can take: fixed token windows
with overlap, recursive by structure (headings, paragraphs, sentences), or hierarchical
parent-child (children are matched, their parent is returned as context).

Every piece is a contiguous slice of `Extracted.text`, and the same input always gives the same
pieces: ingestion resumes by piece index after a crash."""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from knowledge.extraction import BLOCK_SEPARATOR, Block, Extracted
from knowledge.tokens import MODEL_MAX_TOKENS, SPECIAL_TOKENS_PER_INPUT, count_tokens, tokenize

MIN_CHUNK_TOKENS = 32
# The model adds [CLS] and [SEP] to every input, inside its limit.
MAX_CHUNK_TOKENS = MODEL_MAX_TOKENS - SPECIAL_TOKENS_PER_INPUT
HEADING_SEPARATOR = " > "

_DEFAULTS: dict[str, dict[str, int]] = {
    "fixed": {"chunk_tokens": 200, "overlap_tokens": 40},
    "recursive": {"chunk_tokens": 200},
    "hierarchical": {"chunk_tokens": 128, "parent_tokens": 800},
}
CHUNKING_KINDS = tuple(_DEFAULTS)
# Children overlap by an eighth of their size, so a sentence cut at a window edge is still
# matched whole in one of them.
_CHILD_OVERLAP_DIVISOR = 8
# A sentence ends at . ! or ? (maybe followed by a closing quote or bracket) and white space, or
# at a line break.
_KIND_ERROR = f"kind: must be one of {', '.join(_DEFAULTS)}."
_SENTENCE_BREAK = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"')\]]))\s+|\s*\n\s*")


@dataclass(frozen=True)
class ChunkingStrategy:
    """How a knowledge base cuts its documents; validated on construction."""

    kind: str  # "fixed" | "recursive" | "hierarchical"
    chunk_tokens: int = 200
    overlap_tokens: int = 40  # fixed only
    parent_tokens: int = 800  # hierarchical only

    def __post_init__(self) -> None:
        if self.kind not in _DEFAULTS:
            raise ValueError(_KIND_ERROR)
        _require_whole_number("chunk_tokens", self.chunk_tokens)
        if not MIN_CHUNK_TOKENS <= self.chunk_tokens <= MAX_CHUNK_TOKENS:
            raise ValueError(
                f"chunk_tokens: must be from {MIN_CHUNK_TOKENS} to {MAX_CHUNK_TOKENS} (the "
                "embedding model's input limit)."
            )
        _require_whole_number("overlap_tokens", self.overlap_tokens)
        if self.kind == "fixed" and not 0 <= self.overlap_tokens < self.chunk_tokens / 2:
            raise ValueError("overlap_tokens: must be from 0 to less than half of chunk_tokens.")
        _require_whole_number("parent_tokens", self.parent_tokens)
        if self.kind == "hierarchical" and not (
            2 * self.chunk_tokens <= self.parent_tokens <= 8 * self.chunk_tokens
        ):
            raise ValueError("parent_tokens: must be from 2 to 8 times chunk_tokens.")

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> ChunkingStrategy:
        """Build from stored or submitted settings; a ValueError names the offending field."""
        if not isinstance(raw, dict):
            raise ValueError("strategy: must be an object with a kind.")
        kind = raw.get("kind")
        if not isinstance(kind, str) or kind not in _DEFAULTS:
            raise ValueError(_KIND_ERROR)
        allowed = _DEFAULTS[kind]
        for name in raw:
            if name != "kind" and name not in allowed:
                raise ValueError(f"{name}: is not a setting of the {kind} strategy.")
        return cls(kind=kind, **{name: raw.get(name, default) for name, default in allowed.items()})

    def as_dict(self) -> dict[str, Any]:
        """The settings that apply to this kind, as `from_dict` takes them."""
        return {"kind": self.kind} | {name: getattr(self, name) for name in _DEFAULTS[self.kind]}


def _require_whole_number(name: str, value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"{name}: must be a whole number of tokens.")


@dataclass(frozen=True)
class Piece:
    """One chunk of a document, numbered in document order."""

    index: int  # parents and children are numbered in one sequence
    text: str
    tokens: int
    heading: str  # the heading path in force, e.g. "Chapter 2 > Budgets"; "" if none
    page: int | None  # PDFs: the page the piece starts on
    parent_index: int | None = None  # hierarchical children: their parent's index
    is_parent: bool = False  # hierarchical parents: context only, never embedded or matched
    last_page: int | None = None  # PDFs: the page it ends on (a piece may span pages)


def chunk(extracted: Extracted, strategy: ChunkingStrategy) -> list[Piece]:
    """Cut a document into pieces as the strategy says; deterministic for the same input."""
    document = _Document(extracted)
    if strategy.kind == "fixed":
        windows = _windows(
            document.text, 0, len(document.text), strategy.chunk_tokens, strategy.overlap_tokens
        )
        return [
            document.piece(index, window, document.heading_at(window.start))
            for index, window in enumerate(windows)
        ]
    if strategy.kind == "recursive":
        return [
            document.piece(index, span, heading)
            for index, (heading, span) in enumerate(_recursive(document, strategy.chunk_tokens))
        ]
    return _hierarchical(document, strategy)


@dataclass(frozen=True)
class _Span:
    """A slice of the document text and its token count."""

    start: int
    end: int
    tokens: int


@dataclass(frozen=True)
class _Placed:
    """A block with its position in the document text and the heading path in force there."""

    block: Block
    start: int
    end: int
    heading: str


@dataclass
class _Section:
    """The blocks under one heading path; headings with no text of their own before the next
    heading join it, so they are never pieces on their own."""

    heading: str
    blocks: list[_Placed] = field(default_factory=list)
    first_body: _Placed | None = None


class _Document:
    def __init__(self, extracted: Extracted) -> None:
        self.text = extracted.text
        self.placed: list[_Placed] = []
        path: list[tuple[int, str]] = []
        cursor = 0
        for block in extracted.blocks:
            if block.kind == "heading":
                while path and path[-1][0] >= block.level:
                    path.pop()
                path.append((block.level, " ".join(block.text.split())))
            end = cursor + len(block.text)
            heading = HEADING_SEPARATOR.join(title for _, title in path)
            self.placed.append(_Placed(block=block, start=cursor, end=end, heading=heading))
            cursor = end + len(BLOCK_SEPARATOR)
        self._starts = [placed.start for placed in self.placed]

    def _at(self, offset: int) -> _Placed:
        return self.placed[max(bisect_right(self._starts, offset) - 1, 0)]

    def heading_at(self, offset: int) -> str:
        return self._at(offset).heading

    def piece(
        self,
        index: int,
        span: _Span,
        heading: str,
        *,
        parent_index: int | None = None,
        is_parent: bool = False,
    ) -> Piece:
        return Piece(
            index=index,
            text=self.text[span.start : span.end],
            tokens=span.tokens,
            heading=heading,
            page=self._at(span.start).block.page,
            parent_index=parent_index,
            is_parent=is_parent,
            last_page=self._at(span.end - 1).block.page,
        )

    def sections(self) -> list[_Section]:
        sections: list[_Section] = []
        for placed in self.placed:
            is_heading = placed.block.kind == "heading"
            if not sections or (is_heading and sections[-1].first_body is not None):
                sections.append(_Section(heading=placed.heading))
            section = sections[-1]
            section.blocks.append(placed)
            if is_heading:
                section.heading = placed.heading
            elif section.first_body is None:
                section.first_body = placed
        return sections


def _recursive(document: _Document, limit: int) -> Iterator[tuple[str, _Span]]:
    """Sections, then paragraphs, then sentences, then token windows, each piece within `limit`;
    consecutive small units of one section are merged up to the limit."""
    for section in document.sections():
        units: list[_Span] = []
        for placed in section.blocks:
            # The section's headings come first; the first text after them leaves them room.
            headings = sum(unit.tokens for unit in units) if placed is section.first_body else 0
            lead = headings if headings <= limit // 2 else 0
            units.extend(_units(document.text, placed.start, placed.end, limit, lead))
        for span in _merged(units, limit):
            yield section.heading, span


def _units(text: str, start: int, end: int, limit: int, lead: int) -> list[_Span]:
    """A block as one unit if it fits, else its sentences, cutting sentences that still do not
    fit into even token windows. The first unit fits in `limit - lead`."""
    start, end = _trimmed(text, start, end)
    if start == end:
        return []
    tokens = count_tokens(text[start:end])
    if tokens <= limit - lead:
        return [_Span(start, end, tokens)]
    units: list[_Span] = []
    for sentence_start, sentence_end in _sentences(text, start, end):
        reserved = 0 if units else lead
        tokens = count_tokens(text[sentence_start:sentence_end])
        if tokens <= limit - reserved:
            units.append(_Span(sentence_start, sentence_end, tokens))
        else:
            units.extend(
                _windows(text, sentence_start, sentence_end, limit, 0, even=True, lead=reserved)
            )
    return units


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    sentences = []
    cursor = start
    for match in _SENTENCE_BREAK.finditer(text, start, end):
        if match.start() > cursor:
            sentences.append((cursor, match.start()))
        cursor = match.end()
    if cursor < end:
        sentences.append((cursor, end))
    return sentences


def _merged(units: list[_Span], limit: int) -> list[_Span]:
    """Greedily join consecutive units while they fit. Units meet at white space or at a word
    boundary, where the tokenizer cuts anyway, so their counts add up."""
    merged: list[_Span] = []
    for unit in units:
        last = merged[-1] if merged else None
        if last is not None and last.tokens + unit.tokens <= limit:
            merged[-1] = _Span(last.start, unit.end, last.tokens + unit.tokens)
        else:
            merged.append(unit)
    return merged


def _windows(
    text: str,
    start: int,
    end: int,
    size: int,
    overlap: int,
    *,
    even: bool = False,
    lead: int = 0,
) -> list[_Span]:
    """Token windows of at most `size` pieces over text[start:end], each starting about
    `overlap` pieces before the previous one ends; cuts fall between words unless one word alone
    is longer than a window. `even` shares the pieces evenly between the fewest windows that
    take them, rather than leaving a scrap at the end; `lead` pieces (a heading) will join the
    first window, which leaves them room."""
    tokenized = tokenize(text[start:end])
    spans, starts_word = tokenized.spans, tokenized.starts_word
    total = lead + len(spans)
    count = max(math.ceil((total - overlap) / (size - overlap)), 1)
    step = (total - overlap) / count
    windows: list[_Span] = []
    first = 0
    while first < len(spans):
        room = size - lead if not windows else size
        # Aim each even window at its share of the text, never past its room.
        target = round(overlap + (len(windows) + 1) * step) - lead if even else len(spans)
        stop = _window_stop(starts_word, first, max(min(room, target - first), 1))
        window = _Span(start + spans[first][0], start + spans[stop - 1][1], stop - first)
        if not (starts_word[first] and (stop == len(spans) or starts_word[stop])):
            # Cut inside a word: the slice re-tokenizes differently, so count it again.
            window, stop = _fitted(text, window, spans, start, first, stop, room)
        windows.append(window)
        if stop == len(spans):
            break
        first = _next_first(starts_word, first, stop, overlap)
    return windows


def _fitted(
    text: str,
    window: _Span,
    spans: tuple[tuple[int, int], ...],
    offset: int,
    first: int,
    stop: int,
    size: int,
) -> tuple[_Span, int]:
    """Shrink a window cut inside a word until its slice, counted alone, fits `size`."""
    while True:
        tokens = count_tokens(text[window.start : window.end])
        if tokens <= size or stop - first == 1:
            return _Span(window.start, window.end, tokens), stop
        stop -= 1
        window = _Span(window.start, offset + spans[stop - 1][1], 0)


def _window_stop(starts_word: tuple[bool, ...], first: int, size: int) -> int:
    stop = min(first + size, len(starts_word))
    if stop == len(starts_word) or starts_word[stop]:
        return stop
    word_start = next((i for i in range(stop - 1, first, -1) if starts_word[i]), None)
    return word_start if word_start is not None else stop


def _next_first(starts_word: tuple[bool, ...], first: int, stop: int, overlap: int) -> int:
    """Where the next window starts: at a word start about `overlap` pieces before `stop`,
    always after `first` so windows move forward."""
    word_starts = [i for i in range(first + 1, stop + 1) if starts_word[i]]
    if not word_starts:
        return max(stop - overlap, first + 1)
    within_overlap = [i for i in word_starts if i >= stop - overlap]
    return within_overlap[0] if within_overlap else word_starts[-1]


def _hierarchical(document: _Document, strategy: ChunkingStrategy) -> list[Piece]:
    """Parents are recursive pieces up to `parent_tokens`; children are small overlapping
    windows inside each parent, numbered right after it."""
    child_overlap = strategy.chunk_tokens // _CHILD_OVERLAP_DIVISOR
    pieces: list[Piece] = []
    for heading, parent in _recursive(document, strategy.parent_tokens):
        parent_index = len(pieces)
        pieces.append(document.piece(parent_index, parent, heading, is_parent=True))
        for child in _windows(
            document.text, parent.start, parent.end, strategy.chunk_tokens, child_overlap, even=True
        ):
            pieces.append(document.piece(len(pieces), child, heading, parent_index=parent_index))
    return pieces
