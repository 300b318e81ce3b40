"""A prompt tried against a policy without calling a model: what a call would get (blocked, and
by which rule; or the text as it would pass, masked), and why — each denied topic's closest
window against its calibrated threshold, and the injection classifier's probability against the
policy's. What the policy page shows, so an administrator can tune a topic on the phrasings
their people use before saving it."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

from guardrails.encoder import Vectors
from guardrails.engine import GuardrailBlocked, check, keyword_found
from guardrails.injection import attack_probability
from guardrails.normalise import readings
from guardrails.policy import Policy, Topic
from guardrails.similarity import calibration, topic_score, window_vectors


@dataclass(frozen=True)
class TopicReading:
    name: str
    keyword: str | None  # the keyword found, if one was
    score: float | None  # the closest window to an example (None: the topic has no examples)
    threshold: float | None

    @property
    def denied(self) -> bool:
        if self.keyword is not None:
            return True
        return (
            self.score is not None and self.threshold is not None and self.score >= self.threshold
        )


@dataclass(frozen=True)
class Trial:
    blocked_by: str | None
    passed_text: str | None  # as the model would read it (None when blocked)
    interventions: tuple[str, ...]
    topics: tuple[TopicReading, ...]
    injection: float | None  # the probability of an attack, when the policy checks for one
    injection_threshold: float


def _topic(topic: Topic, seen: tuple[str, ...], vectors: Callable[[], Vectors]) -> TopicReading:
    keyword = keyword_found(topic, seen)
    if not topic.examples:
        return TopicReading(topic.name, keyword, None, None)
    threshold = calibration(topic.examples, topic.counter_examples).threshold
    return TopicReading(topic.name, keyword, round(topic_score(topic, vectors()), 3), threshold)


def try_prompt(policy: Policy, text: str) -> Trial:
    """`text` as a prompt (the input direction) under `policy`."""
    try:
        verdict = check(policy, text, "input")
        blocked_by, passed, interventions = None, verdict.text, verdict.interventions
    except GuardrailBlocked as blocked:
        blocked_by, passed, interventions = blocked.policy, None, []
    vectors = functools.cache(lambda: window_vectors(text))
    seen = readings(text) if policy.topics else ()
    topics = tuple(_topic(topic, seen, vectors) for topic in policy.topics)
    injection = round(attack_probability(text, vectors), 3) if policy.injection else None
    return Trial(blocked_by, passed, tuple(f"{rule} ({action})" for rule, action in interventions),
                 topics, injection, policy.injection_threshold)  # fmt: skip
