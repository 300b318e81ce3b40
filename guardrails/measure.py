"""Precision, recall and F1 of the detectors on a labelled set (`labelled_pii`,
`labelled_prompts`): what `bench/guardrails.py` prints and the tests hold to floors.

A PII finding is right when it is of the labelled kind and covers the whole labelled value (a
phone number cut short leaks its end, so it counts as a miss and as a false alarm)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from guardrails.detectors import Finding
from guardrails.labelled_pii import LabelledSentence


@dataclass(frozen=True)
class Score:
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        labelled = self.true_positives + self.false_negatives
        return self.true_positives / labelled if labelled else 1.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


Detect = Callable[[str], Iterable[Finding]]


def pii_scores(sentences: Iterable[LabelledSentence], detect: Detect) -> dict[str, Score]:
    """Per kind, over every sentence: findings that cover a labelled value of their kind, findings
    that cover none, and labelled values no finding covers."""
    counts: Counter[tuple[str, str]] = Counter()
    for sentence in sentences:
        findings = list(detect(sentence.text))
        for span in sentence.spans:
            covered = any(f.kind == span.kind and f.start <= span.start and f.end >= span.end
                          for f in findings)  # fmt: skip
            counts[span.kind, "tp" if covered else "fn"] += 1
        for finding in findings:
            if not any(finding.kind == s.kind and finding.start <= s.start and finding.end >= s.end
                       for s in sentence.spans):  # fmt: skip
                counts[finding.kind, "fp"] += 1
    kinds = sorted({kind for kind, _ in counts})
    return {kind: Score(counts[kind, "tp"], counts[kind, "fp"], counts[kind, "fn"])
            for kind in kinds}  # fmt: skip


def flagged_share(sentences: Iterable[LabelledSentence], detect: Detect) -> float:
    """The share of sentences with at least one finding (for hard negatives: false alarms)."""
    listed = list(sentences)
    flagged = sum(1 for sentence in listed if any(True for _ in detect(sentence.text)))
    return flagged / len(listed) if listed else 0.0


def verdict_score(labelled: Iterable[tuple[str, bool]], flags: Callable[[str], bool]) -> Score:
    """A yes/no check (injection, a denied topic) over (text, should it be flagged) pairs."""
    counts: Counter[str] = Counter()
    for text, positive in labelled:
        if flags(text):
            counts["tp" if positive else "fp"] += 1
        elif positive:
            counts["fn"] += 1
    return Score(counts["tp"], counts["fp"], counts["fn"])
