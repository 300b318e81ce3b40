"""The labelled set the guardrails are measured on is reproducible, and its labels are right:
each labelled value passes its identifier's own check, and the scoring counts what it says."""

from __future__ import annotations

from stdnum import iban, luhn
from stdnum.es import dni, nie
from stdnum.it import codicefiscale
from stdnum.nl import bsn

from guardrails.detectors import Finding
from guardrails.labelled_pii import LOCALES, hard_negatives, pii_sentences
from guardrails.measure import pii_scores

CHECKS = {"card": lambda v: luhn.is_valid("".join(c for c in v if c.isdigit())),
          "iban": lambda v: iban.is_valid(v.replace("\u00a0", "")),
          "codice_fiscale": codicefiscale.is_valid, "bsn": bsn.is_valid,
          "dni_nie": lambda v: dni.is_valid(v) or nie.is_valid(v)}  # fmt: skip


def test_the_same_seed_gives_the_same_set() -> None:
    assert pii_sentences(3, seed=5) == pii_sentences(3, seed=5)
    assert pii_sentences(3, seed=5) != pii_sentences(3, seed=6)
    assert hard_negatives(20, seed=5) == hard_negatives(20, seed=5)


def test_every_locale_is_there_and_labels_pass_their_checks() -> None:
    sentences = pii_sentences(4)
    assert {s.locale for s in sentences} == set(LOCALES)
    for sentence in sentences:
        (span,) = sentence.spans
        value = sentence.text[span.start : span.end]
        check = CHECKS.get(span.kind)
        assert check is None or check(value), (span.kind, value)
    assert all(not s.spans for s in hard_negatives(50))


def test_a_finding_cut_short_is_a_miss_and_a_false_alarm() -> None:
    (sentence,) = [s for s in pii_sentences(4) if s.spans[0].kind == "iban"][:1]
    span = sentence.spans[0]
    whole = pii_scores([sentence], lambda text: [Finding("iban", span.start, span.end)])
    short = pii_scores([sentence], lambda text: [Finding("iban", span.start, span.end - 2)])
    assert (whole["iban"].precision, whole["iban"].recall) == (1.0, 1.0)
    assert (short["iban"].false_positives, short["iban"].false_negatives) == (1, 1)
