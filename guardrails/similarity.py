"""Meaning, through the shared local embedding model (all-MiniLM-L6-v2): a prompt is embedded in
windows of a few sentences, so that one sentence on a denied topic is not diluted by kilobytes of
other text; a window in another language is embedded a second time as its English gloss
(`gloss`), since the model is English-first. The same window vectors serve denied topics and the
injection classifier (one embedding per prompt). A topic's threshold is calibrated from its own
examples and a fixed set of everyday prompts, not a constant; its counter-examples compete with
its examples for each window. For denied topics, a window in another language is also read by a
multilingual model (`multilingual`), against its own calibration: a topic is denied when either
reading comes as close to its examples as that reading's threshold."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from guardrails.encoder import ENGLISH, CachedEncoder, Vectors
from guardrails.gloss import english_readings
from guardrails.kept import kept_when_short
from guardrails.multilingual import MULTILINGUAL, in_another_script
from guardrails.normalise import base64_segments
from guardrails.policy import Topic

WINDOW_CHARACTERS = 160
OVERLAP = 40  # a sentence longer than a window is cut into pieces that overlap by this much
# Every window is read by the phrase signals and cues; this many are embedded (the first, the
# last and an even sample between, where a prompt has more): ~15 KB of text, ~0.3 s the first
# time on two cores (a chat's history is embedded once, then cached).
EMBEDDED_WINDOWS = 96
LAYOUTS_KEPT_UP_TO = 65536  # characters: a longer text's layout is made anew on each call
# Full stops and question marks of Latin, Arabic (U+061F, U+06D4), Devanagari (dandas) and CJK
SENTENCE_END = re.compile(r"(?<=[.!?\u061f\u06d4\u0964\u0965])\s+|(?<=[\u3002\uff01\uff1f])\s*|\n+")
THRESHOLD_RANGE = (0.35, 0.8)
MARGIN = 0.03  # above the closest everyday prompt

# Everyday prompts no denied topic should match: the negatives every topic is calibrated on, with
# its own counter-examples. Written in English, the language the examples are compared in.
EVERYDAY = (
    "How do I reset my password?", "Summarise this document in three bullet points.",
    "Write a polite email declining an invitation.", "What is the capital of Australia?",
    "Translate this paragraph into Spanish.", "Fix the bug in this Python function.",
    "Book a meeting room for Thursday afternoon.", "What time does the office open?",
    "Explain how a VPN works.", "Draft an agenda for the team meeting.",
    "Give me ideas for a team-building event.", "How do I export a report to Excel?",
    "What is the company policy on remote work?", "Write a haiku about autumn.",
    "How do I connect to the office printer?", "Create a checklist for onboarding.",
    "What are the steps to request holiday?", "Compare two laptops for a developer.",
    "Explain the difference between SQL and NoSQL.", "Plan a three-day trip to Lisbon.",
)  # fmt: skip


@functools.lru_cache(maxsize=1024)
def embedded_examples(texts: tuple[str, ...], encoder: CachedEncoder = ENGLISH) -> Vectors:
    """The vectors of `texts` (kept: examples are embedded once per process)."""
    return encoder.encoded(list(texts))


def windows(text: str) -> list[str]:
    """`text` cut at sentence ends into windows of at most WINDOW_CHARACTERS: short sentences
    packed together, a longer one cut where it must."""
    packed: list[str] = []
    current = ""
    for sentence in SENTENCE_END.split(text.strip()):
        if len(sentence) > WINDOW_CHARACTERS:
            # A long sentence is read in pieces of its own: its tail packed with the next
            # sentence would dilute that one (a short question after a long paragraph).
            if current:
                packed.append(current)
                current = ""
            # Overlapping, so that a phrase cut by one piece's end is whole in the next.
            step = WINDOW_CHARACTERS - OVERLAP
            packed += [sentence[i : i + WINDOW_CHARACTERS]
                       for i in range(0, len(sentence) - OVERLAP, step)]  # fmt: skip
            continue
        if current and len(current) + len(sentence) + 1 > WINDOW_CHARACTERS:
            packed.append(current)
            current = ""
        current = f"{current} {sentence}".strip()
    if current:
        packed.append(current)
    return packed


def _embedded(count: int) -> set[int]:
    """Which of `count` windows are embedded: all, or the first, the last and an even sample."""
    if count <= EMBEDDED_WINDOWS:
        return set(range(count))
    step = count / EMBEDDED_WINDOWS
    return {int(i * step) for i in range(EMBEDDED_WINDOWS - 1)} | {count - 1}


Layout = tuple[tuple[str, ...], tuple[tuple[str, tuple[int, ...]], ...]]


@kept_when_short(LAYOUTS_KEPT_UP_TO, maxsize=64)
def _layout(text: str) -> Layout:
    # The text's windows, then those of what its base64 segments say (read whole: a long one is
    # cut across windows), each read in English too where it is in another language.
    cut = windows(text) if text.strip() else []
    for hidden in base64_segments(text):
        cut += windows(hidden)
    embedded = _embedded(len(cut))
    texts: list[str] = []
    groups = []
    for number, window in enumerate(cut):
        if number not in embedded:
            groups.append((window, ()))  # read by the phrase signals and cues only
            continue
        rows = [len(texts)]
        texts.append(window)
        for reading in english_readings(window):
            rows.append(len(texts))
            texts.append(reading)
        groups.append((window, tuple(rows)))
    return tuple(texts), tuple(groups)


def window_texts(text: str) -> list[str]:
    """What is embedded of `text`: its windows, the English readings of each window in another
    language, and the windows of what its base64 segments decode to."""
    return list(_layout(text)[0])


def window_groups(text: str) -> list[tuple[str, tuple[int, ...]]]:
    """Each window of `text` (or of a decoded segment) and the rows of `window_texts(text)` that
    read it: itself, and its English readings (`gloss.english_readings`)."""
    return list(_layout(text)[1])


def window_vectors(text: str) -> Vectors:
    """One vector per window of `text` (and per gloss): what every meaning-based check of one
    call reads."""
    return ENGLISH.encoded(window_texts(text))


def foreign_window_vectors(text: str) -> Vectors:
    """The multilingual model's vector of each window of `text` that is not in English: one the
    gloss reads as another language, or one in another script."""
    foreign = [window for window, rows in _layout(text)[1]
               if len(rows) > 1 or (rows and in_another_script(window))]  # fmt: skip
    return MULTILINGUAL.encoded(foreign)


def closest(vectors: Vectors, others: Vectors) -> npt.NDArray[np.float32]:
    """For each row of `vectors`, its cosine with the nearest row of `others`."""
    if not len(vectors) or not len(others):
        return np.zeros(len(vectors), dtype=np.float32)
    return np.asarray((vectors @ others.T).max(axis=1), dtype=np.float32)


@dataclass(frozen=True)
class Calibration:
    threshold: float
    examples_apart: float  # how close the least typical example is to the others
    counter_closest: float  # how close the nearest counter-example comes to an example


@functools.lru_cache(maxsize=512)
def calibration(
    examples: tuple[str, ...], counter_examples: tuple[str, ...], encoder: CachedEncoder = ENGLISH
) -> Calibration:
    """Just above the nearest everyday prompt, or halfway to the least typical example (each
    example's nearest other) when that is further. Counter-examples are not thresholds but a
    competing class: a window nearer to one of them than to every example is allowed
    (`on_topic_by_meaning`), so a counter-example close to the topic does not lift the threshold
    for every paraphrase."""
    vectors = embedded_examples(examples, encoder)
    if len(vectors) > 1:
        similarity = vectors @ vectors.T
        np.fill_diagonal(similarity, -1.0)
        apart = float(similarity.max(axis=1).min())
    else:
        apart = THRESHOLD_RANGE[1]
    everyday = float(closest(embedded_examples(EVERYDAY, encoder), vectors).max())
    counters = embedded_examples(counter_examples, encoder)
    counter = float(closest(counters, vectors).max()) if len(counters) else 0.0
    threshold = max(everyday + MARGIN, (everyday + apart) / 2)
    low, high = THRESHOLD_RANGE
    return Calibration(round(min(high, max(low, threshold)), 3), round(apart, 3), round(counter, 3))


def topic_score(topic: Topic, vectors: Vectors, encoder: CachedEncoder = ENGLISH) -> float:
    """How close the prompt's closest window (read by `encoder`) comes to the topic's nearest
    example, counting only windows nearer to an example than to any counter-example."""
    if not topic.examples or not len(vectors):
        return 0.0
    to_examples = closest(vectors, embedded_examples(topic.examples, encoder))
    counters = embedded_examples(topic.counter_examples, encoder)
    if len(counters):
        to_examples = np.where(to_examples > closest(vectors, counters), to_examples, 0.0)
    return float(to_examples.max())


def topic_reading(topic: Topic, vectors: Vectors, encoder: CachedEncoder) -> tuple[float, float]:
    """The prompt's score for the topic read by `encoder` (`topic_score`), and the threshold the
    topic's examples calibrate for that encoder."""
    threshold = calibration(topic.examples, topic.counter_examples, encoder).threshold
    return topic_score(topic, vectors, encoder), threshold


def _close_enough(topic: Topic, vectors: Vectors, encoder: CachedEncoder) -> bool:
    score, threshold = topic_reading(topic, vectors, encoder)
    return score >= threshold


def on_topic_by_meaning(
    topic: Topic, vectors: Callable[[], Vectors], foreign: Callable[[], Vectors]
) -> bool:
    """Whether a window of the prompt is as close to the topic's examples as its threshold (and
    nearer to them than to the counter-examples): read in English (`vectors`: MiniLM's, with the
    glosses), or, for the windows in another language (`foreign`), by the multilingual model
    against its own calibration."""
    if not topic.examples:
        return False
    if _close_enough(topic, vectors(), ENGLISH):
        return True
    others = foreign()
    return bool(len(others)) and _close_enough(topic, others, MULTILINGUAL)


def forget() -> None:
    """Forget every text's windows and their vectors (a benchmark timing text never seen)."""
    _layout.cache_clear()
    ENGLISH.forget()
    MULTILINGUAL.forget()
