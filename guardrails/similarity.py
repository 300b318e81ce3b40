"""Meaning, through the shared local embedding model (all-MiniLM-L6-v2): a prompt is embedded in
windows of a few sentences, so that one sentence on a denied topic is not diluted by kilobytes of
other text; the same window vectors serve denied topics and the injection classifier (one
embedding per prompt). A topic's threshold is calibrated from its own examples and
counter-examples, not a constant."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from guardrails.policy import Topic
from kernel.vectors import cosine

WINDOW_CHARACTERS = 160
MAX_WINDOWS = 24  # a longer prompt is read in its first and last windows and a sample between
SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[\u3002\uff01\uff1f])\s*|\n+")  # CJK stops too
DEFAULT_TOPIC_THRESHOLD = 0.5
THRESHOLD_RANGE = (0.35, 0.8)

Vector = list[float]


def _embedded(texts: list[str]) -> list[Vector]:
    from providers.local import LOCAL_EMBEDDINGS

    return LOCAL_EMBEDDINGS._embed(texts).vectors


@functools.lru_cache(maxsize=512)
def embedded_examples(texts: tuple[str, ...]) -> tuple[Vector, ...]:
    return tuple(_embedded(list(texts))) if texts else ()


def windows(text: str) -> list[str]:
    """`text` cut at sentence ends into windows of at most WINDOW_CHARACTERS (a longer sentence
    is cut where it must)."""
    packed: list[str] = []
    current = ""
    for sentence in SENTENCE_END.split(text.strip()):
        while len(sentence) > WINDOW_CHARACTERS:
            packed.append(sentence[:WINDOW_CHARACTERS])
            sentence = sentence[WINDOW_CHARACTERS:]
        if current and len(current) + len(sentence) + 1 > WINDOW_CHARACTERS:
            packed.append(current)
            current = ""
        current = f"{current} {sentence}".strip()
    if current:
        packed.append(current)
    if len(packed) > MAX_WINDOWS:
        step = len(packed) / MAX_WINDOWS
        packed = [packed[int(i * step)] for i in range(MAX_WINDOWS - 1)] + [packed[-1]]
    return packed


def window_vectors(text: str) -> list[Vector]:
    """One vector per window of `text`: what every meaning-based check of one call reads."""
    return _embedded(windows(text)) if text.strip() else []


def _closest(vector: Vector, others: tuple[Vector, ...]) -> float:
    return max((cosine(vector, other) for other in others), default=0.0)


@dataclass(frozen=True)
class Calibration:
    threshold: float
    examples_apart: float  # how close the least typical example is to the others
    counter_closest: float  # how close the nearest counter-example is to an example


@functools.lru_cache(maxsize=256)
def calibration(examples: tuple[str, ...], counter_examples: tuple[str, ...]) -> Calibration:
    """Halfway between how close the examples are to one another (each to its nearest other,
    the least of those) and how close the nearest counter-example comes; without
    counter-examples, a little below the examples' own closeness."""
    vectors = embedded_examples(examples)
    apart = DEFAULT_TOPIC_THRESHOLD
    if len(vectors) > 1:
        apart = min(_closest(v, vectors[:i] + vectors[i + 1 :]) for i, v in enumerate(vectors))
    counters = embedded_examples(counter_examples)
    closest = max((_closest(c, vectors) for c in counters), default=0.0)
    threshold = (apart + closest) / 2 if counters and closest < apart else apart - 0.05
    low, high = THRESHOLD_RANGE
    return Calibration(round(min(high, max(low, threshold)), 3), round(apart, 3), round(closest, 3))


def on_topic_by_meaning(topic: Topic, vectors: list[Vector]) -> bool:
    """Whether any window of the prompt is as close to the topic's examples as its threshold."""
    if not topic.examples or not vectors:
        return False
    threshold = calibration(topic.examples, topic.counter_examples).threshold
    examples = embedded_examples(topic.examples)
    return any(_closest(vector, examples) >= threshold for vector in vectors)
