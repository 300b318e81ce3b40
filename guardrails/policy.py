"""What a guardrail policy says, validated whole, and the one a call obeys: the platform's floor
combined with the tenant's own, the stricter of the two winning everywhere.

Word filters are written by tenant and platform administrators and run on every call of the
shared web process, so they run on RE2, whose time is linear in the text: a pattern such as
`(a+)+$` cannot stall the process. Patterns RE2 cannot run (backreferences, lookaround) are
refused when a policy is saved."""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass
from typing import Any, Protocol, cast

import phonenumbers
import re2

from guardrails.recognizers import DEFAULT_PHONE_REGIONS
from kernel.errors import InvalidInput

logger = logging.getLogger("atrium.guardrails")

PII_KINDS = ("email", "phone", "card", "iban", "ssn", "ip", "nino", "steuer_id", "nir",
             "dni_nie", "codice_fiscale", "bsn")  # fmt: skip
ACTIONS = ("off", "mask", "block")
STRICTNESS = {action: rank for rank, action in enumerate(ACTIONS)}
# The probability of an attack at or above which the injection classifier blocks a prompt, and
# what a policy may set instead (`prompt_injection_threshold`; the stricter of floor and tenant).
INJECTION_THRESHOLD = 0.5
INJECTION_THRESHOLD_RANGE = (0.05, 0.95)
# The fields of a policy's body (and of a topic, a word filter, a Bedrock guardrail in it).
POLICY_FIELDS = ("pii", "denied_topics", "word_filters", "prompt_injection",
                 "prompt_injection_threshold", "phone_regions", "bedrock_guardrail")  # fmt: skip
TOPIC_KEYS = ("name", "examples", "keywords", "counter_examples")
FILTER_KEYS = ("name", "pattern", "regex")
BEDROCK_KEYS = ("provider", "identifier", "version")


@dataclass(frozen=True)
class Topic:
    name: str
    examples: tuple[str, ...]
    keywords: tuple[str, ...]
    counter_examples: tuple[str, ...] = ()  # close to the topic and allowed: calibrate on them


class Matcher(Protocol):
    def search(self, text: str) -> object | None: ...


@dataclass(frozen=True)
class WordFilter:
    name: str
    source: str  # the regular expression as compiled: a filter's identity across policies
    matcher: Matcher
    spelt_together: Matcher | None = None  # a plain phrase with its spaces left out
    # How many visible characters (not spaces) a match can span: a plain phrase (or a regular
    # expression's longest match) spelt out with a dot between letters, and a character each
    # side; None for a regular expression whose matches have no bound a stream can wait for.
    reach: int | None = None
    pattern: str = ""  # as written (a phrase's edge spaces dropped): what the policy stores
    regex: bool = False


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
    phone_regions: tuple[str, ...] = DEFAULT_PHONE_REGIONS
    injection_threshold: float = INJECTION_THRESHOLD

    @property
    def empty(self) -> bool:
        return not (any(a != "off" for a in self.pii.values()) or self.topics or self.words
                    or self.injection or self.bedrock)  # fmt: skip

    @property
    def reads_answers(self) -> bool:
        """Whether a model's answers are checked (PII, word filters, Bedrock; topics and
        injection read prompts only)."""
        return any(a != "off" for a in self.pii.values()) or bool(self.words or self.bedrock)


NO_POLICY = Policy({}, (), (), False)


def _bedrock(raw: Any, *, saved: bool) -> tuple[BedrockGuardrail, ...]:
    if raw is None or raw == {}:
        return ()
    field = "bedrock_guardrail"
    if not isinstance(raw, dict):
        raise InvalidInput(f"{field}: {{provider, identifier, version}}, all three as text.",
                           param=field)  # fmt: skip
    _refuse_unknown_keys(raw, BEDROCK_KEYS, field, saved=saved)
    for key in BEDROCK_KEYS:
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise InvalidInput(f"{field}.{key}: text (give provider, identifier and version).",
                               param=f"{field}.{key}")  # fmt: skip
    return (BedrockGuardrail(*(raw[key].strip() for key in BEDROCK_KEYS)),)


def _strings(raw: Any, field: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
        raise InvalidInput(f"{field}: a list of strings.", param=field)
    return tuple(item.strip() for item in raw if item.strip())


def _text(entry: dict[str, Any], key: str, field: str, *, saved: bool) -> str:
    """`entry[key]` as text ("" when missing or null). A policy stored before types were
    checked is read as it was then (`str()`, a null included: "None"), so it keeps applying as
    it did rather than failing every call it governs."""
    value = entry.get(key)
    if value is None:
        return "None" if saved and key in entry else ""
    if isinstance(value, str):
        return value
    if saved:
        return str(value)
    raise InvalidInput(f"{field}.{key}: text.", param=f"{field}.{key}")


def _flag(raw: Any, field: str, *, saved: bool = False) -> bool:
    """A boolean; missing or null is False. `"false"` is refused rather than read as true."""
    if raw is None:
        return False
    if isinstance(raw, bool):
        return raw
    if saved:
        return bool(raw)
    raise InvalidInput(f"{field}: true or false.", param=field)


def _refuse_unknown_keys(
    entry: dict[str, Any], known: tuple[str, ...], field: str, *, saved: bool
) -> None:
    unknown = [key for key in entry if key not in known]
    if unknown and not saved:  # a stored policy's extra keys were always ignored
        raise InvalidInput(f"{field}.{unknown[0]}: unknown field (use {', '.join(known)}).",
                           param=f"{field}.{unknown[0]}")  # fmt: skip


_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.case_sensitive = False
_RE2_OPTIONS.log_errors = False  # a refused pattern is the caller's error, not a log line
# Python's \b counts every Unicode letter and digit as part of a word, RE2's only ASCII ones: a
# whole-word filter spells the boundary out, so "café" still stops "café latte".
_NOT_WORD_CHARACTER = r"[^\pL\pN_]"


def _whole_word(word: str) -> str:
    def is_word(character: str) -> bool:
        return character.isalnum() or character == "_"

    before = rf"(?:\A|{_NOT_WORD_CHARACTER})" if is_word(word[0]) else ""
    after = rf"(?:\z|{_NOT_WORD_CHARACTER})" if is_word(word[-1]) else ""
    return f"{before}{re2.escape(word)}{after}"


@functools.lru_cache(maxsize=1024)
def whole_word(word: str) -> Matcher:
    """Finds `word` as a whole word, in any case (a topic's keyword, a plain word filter)."""
    return cast(Matcher, re2.compile(_whole_word(word), _RE2_OPTIONS))


REGEX_LONGEST_BOUNDED = 120  # characters: a longer bound waits as an unbounded one does (256)
_MATCHES_EVERYTHING = cast(Matcher, re2.compile("", _RE2_OPTIONS))


def _word_filter(entry: Any, field: str, *, saved: bool) -> WordFilter:
    if not isinstance(entry, dict):
        raise InvalidInput(f"{field}: an object {{name, pattern, regex}}.", param=field)
    _refuse_unknown_keys(entry, FILTER_KEYS, field, saved=saved)
    written = _text(entry, "pattern", field, saved=saved)
    if not written.strip():
        raise InvalidInput(f"{field}: each filter needs a pattern.", param=f"{field}.pattern")
    regex = _flag(entry.get("regex"), f"{field}.regex", saved=saved)
    # A phrase's edge spaces would have to be matched too; a regular expression's are its own.
    pattern = written if regex else written.strip()
    name = (
        entry.get("name") is not None and _text(entry, "name", field, saved=saved).strip()
    ) or pattern
    if not regex:
        together = "".join(pattern.split())
        return WordFilter(name, _whole_word(pattern), whole_word(pattern),
                          whole_word(together) if together != pattern else None,
                          2 * len(together) + 2, pattern)  # fmt: skip
    try:
        re.compile(pattern)
    except re.error as error:
        raise InvalidInput(f"{field}.pattern: not a valid regular expression ({error}).") from None
    try:
        matcher = re2.compile(pattern, _RE2_OPTIONS)
        return WordFilter(name, pattern, matcher, None, _regex_reach(pattern), pattern, True)
    except re2.error as error:
        if not saved:
            raise InvalidInput(
                f"{field}.pattern: {_re2_reason(error)}; guardrail patterns must run in linear "
                "time, so backreferences and lookaround (?=, ?!, ?<=, ?<!) are not supported."
            ) from None
    # Saved before patterns had to suit RE2. Running it on Python's backtracking engine would keep
    # the shared process open to a catastrophic pattern, and dropping it would let through what it
    # blocked: the filter fails closed, and its refusal says what to do.
    logger.warning("guardrails: %s %r predates the RE2 rule; re-save the policy", field, pattern)
    return WordFilter(
        f"{name} (an administrator must re-save this pattern for RE2)", pattern,
        _MATCHES_EVERYTHING, pattern=pattern, regex=True,
    )  # fmt: skip


def _regex_reach(pattern: str) -> int | None:
    """A stream's hold-back for a regular expression: twice its longest match and two (as for a
    phrase), or None where it has no bound (`+`, `*`) or a long one. The width is read from the
    pattern's parse tree by Python's own parser (`re._parser`, the module behind `re.compile`)."""
    try:
        longest = re._parser.parse(pattern).getwidth()[1]  # type: ignore[attr-defined]
    except Exception:  # a private API: should it move, the stream waits longest
        return None
    return 2 * longest + 2 if longest <= REGEX_LONGEST_BOUNDED else None


def _re2_reason(error: re2.error) -> str:
    reason = error.args[0] if error.args else ""
    return reason.decode(errors="replace") if isinstance(reason, bytes) else str(reason)


def _phone_regions(raw: Any) -> tuple[str, ...]:
    regions = _strings(raw, "phone_regions")
    if not regions:
        return DEFAULT_PHONE_REGIONS
    unknown = [r for r in regions if r.upper() not in phonenumbers.SUPPORTED_REGIONS]
    if unknown:
        raise InvalidInput(f"phone_regions: {unknown[0]!r} is not a region code (US, GB, DE, ...).")
    return tuple(dict.fromkeys(r.upper() for r in regions))


def _listed(raw: dict[str, Any], field: str) -> list[Any]:
    value = raw.get(field)
    if value is None:
        return []
    if not isinstance(value, list):
        raise InvalidInput(f"{field}: a list.", param=field)
    return value


def _topic(entry: Any, field: str, *, saved: bool) -> Topic:
    if not isinstance(entry, dict):
        raise InvalidInput(f"{field}: an object {{name, examples, keywords, counter_examples}}.",
                           param=field)  # fmt: skip
    _refuse_unknown_keys(entry, TOPIC_KEYS, field, saved=saved)
    name = _text(entry, "name", field, saved=saved).strip()
    if not name:
        raise InvalidInput(f"{field}: each topic needs a name.", param=f"{field}.name")
    examples = _strings(entry.get("examples"), f"{field}.examples")
    keywords = _strings(entry.get("keywords"), f"{field}.keywords")
    if not examples and not keywords:
        raise InvalidInput(f"{field}: give example phrases, keywords, or both.", param=field)
    counter = _strings(entry.get("counter_examples"), f"{field}.counter_examples")
    return Topic(name, examples, keywords, counter)


def parse(raw: dict[str, Any], *, saved: bool = False) -> Policy:
    """A policy from its submitted (or, with `saved`, its stored) form; InvalidInput names the
    first bad field. A missing field or null means its default; any other value of the wrong
    type is refused (`{"pii": 0}` is no empty policy, `"false"` is not false)."""
    pii = raw.get("pii")
    if pii is None:
        pii = {}
    if not isinstance(pii, dict):
        raise InvalidInput("pii: an object of kind -> off | mask | block.", param="pii")
    for kind, action in pii.items():
        if kind not in PII_KINDS:
            raise InvalidInput(f"pii.{kind}: unknown kind (use {', '.join(PII_KINDS)}).")
        if action not in ACTIONS:
            raise InvalidInput(f"pii.{kind}: {action!r} is not off, mask or block.")
    topics = [_topic(entry, f"denied_topics[{number}]", saved=saved)
              for number, entry in enumerate(_listed(raw, "denied_topics"))]  # fmt: skip
    words = [_word_filter(entry, f"word_filters[{number}]", saved=saved)
             for number, entry in enumerate(_listed(raw, "word_filters"))]  # fmt: skip
    return Policy(dict(pii), tuple(topics), tuple(words),
                  _flag(raw.get("prompt_injection"), "prompt_injection", saved=saved),
                  _bedrock(raw.get("bedrock_guardrail"), saved=saved),
                  _phone_regions(raw.get("phone_regions")),
                  _injection_threshold(raw.get("prompt_injection_threshold")))  # fmt: skip


def stored_form(policy: Policy) -> dict[str, Any]:
    """What is stored for a policy `parse` accepted: its values as parsed (types checked, text
    trimmed, defaults filled in), never the submitted body, so every reader of the stored
    policy (its page, the API, the floor's every tenant) meets the shapes it expects."""
    return {
        "pii": dict(policy.pii),
        "denied_topics": [
            {"name": t.name, "examples": list(t.examples), "keywords": list(t.keywords),
             "counter_examples": list(t.counter_examples)} for t in policy.topics
        ],
        "word_filters": [
            {"name": w.name, "pattern": w.pattern, "regex": w.regex} for w in policy.words
        ],
        "prompt_injection": policy.injection,
        "prompt_injection_threshold": policy.injection_threshold,
        "phone_regions": (
            [] if policy.phone_regions == DEFAULT_PHONE_REGIONS else list(policy.phone_regions)
        ),
        "bedrock_guardrail": next(
            ({"provider": b.provider, "identifier": b.identifier, "version": b.version}
             for b in policy.bedrock), {}
        ),
    }  # fmt: skip


def _injection_threshold(raw: Any) -> float:
    if raw is None:
        return INJECTION_THRESHOLD
    low, high = INJECTION_THRESHOLD_RANGE
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not low <= raw <= high:
        raise InvalidInput(f"prompt_injection_threshold: a probability from {low} to {high} "
                           "(lower blocks more; 0.5 by default).",
                           param="prompt_injection_threshold")  # fmt: skip
    return float(raw)


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
    patterns = {w.source for w in proposed.words}
    found += [f"word_filters: the platform requires {w.name!r}" for w in floor.words
              if w.source not in patterns]  # fmt: skip
    if floor.injection and not proposed.injection:
        found.append("prompt_injection: the platform requires it on")
    if floor.injection and proposed.injection_threshold > floor.injection_threshold:
        found.append(f"prompt_injection_threshold: the platform requires at most "
                     f"{floor.injection_threshold}")  # fmt: skip
    return found


def combined(floor: Policy, own: Policy) -> Policy:
    """What a call obeys: every rule of both, the stricter action per PII kind. The floor's
    topics and filters apply as the platform wrote them, whatever the tenant's policy holds
    under the same name or pattern (saved under an older floor, narrowed or widened): a tenant's
    version of a floor topic applies beside it, never instead of it."""
    pii = dict(floor.pii)
    for kind, action in own.pii.items():
        if STRICTNESS[action] > STRICTNESS[pii.get(kind, "off")]:
            pii[kind] = action
    topics = (*floor.topics, *(t for t in own.topics if t not in floor.topics))
    floor_sources = {w.source for w in floor.words}
    words = (*floor.words, *(w for w in own.words if w.source not in floor_sources))
    bedrock = tuple(dict.fromkeys((*floor.bedrock, *own.bedrock)))
    regions = tuple(dict.fromkeys((*floor.phone_regions, *own.phone_regions)))
    thresholds = [p.injection_threshold for p in (floor, own) if p.injection]
    return Policy(pii, topics, words,
                  floor.injection or own.injection, bedrock, regions,
                  min(thresholds, default=INJECTION_THRESHOLD))  # fmt: skip
