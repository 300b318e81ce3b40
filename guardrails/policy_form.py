"""The guardrail policy page's form, translated to and from the policy's stored form (the body of
`PUT /t/<slug>/v1/guardrails`), so the page and the API share one service and one validation.

A topic or a word filter is a numbered group of fields (`topic-0-name`, `topic-0-examples`, ...);
a group left blank, or ticked for removal, is dropped. Lists are one item per line."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict

from guardrails.engine import NAMES
from guardrails.policy import INJECTION_THRESHOLD, PII_KINDS
from kernel.errors import InvalidInput

MAX_ROWS = 1000  # topics or word filters one form may hold
TOPIC_LISTS = ("examples", "counter_examples", "keywords")
BEDROCK_FIELDS = ("provider", "identifier", "version")


@dataclass
class Rows:
    """Where each topic and word filter of a policy came from in the form: an error about
    `denied_topics[2]` names the group the person filled in."""

    topics: list[str] = field(default_factory=list)
    filters: list[str] = field(default_factory=list)

    def named(self, message: str) -> str:
        for index, name in enumerate(self.topics):
            message = message.replace(f"denied_topics[{index}]", f"Denied topic “{name}”")
        for index, name in enumerate(self.filters):
            message = message.replace(f"word_filters[{index}]", f"Word filter “{name}”")
        return message


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _count(post: QueryDict, name: str) -> int:
    try:
        count = max(0, int(post.get(name, "0")))
    except ValueError:
        return 0
    if count > MAX_ROWS:
        raise InvalidInput(f"{name}: at most {MAX_ROWS} on this page; use the API for more.")
    return count


def _threshold(raw: str) -> object:
    raw = raw.strip()
    if not raw:
        return INJECTION_THRESHOLD
    try:
        return float(raw)
    except ValueError:
        return raw  # the policy names what is wrong with it


def policy_from_form(post: QueryDict, kept: dict[str, Any]) -> tuple[dict[str, Any], Rows]:
    """The stored form of the policy the page submitted; `kept`: the policy as stored, whose
    fields the page does not edit (the invocation log's settings) are carried over."""
    rows = Rows()
    topics = []
    for number in range(_count(post, "topics")):
        prefix = f"topic-{number}-"
        name = post.get(f"{prefix}name", "").strip()
        lists = {key: _lines(post.get(f"{prefix}{key}", "")) for key in TOPIC_LISTS}
        if post.get(f"{prefix}remove") or not (name or any(lists.values())):
            continue
        topics.append({"name": name, **lists})
        rows.topics.append(name or f"#{number + 1}")
    filters = []
    for number in range(_count(post, "filters")):
        prefix = f"filter-{number}-"
        # A regular expression as typed: spaces at its edges may be part of it.
        name, regex = post.get(f"{prefix}name", "").strip(), bool(post.get(f"{prefix}regex"))
        pattern = post.get(f"{prefix}pattern", "")
        pattern = pattern if regex else pattern.strip()
        if post.get(f"{prefix}remove") or not (name or pattern.strip()):
            continue
        filters.append({"name": name, "pattern": pattern, "regex": regex})
        rows.filters.append(name or pattern)
    bedrock = {key: post.get(f"bedrock-{key}", "").strip() for key in BEDROCK_FIELDS}
    raw = {
        **kept,
        "pii": {
            kind: post[f"pii-{kind}"]
            for kind in PII_KINDS
            if post.get(f"pii-{kind}", "off") != "off"
        },
        "denied_topics": topics,
        "word_filters": filters,
        "prompt_injection": post.get("prompt_injection") == "on",
        "prompt_injection_threshold": _threshold(post.get("prompt_injection_threshold", "")),
        "phone_regions": post.get("phone_regions", "").replace(",", " ").upper().split(),
        "bedrock_guardrail": bedrock if any(bedrock.values()) else {},
    }
    return raw, rows


def form_rows(
    raw: dict[str, Any], calibrations: dict[str, dict[str, Any]] | None = None
) -> dict[str, Any]:
    """What the page's fields show for the stored (or submitted) policy `raw`: each topic (with
    its calibration, from `calibrations` by name) and filter, and one blank group after them
    for a new one."""
    calibrations = calibrations or {}
    topics = []
    for topic in raw.get("denied_topics") or []:
        name = str(topic.get("name") or "")  # stored before names had to be text: maybe a list
        lists = {key: "\n".join(topic.get(key) or []) for key in TOPIC_LISTS}
        topics.append({"name": name, "calibration": calibrations.get(name), **lists})
    filters = [
        {"name": entry.get("name", ""), "pattern": entry.get("pattern", ""),
         "regex": bool(entry.get("regex"))}
        for entry in raw.get("word_filters") or []
    ]  # fmt: skip
    pii = raw.get("pii") or {}
    return {
        "pii": [(kind, NAMES[kind], pii.get(kind, "off")) for kind in PII_KINDS],
        "topics": [*topics, {"name": "", **dict.fromkeys(TOPIC_LISTS, "")}],
        "filters": [*filters, {"name": "", "pattern": "", "regex": False}],
        "prompt_injection": bool(raw.get("prompt_injection")),
        "prompt_injection_threshold": raw.get("prompt_injection_threshold", INJECTION_THRESHOLD),
        "phone_regions": ", ".join(raw.get("phone_regions") or []),
        "bedrock": {
            key: (raw.get("bedrock_guardrail") or {}).get(key, "") for key in BEDROCK_FIELDS
        },
    }
