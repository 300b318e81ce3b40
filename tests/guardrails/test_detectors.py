"""Each PII detector with true and false cases: checksums decide, not just the shape."""

from __future__ import annotations

import pytest

from guardrails.detectors import find_pii, iban_valid, luhn_valid

ALL = {"email", "phone", "card", "iban", "ssn", "ip"}


def kinds(text: str) -> list[tuple[str, str]]:
    return [(f.kind, text[f.start : f.end]) for f in find_pii(text, ALL)]


@pytest.mark.parametrize(
    ("number", "valid"),
    [("4111111111111111", True), ("5500005555555559", True), ("378282246310005", True),
     ("4111111111111112", False), ("1234567812345678", False)],
)  # fmt: skip
def test_luhn(number: str, valid: bool) -> None:
    assert luhn_valid(number) is valid


@pytest.mark.parametrize(
    ("iban", "valid"),
    [("GB82 WEST 1234 5698 7654 32", True), ("DE89370400440532013000", True),
     ("FR1420041010050500013M02606", True), ("GB82 WEST 1234 5698 7654 33", False),
     ("DE89370400440532013001", False)],
)  # fmt: skip
def test_iban_checksum(iban: str, valid: bool) -> None:
    assert iban_valid(iban) is valid


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("write to jo.doe@example.com today", [("email", "jo.doe@example.com")]),
        ("no email here: jo at example dot com", []),
        ("card 4111 1111 1111 1111 please", [("card", "4111 1111 1111 1111")]),
        ("card 4111-1111-1111-1112 (fails Luhn)", []),
        ("IBAN GB82 WEST 1234 5698 7654 32", [("iban", "GB82 WEST 1234 5698 7654 32")]),
        ("IBAN GB82 WEST 1234 5698 7654 33", []),
        ("SSN 123-45-6789", [("ssn", "123-45-6789")]),
        ("not an SSN: 000-12-3456, 666-12-3456, 900-12-3456", []),
        ("server 192.168.1.10", [("ip", "192.168.1.10")]),
        ("version 999.1.1.1 and time 12:30:45", []),
        ("host 2001:db8::1", [("ip", "2001:db8::1")]),
        ("call +44 20 7946 0958", [("phone", "+44 20 7946 0958")]),
        ("call (212) 555-0187", [("phone", "(212) 555-0187")]),
        ("order 2024 of 12 items", []),
    ],
)
def test_detectors(text: str, expected: list[tuple[str, str]]) -> None:
    assert kinds(text) == expected
