"""Applying a policy to text going to a model (input) or coming back (output): block with the
policy's name (never echoing the text), or mask PII in place. Streams pass through a sliding
window (`StreamGuard`), so an identifier split across chunks is still caught before any part of
it reaches the client."""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from guardrails import bedrock
from guardrails.detectors import Finding, find_pii
from guardrails.encoder import Vectors
from guardrails.injection import is_injection
from guardrails.normalise import INVISIBLE, readings
from guardrails.policy import Policy, Topic, whole_word
from guardrails.recognizers import ANY_DIGIT
from guardrails.scripts import UNSPACED_CHARACTER
from guardrails.similarity import (
    SENTENCE_END,
    foreign_window_vectors,
    on_topic_by_meaning,
    window_vectors,
)
from kernel.errors import DomainError

logger = logging.getLogger("atrium.guardrails")

LABELS = {"email": "EMAIL", "phone": "PHONE", "card": "CARD NUMBER", "iban": "IBAN",
          "ssn": "SSN", "ip": "IP ADDRESS", "nino": "NI NUMBER", "steuer_id": "STEUER-ID",
          "nir": "NIR", "dni_nie": "DNI/NIE", "codice_fiscale": "CODICE FISCALE",
          "bsn": "BSN"}  # fmt: skip
NAMES = {"email": "email address", "phone": "phone number", "card": "payment card number",
         "iban": "IBAN", "ssn": "US social security number", "ip": "IP address",
         "nino": "UK National Insurance number", "steuer_id": "German tax ID (Steuer-ID)",
         "nir": "French social security number (NIR)", "dni_nie": "Spanish DNI/NIE",
         "codice_fiscale": "Italian codice fiscale",
         "bsn": "Dutch citizen service number (BSN)"}  # fmt: skip


class GuardrailBlocked(DomainError):
    status_code = 400
    code = "guardrail_blocked"

    def __init__(self, policy: str, direction: str) -> None:
        where = "your request" if direction == "input" else "the model's answer"
        super().__init__(f"The guardrail policy '{policy}' blocked {where}.")
        self.policy = policy
        self.direction = direction


@dataclass
class Verdict:
    text: str
    interventions: list[tuple[str, str]] = field(default_factory=list)  # (policy, action)


def keyword_found(topic: Topic, seen: tuple[str, ...]) -> str | None:
    """The first of the topic's keywords in any of the text's readings `seen`."""
    found = (k for k in topic.keywords if any(whole_word(k).search(r) for r in seen))
    return next(found, None)


def _on_topic(
    topic: Topic, seen: tuple[str, ...], vectors: Callable[[], Vectors],
    foreign: Callable[[], Vectors],
) -> bool:  # fmt: skip
    if keyword_found(topic, seen) is not None:
        return True
    return on_topic_by_meaning(topic, vectors, foreign)


def blocking_rule(policy: Policy, text: str, direction: str, *, pii: bool = True) -> str | None:
    """The name of the first rule that blocks `text`, or None (`pii`: False leaves the PII set
    to block to the caller: a stream judges an identifier only once it is whole)."""
    # The normalised readings serve word filters and topic keywords only: a PII-only policy
    # (the common one, run on every chunk of a stream) does not pay for them.
    needs_readings = policy.words or (direction == "input" and policy.topics)
    seen = readings(text) if needs_readings else ()
    for word in policy.words:
        matchers = (word.matcher, word.spelt_together) if word.spelt_together else (word.matcher,)
        if any(matcher.search(reading) for matcher in matchers for reading in seen):
            return f"word filter: {word.name}"
    # PII before the checks by meaning: a few milliseconds that can spare the embedding.
    for finding in _findings(policy, text, "block") if pii else ():
        return f"PII: {NAMES[finding.kind]}"
    if direction != "input" or not (policy.injection or policy.topics):
        return None
    vectors = functools.cache(lambda: window_vectors(text))  # one embedding for both checks
    if policy.injection and is_injection(text, vectors, policy.injection_threshold):
        return "prompt-injection protection"
    foreign = functools.cache(lambda: foreign_window_vectors(text))  # read only if needed
    for topic in policy.topics:
        if _on_topic(topic, seen, vectors, foreign):
            return f"denied topic: {topic.name}"
    return None


def _findings(policy: Policy, text: str, action: str) -> Iterator[Finding]:
    kinds = {kind for kind, set_to in policy.pii.items() if set_to == action}
    return find_pii(text, kinds, policy.phone_regions)


def _masked(text: str, findings: list[Finding]) -> str:
    for finding in sorted(findings, key=lambda f: f.start, reverse=True):
        text = f"{text[: finding.start]}[{LABELS[finding.kind]}]{text[finding.end :]}"
    return text


def _through_bedrock(policy: Policy, text: str, direction: str) -> Verdict:
    verdict = Verdict(text)
    for guardrail in policy.bedrock:
        rule = f"Amazon Bedrock guardrail {guardrail.identifier}"
        passed, blocked = bedrock.apply(guardrail, verdict.text, direction)
        if blocked:
            raise GuardrailBlocked(rule, direction)
        if passed != verdict.text:
            verdict = Verdict(passed, [*verdict.interventions, (rule, "mask")])
    return verdict


def check(policy: Policy, text: str, direction: str) -> Verdict:
    """`text` as it may pass (masked where the policy says so), or GuardrailBlocked."""
    if policy.empty or not text:
        return Verdict(text)
    rule = blocking_rule(policy, text, direction)
    if rule is not None:
        raise GuardrailBlocked(rule, direction)
    findings = list(_findings(policy, text, "mask"))
    masked = [(f"PII: {NAMES[f.kind]}", "mask") for f in findings]
    verdict = _through_bedrock(policy, _masked(text, findings), direction)
    return Verdict(verdict.text, masked + verdict.interventions)


def _run_start(text: str, at: int, *, unspaced_end_it: bool = False) -> int:
    """Where the unbroken run of characters (no whitespace) that reaches `at` begins; with
    `unspaced_end_it`, a character of a script written without spaces ends it too (no
    identifier holds one: a Japanese answer is not one run, held back until its end)."""
    while at > 0 and not text[at - 1].isspace():
        if unspaced_end_it and UNSPACED_CHARACTER.match(text[at - 1]):
            break
        at -= 1
    return at


def _last_words(text: str, size: int) -> str:
    """The last `size` characters of `text`, less the part of a word they would start in:
    context cut mid-word would read as a word of its own ("ass" of "class"). A letter of a
    script written without spaces starts a word too: Japanese context is kept from the first
    one ("詳細はreference" is not the word "reference")."""
    if len(text) <= size or text[-size - 1].isspace():
        return text[-size:]
    tail = text[-size:]
    for at, character in enumerate(tail):
        if character.isspace():
            return tail[at + 1 :]
        if UNSPACED_CHARACTER.match(character):
            return tail[at:]
    return ""


BEDROCK_BATCH = 200
BEDROCK_MOST = 1000  # characters: one text unit of Bedrock Guardrails


def _batch_end(text: str) -> int:
    """Where a batch for the Bedrock guardrail may end in `text` (0: not yet): after the last
    sentence end (as the windows of meaning cut them: a full stop with no space after it may be
    a decimal point still arriving) once BEDROCK_BATCH characters came, else at a space past
    BEDROCK_MOST."""
    if len(text) < BEDROCK_BATCH:
        return 0
    ends = [match.end() for match in SENTENCE_END.finditer(text, BEDROCK_BATCH - 1)]
    if ends:
        return ends[-1]
    if len(text) < BEDROCK_MOST:
        return 0
    space = text.rfind(" ", 0, BEDROCK_MOST)  # a line break is a sentence's end, above
    return space + 1 if space > 0 else len(text)


def _batch_part(rewritten: str, context: str, batch: str) -> str:
    """The part of Bedrock's `rewritten` context + batch that stands for the batch. Where the
    rewrite reaches into the context (sent already: "call Maria" + " Keller tomorrow." as "call
    {NAME} tomorrow."), the batch's part is the rewrite from where it departs from what was
    sent, so that what the batch adds ("Keller") is never passed as it was."""
    if rewritten.startswith(context):
        return rewritten[len(context) :]
    sent = 0
    while sent < len(context) and sent < len(rewritten) and rewritten[sent] == context[sent]:
        sent += 1
    same_end = 0
    original = context + batch
    while (same_end < len(batch) and same_end < len(rewritten) - sent
           and rewritten[-1 - same_end] == original[-1 - same_end]):  # fmt: skip
        same_end += 1
    if same_end == len(batch):
        return batch  # the rewrite is all in the context
    changed = rewritten[sent : len(rewritten) - same_end]
    return changed + (batch[len(batch) - same_end :] if same_end else "")


# After an identifier: punctuation, white space, then two letters of a word.
FOLLOWED_BY_A_WORD = re.compile(r"[^\w\s]*\s+[^\W\d_]{2}")


class StreamGuard:
    """Output checks over a stream: text is held back until no later chunk can make it part of
    something a rule stops, then released (masked where the policy says so).

    With PII checks alone, that is the last LEAD characters, and, when a digit came in the last
    WINDOW characters, everything from LEAD characters before the first of them: every kind of
    identifier but three holds a digit, at most LEAD characters after its start (a NINO's "AB "),
    and is at most ~45 characters long (an IBAN with spaces), so it is seen whole before any of
    it is released. The three without are unbroken runs (an email address, an IPv6 address of
    hex letters, a codice fiscale whose digits are letters), held back from their start, up to
    MAX_RUN characters (past that, WINDOW). A word filter in force holds back at least WINDOW
    characters and as many visible ones (not spaces, not zero-width) as its longest match can
    span (a phrase, or a regular expression's longest match, spelt letter by letter with dots
    between), REGEX_VISIBLE for a regular expression with no bound. The last CONTEXT
    characters released are read again with what is held, so a
    "part no." or "social security number" already sent still scores the number after it, for
    masking and for blocking alike."""

    WINDOW = 64
    LEAD = 8
    REGEX_VISIBLE = 256
    MAX_RUN = 320  # an email address is at most 254 characters
    CONTEXT = 56  # from a word's start, at least the 40 that context words are looked for in
    BEDROCK_CONTEXT = 160

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        reaches = [self.REGEX_VISIBLE if w.reach is None else w.reach for w in policy.words]
        self.filter_reach = max(reaches, default=0)  # visible characters
        self.pending = ""
        self.released_tail = ""
        self.interventions: list[tuple[str, str]] = []
        self.for_bedrock = ""  # released by our checks, not yet read by the Bedrock guardrail
        self.bedrock_context = ""  # the end of what it passed last (as it passed it)

    def feed(self, text: str) -> str:
        """What may be sent now (possibly masked); raises GuardrailBlocked."""
        self.pending += text
        return self._release(final=False)

    def flush(self) -> str:
        return self._release(final=True)

    def _release(self, *, final: bool) -> str:
        if self.policy.empty:
            released, self.pending = self.pending, ""
            return released
        read = self.released_tail + self.pending
        shift = len(self.released_tail)
        rule = blocking_rule(self.policy, read if final else self._complete(read), "output",
                             pii=False)  # fmt: skip
        if rule is not None:
            raise GuardrailBlocked(rule, "output")
        cut = len(self.pending) if final else self._unfinished_from()

        def held(action: str) -> list[Finding]:
            return [Finding(f.kind, f.start - shift, f.end - shift)
                    for f in _findings(self.policy, read, action) if f.start >= shift]  # fmt: skip

        # An identifier is judged whole: one still coming may turn out another kind (the
        # groups of an IBAN read as a phone number) or no identifier at all. Whole: before
        # what may still change, or followed by a word ("..., keep it"), which no identifier's
        # groups run on into.
        blocked = sorted(held("block"), key=lambda f: f.start)
        for finding in blocked:
            if finding.end <= cut or FOLLOWED_BY_A_WORD.match(read, shift + finding.end):
                # Named by the first in the text, as the whole answer's check names it (those
                # before this one are followed by it, so are whole too).
                raise GuardrailBlocked(f"PII: {NAMES[blocked[0].kind]}", "output")
            cut = min(cut, finding.start)
        findings = held("mask")
        for finding in findings:
            if finding.start < cut < finding.end:
                cut = finding.start  # never release part of an identifier
        whole = [f for f in findings if f.end <= cut]
        self.interventions += [(f"PII: {NAMES[f.kind]}", "mask") for f in whole]
        out = _masked(self.pending[:cut], whole)
        self.released_tail = _last_words(self.released_tail + self.pending[:cut], self.CONTEXT)
        self.pending = self.pending[cut:]
        return self._through_bedrock(out, final=final) if self.policy.bedrock else out

    def _through_bedrock(self, released: str, *, final: bool) -> str:
        """What our checks released, read by the Bedrock guardrail in batches of whole
        sentences (at least BEDROCK_BATCH characters, or at most about BEDROCK_MOST cut at a
        space) with the end of the batch before it as context, as Bedrock's own synchronous
        stream mode does: a fragment of a few tokens is no text to judge a topic or a name by,
        and each ApplyGuardrail call bills at least one text unit of 1,000 characters."""
        self.for_bedrock += released
        cut = len(self.for_bedrock) if final else _batch_end(self.for_bedrock)
        batch, self.for_bedrock = self.for_bedrock[:cut], self.for_bedrock[cut:]
        if not batch.strip():
            return batch
        context = self.bedrock_context
        verdict = _through_bedrock(self.policy, context + batch, "output")
        passed = _batch_part(verdict.text, context, batch)
        if batch[-1].isspace() and not passed[-1:].isspace():
            passed += batch[len(batch.rstrip()) :]  # a rewrite that trimmed the batch's end
        self.interventions += verdict.interventions
        self.bedrock_context = _last_words(context + passed, self.BEDROCK_CONTEXT)
        return passed

    def _unfinished_from(self) -> int:
        """Where the text that a later chunk could still turn into an identifier (or a filtered
        phrase) begins."""
        end = len(self.pending)
        digit = ANY_DIGIT.search(self.pending, max(0, end - self.WINDOW))
        cut = min(end - self.LEAD, digit.start() - self.LEAD if digit else end)
        if self.filter_reach:
            cut = min(cut, end - self.WINDOW, self._visible_back(self.filter_reach))
        cut = max(0, cut)
        # A word filter matches whole words, and in Japanese or Chinese no space says where a
        # word ends ("機密" is not a word of "機密情報"): with one in force, the run under way
        # is held back to the next space, as the check reads it (`_complete`).
        run_start = _run_start(self.pending, cut, unspaced_end_it=not self.policy.words)
        return run_start if cut - run_start <= self.MAX_RUN else max(0, min(cut, end - self.WINDOW))

    def _complete(self, read: str) -> str:
        """`read` without the run of characters still under way at its end (held back until
        it is whole): "ass" is no word of its own while "essment" may follow. A run longer than
        MAX_RUN is read whole: it is being released."""
        run_start = _run_start(read, len(read))
        return read[:run_start] if len(read) - run_start <= self.MAX_RUN else read

    def _visible_back(self, count: int) -> int:
        """Where the last `count` visible characters of what is held begin (padding of spaces
        or invisible characters, variation selectors included, does not count: the readings a
        filter sees drop it)."""
        seen = 0
        for at in range(len(self.pending) - 1, -1, -1):
            character = self.pending[at]
            if not character.isspace() and ord(character) not in INVISIBLE:
                seen += 1
                if seen >= count:
                    return at
        return 0
