"""A prompt tried against a policy without calling a model: what a call would get (blocked, and
by which rule; or the text as it would pass, masked), and why — each denied topic's closest
window against its calibrated threshold, and the injection classifier's probability against the
policy's. What the policy page shows, so an administrator can tune a topic on the phrasings
their people use before saving it."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass

from guardrails.encoder import ENGLISH, Vectors
from guardrails.engine import GuardrailBlocked, check, keyword_found
from guardrails.injection import attack_probability
from guardrails.multilingual import MULTILINGUAL
from guardrails.normalise import readings
from guardrails.policy import Policy, Topic
from guardrails.similarity import foreign_window_vectors, topic_reading, window_vectors


@dataclass(frozen=True)
class TopicReading:
    name: str
    keyword: str | None  # the keyword found, if one was
    score: float | None  # the closest window to an example (None: the topic has no examples)
    threshold: float | None
    # The same, for the windows in another language, read by the multilingual model (None: no
    # such window, or no examples)
    foreign_score: float | None = None
    foreign_threshold: float | None = None

    @property
    def score_shown(self) -> str:
        return _shown(self.score)

    @property
    def foreign_score_shown(self) -> str:
        return _shown(self.foreign_score)

    @property
    def denied(self) -> bool:
        if self.keyword is not None:
            return True
        return _reaches(self.score, self.threshold) or _reaches(
            self.foreign_score, self.foreign_threshold
        )


def _shown(score: float | None) -> str:
    """Three decimals, cut rather than rounded: a score just under its threshold (which has at
    most three) never shows as reaching it."""
    return "—" if score is None else f"{math.floor(score * 1000 + 1e-9) / 1000:.3f}"


def _reaches(score: float | None, threshold: float | None) -> bool:
    return score is not None and threshold is not None and score >= threshold


@dataclass(frozen=True)
class Trial:
    blocked_by: str | None
    passed_text: str | None  # as the model would read it (None when blocked)
    interventions: tuple[str, ...]
    topics: tuple[TopicReading, ...]
    injection: float | None  # the probability of an attack, when the policy checks for one
    injection_threshold: float

    @property
    def injection_shown(self) -> str:
        return _shown(self.injection)


def _topic(
    topic: Topic, seen: tuple[str, ...], vectors: Callable[[], Vectors],
    foreign: Callable[[], Vectors],
) -> TopicReading:  # fmt: skip
    keyword = keyword_found(topic, seen)
    if not topic.examples:
        return TopicReading(topic.name, keyword, None, None)
    score, threshold = topic_reading(topic, vectors(), ENGLISH)
    # Scores as measured (the page shows three decimals): rounded, one just under its threshold
    # could read as denied when the call it previews passes.
    if not len(foreign()):
        return TopicReading(topic.name, keyword, score, threshold)
    other_score, other = topic_reading(topic, foreign(), MULTILINGUAL)
    return TopicReading(topic.name, keyword, score, threshold, other_score, other)


def try_prompt(policy: Policy, text: str) -> Trial:
    """`text` as a prompt (the input direction) under `policy`."""
    try:
        verdict = check(policy, text, "input")
        blocked_by, passed, interventions = None, verdict.text, verdict.interventions
    except GuardrailBlocked as blocked:
        blocked_by, passed, interventions = blocked.policy, None, []
    vectors = functools.cache(lambda: window_vectors(text))
    foreign = functools.cache(lambda: foreign_window_vectors(text))
    seen = readings(text) if policy.topics else ()
    topics = tuple(_topic(topic, seen, vectors, foreign) for topic in policy.topics)
    injection = attack_probability(text, vectors) if policy.injection else None  # as measured
    return Trial(blocked_by, passed, tuple(f"{rule} ({action})" for rule, action in interventions),
                 topics, injection, policy.injection_threshold)  # fmt: skip
