"""What a guardrail policy says, validated whole, and the one a call obeys: the platform's floor
combined with the tenant's own, the stricter of the two winning everywhere."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from kernel.errors import InvalidInput

PII_KINDS = ("email", "phone", "card", "iban", "ssn", "ip")
ACTIONS = ("off", "mask", "block")
STRICTNESS = {action: rank for rank, action in enumerate(ACTIONS)}


@dataclass(frozen=True)
class Topic:
    name: str
    examples: tuple[str, ...]
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class WordFilter:
    name: str
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class BedrockGuardrail:
    provider: str  # a catalogue provider of kind bedrock: region, endpoint, credentials
    identifier: str
    version: str


@dataclass(frozen=True)
class Policy:
    pii: dict[str, str]
    topics: tuple[Topic, ...]
    words: tuple[WordFilter, ...]
    injection: bool
    bedrock: tuple[BedrockGuardrail, ...] = ()

    @property
    def empty(self) -> bool:
        return not (any(a != "off" for a in self.pii.values()) or self.topics or self.words
                    or self.injection or self.bedrock)  # fmt: skip


NO_POLICY = Policy({}, (), (), False)


def _bedrock(raw: Any) -> tuple[BedrockGuardrail, ...]:
    if not raw:
        return ()
    if not isinstance(raw, dict) or not all(
        isinstance(raw.get(key), str) and raw[key].strip()
        for key in ("provider", "identifier", "version")
    ):
        raise InvalidInput("bedrock_guardrail: {provider, identifier, version}, all three as text.")
    return (BedrockGuardrail(raw["provider"].strip(), raw["identifier"].strip(),
                             raw["version"].strip()),)  # fmt: skip


def _strings(raw: Any, field: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
        raise InvalidInput(f"{field}: a list of strings.")
    return tuple(item.strip() for item in raw if item.strip())


def parse(raw: dict[str, Any]) -> Policy:
    """A policy from its stored or submitted form; InvalidInput names the first bad field."""
    pii = raw.get("pii") or {}
    if not isinstance(pii, dict):
        raise InvalidInput("pii: an object of kind -> off | mask | block.")
    for kind, action in pii.items():
        if kind not in PII_KINDS:
            raise InvalidInput(f"pii.{kind}: unknown kind (use {', '.join(PII_KINDS)}).")
        if action not in ACTIONS:
            raise InvalidInput(f"pii.{kind}: {action!r} is not off, mask or block.")
    topics = []
    for number, topic in enumerate(raw.get("denied_topics") or []):
        field = f"denied_topics[{number}]"
        if not isinstance(topic, dict) or not str(topic.get("name", "")).strip():
            raise InvalidInput(f"{field}: each topic needs a name.")
        examples = _strings(topic.get("examples"), f"{field}.examples")
        keywords = _strings(topic.get("keywords"), f"{field}.keywords")
        if not examples and not keywords:
            raise InvalidInput(f"{field}: give example phrases, keywords, or both.")
        topics.append(Topic(str(topic["name"]).strip(), examples, keywords))
    words = []
    for number, entry in enumerate(raw.get("word_filters") or []):
        field = f"word_filters[{number}]"
        if not isinstance(entry, dict) or not str(entry.get("pattern", "")).strip():
            raise InvalidInput(f"{field}: each filter needs a pattern.")
        pattern = str(entry["pattern"])
        source = pattern if entry.get("regex") else rf"\b{re.escape(pattern)}\b"
        try:
            compiled = re.compile(source, re.IGNORECASE)
        except re.error as error:
            raise InvalidInput(
                f"{field}.pattern: not a valid regular expression ({error})."
            ) from None
        words.append(WordFilter(str(entry.get("name") or pattern), compiled))
    injection = raw.get("prompt_injection", False)
    if not isinstance(injection, bool):
        raise InvalidInput("prompt_injection: true or false.")
    return Policy(dict(pii), tuple(topics), tuple(words), injection,
                  _bedrock(raw.get("bedrock_guardrail")))  # fmt: skip


def weakenings(floor: Policy, proposed: Policy) -> list[str]:
    """Where `proposed` is looser than the floor (a tenant may only add to it)."""
    found = [
        f"pii.{kind}: the platform requires at least {action!r}"
        for kind, action in floor.pii.items()
        if STRICTNESS[proposed.pii.get(kind, "off")] < STRICTNESS[action]
    ]
    names = {topic.name for topic in proposed.topics}
    found += [f"denied_topics: the platform requires {t.name!r}" for t in floor.topics
              if t.name not in names]  # fmt: skip
    patterns = {w.pattern.pattern for w in proposed.words}
    found += [f"word_filters: the platform requires {w.name!r}" for w in floor.words
              if w.pattern.pattern not in patterns]  # fmt: skip
    if floor.injection and not proposed.injection:
        found.append("prompt_injection: the platform requires it on")
    return found


def combined(floor: Policy, own: Policy) -> Policy:
    """What a call obeys: every rule of both, the stricter action per PII kind."""
    pii = dict(floor.pii)
    for kind, action in own.pii.items():
        if STRICTNESS[action] > STRICTNESS[pii.get(kind, "off")]:
            pii[kind] = action
    topics = {t.name: t for t in (*floor.topics, *own.topics)}
    words = {w.pattern.pattern: w for w in (*floor.words, *own.words)}
    bedrock = tuple(dict.fromkeys((*floor.bedrock, *own.bedrock)))
    return Policy(pii, tuple(topics.values()), tuple(words.values()),
                  floor.injection or own.injection, bedrock)  # fmt: skip
