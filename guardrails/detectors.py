"""PII detection: candidates from each kind's recognizer (`recognizers`: a pattern for the shape,
the maintained libraries for the checksum), scored by the words before them (`context_words`),
then resolved where they overlap — the higher score first, the longer on a tie — so an IBAN is
not also a card and a card is not also a phone number."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from stdnum import iban, luhn

from guardrails.context_words import REPORTED, scored
from guardrails.recognizers import (
    DEFAULT_PHONE_REGIONS,
    NEEDS,
    RECOGNIZERS,
    Candidate,
    phones,
    signs_in,
)


@dataclass(frozen=True)
class Finding:
    kind: str
    start: int
    end: int


def luhn_valid(digits: str) -> bool:
    return luhn.is_valid(digits)


def iban_valid(text: str) -> bool:
    return iban.is_valid(text)


def _candidates(text: str, kinds: set[str], regions: tuple[str, ...]) -> Iterator[Candidate]:
    # Every cheap recognizer runs whatever the policy enables, so that an IBAN still keeps its
    # digits from being reported as a card when only cards are masked; the phone matcher is the
    # slow one and runs only when phones are asked for. A recognizer runs only on text that
    # holds what every match of it needs (`recognizers.NEEDS`): most prose has no digit.
    signs = signs_in(text)
    for kind, recognise in RECOGNIZERS.items():
        if not NEEDS[kind] or NEEDS[kind] & signs:
            yield from recognise(text)
    if "phone" in kinds and NEEDS["phone"] & signs:
        yield from phones(text, regions)


def find_pii(
    text: str, kinds: set[str], regions: tuple[str, ...] = DEFAULT_PHONE_REGIONS
) -> Iterator[Finding]:
    """Every span of `kinds` in `text` (phone numbers as dialled in `regions` or with a +country
    code), in text order, none overlapping another."""
    if not kinds:
        return
    scored_candidates = [
        (scored(c.kind, c.score, text[: c.start], bare=not c.checked), c)
        for c in _candidates(text, kinds, regions)
    ]
    kept: list[Candidate] = []
    # The surer candidate first, the longer on a tie, then a kind the policy asks for (nine bare
    # digits that pass a BSN's check are still an SSN to a policy that masks only SSNs), then one
    # that something checked; on the same span, the recognizers' order (a checksum-backed
    # identifier before a phone number: the sort is stable).
    for score, candidate in sorted(
        scored_candidates,
        key=lambda sc: (
            -sc[0], sc[1].start - sc[1].end, sc[1].kind not in kinds, not sc[1].checked
        ),
    ):
        if score < REPORTED or any(candidate.start < k.end and k.start < candidate.end
                                   for k in kept):  # fmt: skip
            continue
        kept.append(candidate)
    for candidate in sorted(kept, key=lambda c: c.start):
        if candidate.kind in kinds:
            yield Finding(candidate.kind, candidate.start, candidate.end)
