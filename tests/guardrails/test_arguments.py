"""A tool call's arguments masked by the guardrails stay JSON a program can parse."""

from __future__ import annotations

import json

import pytest

from guardrails.arguments import still_json
from guardrails.engine import check
from guardrails.policy import parse

POLICY = parse({"pii": {"phone": "mask", "ssn": "mask", "email": "mask"}})


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [('{"phone": 4930123456}', {"phone": "[PHONE]"}),
     ('{"ssn": 123456789, "n": [4930123456, 1]}', {"ssn": "[SSN]", "n": ["[PHONE]", 1]}),
     ('{"note": "mail a@b.io"}', {"note": "mail [EMAIL]"})],
)  # fmt: skip
def test_masked_arguments_are_still_json(arguments: str, expected: dict) -> None:
    masked = check(POLICY, arguments, "output").text
    assert json.loads(still_json(arguments, masked)) == expected


def test_text_that_was_not_json_is_left_as_masked() -> None:
    masked = check(POLICY, "call 4930123456", "output").text
    assert still_json("call 4930123456", masked) == masked == "call [PHONE]"
