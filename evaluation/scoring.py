"""How an answer is scored against the expected one: exact match (after normalising case,
whitespace and punctuation at the ends), token F1 (as SQuAD scores it) and semantic similarity
(cosine of the shared local embedding model's vectors). Pure functions but the last, which runs
the embedding model in this process (it is not a tenant's call, so it is not metered)."""

from __future__ import annotations

import re
import string
from collections import Counter

from kernel.vectors import cosine

WORD = re.compile(r"\w+")
ARTICLES = frozenset({"a", "an", "the"})
ENDS = (
    string.punctuation + "\u201c\u201d\u2018\u2019\u00ab\u00bb\u2026"
)  # typographic quotes, ellipsis


def normalise(text: str) -> str:
    """Lower case, runs of whitespace as one space, punctuation at either end dropped."""
    return " ".join(text.lower().split()).strip(ENDS + " ")


def exact_match(answer: str, expected: str) -> bool:
    return normalise(answer) == normalise(expected)


def tokens(text: str) -> list[str]:
    """Lower-case word tokens without articles: what SQuAD compares."""
    return [word for word in WORD.findall(text.lower()) if word not in ARTICLES]


def token_f1(answer: str, expected: str) -> float:
    """Harmonic mean of the precision and recall of the answer's tokens (SQuAD's F1)."""
    said, wanted = tokens(answer), tokens(expected)
    if not said or not wanted:
        return float(said == wanted)
    shared = sum((Counter(said) & Counter(wanted)).values())
    if shared == 0:
        return 0.0
    precision, recall = shared / len(said), shared / len(wanted)
    return 2 * precision * recall / (precision + recall)


def similarities(pairs: list[tuple[str, str]]) -> list[float]:
    """Cosine similarity of each (answer, expected), embedded in one batch; an empty answer
    (none came, or it was blocked) scores 0."""
    from providers.local import LOCAL_EMBEDDINGS  # loads the model on first use only

    texts = [text for pair in pairs for text in pair if pair[0].strip()]
    vectors = iter(LOCAL_EMBEDDINGS._embed(texts).vectors if texts else [])
    scores = []
    for answer, _ in pairs:
        if not answer.strip():
            scores.append(0.0)
            continue
        said, wanted = next(vectors), next(vectors)
        scores.append(max(0.0, min(1.0, cosine(said, wanted))))
    return scores
