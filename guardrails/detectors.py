"""PII detectors: each finds candidate spans with a pattern, then keeps only those that pass the
identifier's own check (Luhn for payment cards, ISO 7064 mod 97 for IBANs, the SSA's rules for
US social security numbers, `ipaddress` for IP addresses), so random digits are not flagged."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    kind: str
    start: int
    end: int


EMAIL = re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
# International (+country code, then groups) or the North American 3-3-4 layout.
PHONE = re.compile(
    r"(?<![\w+])\+\d{1,3}(?:[\s.-]?\(?\d{1,4}\)?){2,5}(?!\w)"
    r"|(?<![\w(])\(?\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}(?!\w)"
)
CARD = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")
IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,4})?\b")
SSN = re.compile(r"(?<!\d)(\d{3})-(\d{2})-(\d{4})(?!\d)")
IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
IPV6 = re.compile(r"(?<![\w:.])(?=[0-9A-Fa-f:]*:[0-9A-Fa-f:]*:)[0-9A-Fa-f:]{2,39}(?![\w:])")


def luhn_valid(digits: str) -> bool:
    total, double = 0, False
    for char in reversed(digits):
        value = int(char)
        if double:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
        double = not double
    return total % 10 == 0


def iban_valid(text: str) -> bool:
    compact = text.replace(" ", "").upper()
    if not 15 <= len(compact) <= 34:
        return False
    rearranged = compact[4:] + compact[:4]
    number = "".join(str(int(char, 36)) for char in rearranged)
    return int(number) % 97 == 1


def ssn_valid(area: str, group: str, serial: str) -> bool:
    return not (area in ("000", "666") or area[0] == "9" or group == "00" or serial == "0000")


def ip_valid(text: str) -> bool:
    try:
        ipaddress.ip_address(text.split("%")[0])
    except ValueError:
        return False
    return True


def _card(match: re.Match[str]) -> bool:
    digits = re.sub(r"\D", "", match.group())
    return 13 <= len(digits) <= 19 and luhn_valid(digits)


def _phone(match: re.Match[str]) -> bool:
    digits = re.sub(r"\D", "", match.group())
    return 7 <= len(digits) <= 15


DETECTORS: dict[str, tuple[re.Pattern[str], Callable[[re.Match[str]], bool]]] = {
    "email": (EMAIL, lambda m: True),
    "card": (CARD, _card),
    "iban": (IBAN, lambda m: iban_valid(m.group())),
    "ssn": (SSN, lambda m: ssn_valid(*m.groups())),
    "ip": (IPV4, lambda m: ip_valid(m.group())),
    "ipv6": (IPV6, lambda m: ip_valid(m.group())),
    "phone": (PHONE, _phone),
}
KIND_OF = {"ipv6": "ip"}  # reported under one name


def find_pii(text: str, kinds: set[str]) -> Iterator[Finding]:
    """Every span of `kinds` (email, phone, card, iban, ssn, ip), longest first where they
    overlap (a card number is not also reported as a phone number)."""
    taken: list[tuple[int, int]] = []
    for name, (pattern, valid) in DETECTORS.items():
        kind = KIND_OF.get(name, name)
        if kind not in kinds:
            continue
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(start < b and a < end for a, b in taken) or not valid(match):
                continue
            taken.append((start, end))
            yield Finding(kind, start, end)
