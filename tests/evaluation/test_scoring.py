"""Scores of an answer against the expected one: exact match, token F1, semantic similarity."""

from __future__ import annotations

import pytest

from evaluation.scoring import cosine, exact_match, normalise, similarities, token_f1


@pytest.mark.parametrize(
    ("answer", "expected", "same"),
    [
        ("Paris", "Paris", True),
        ("  paris. ", "Paris", True),
        ("PARIS!", "paris", True),
        ("\u201cParis\u201d", "Paris", True),
        ("New   York", "new york", True),
        ("Paris, France", "Paris", False),
        ("The capital is Paris", "Paris", False),
        ("Lyon", "Paris", False),
        ("", "Paris", False),
    ],
)
def test_exact_match(answer: str, expected: str, same: bool) -> None:
    assert exact_match(answer, expected) is same


def test_normalise_keeps_inner_punctuation() -> None:
    assert normalise(" U.S.A. ") == "u.s.a"
    assert normalise("don't\tstop") == "don't stop"


@pytest.mark.parametrize(
    ("answer", "expected", "f1"),
    [
        ("Paris", "paris", 1.0),
        ("the Eiffel Tower", "Eiffel tower", 1.0),  # articles do not count
        ("Paris France", "Paris", 2 * 0.5 * 1.0 / 1.5),  # precision 1/2, recall 1
        ("Lyon", "Paris", 0.0),
        ("", "Paris", 0.0),
        ("the", "a", 1.0),  # both empty once articles go: SQuAD counts that a match
        ("cat cat dog", "cat dog dog", 2 / 3),  # counts, not sets
    ],
)
def test_token_f1(answer: str, expected: str, f1: float) -> None:
    assert token_f1(answer, expected) == pytest.approx(f1)


def test_cosine() -> None:
    assert cosine([1.0, 0.0], [2.0, 0.0]) == pytest.approx(1.0)
    assert cosine([1.0, 0.0], [0.0, 3.0]) == pytest.approx(0.0)
    assert cosine([0.0, 0.0], [1.0, 1.0]) == 0.0


def test_similarity_ranks_meaning_over_words() -> None:
    close, far, none = similarities(
        [
            ("The capital of France is Paris.", "Paris is France's capital city."),
            ("Bananas are rich in potassium.", "Paris is France's capital city."),
            ("", "Paris is France's capital city."),
        ]
    )
    assert close > 0.7 > far and 0.0 <= far < 0.5
    assert none == 0.0
