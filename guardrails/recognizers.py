"""Candidate identifiers in free text, one recognizer per kind: a loose pattern finds the shape,
then the maintained libraries decide — python-stdnum's checksums (Luhn, ISO 7064 mod 97 for
IBANs, the national identifiers' own check digits), the SSA's rules for SSNs, `ipaddress` for IP
addresses, Google's phone metadata (`phonenumbers`) per region. Each candidate carries a base
score: how sure its shape and checksum make it before context words (`context_words`) move it.

Every pattern here is ours and fixed (never a tenant's), written without nested repetition."""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import phonenumbers
from stdnum import iban, luhn
from stdnum.de import idnr
from stdnum.es import dni, nie
from stdnum.fr import nir
from stdnum.it import codicefiscale
from stdnum.nl import bsn
from stdnum.us import ssn

from guardrails.context_words import REPORTED
from guardrails.scripts import ALNUM, UNSPACED, WORD

DEFAULT_PHONE_REGIONS = ("US", "GB", "DE", "FR", "ES", "IT", "NL", "JP")


@dataclass(frozen=True)
class Candidate:
    kind: str
    start: int
    end: int
    score: float
    # Backed by a check digit, a registry's metadata or a layout of its own; a bare shape (nine
    # digits an SSN could be) loses a tie to any that is.
    checked: bool = True


EMAIL = re.compile(rf"(?<![.%+-])(?<!{WORD})(?:{WORD}|[.%+-])+@{ALNUM}(?:(?:{WORD}|-)*{ALNUM})?"
                   rf"(?:\.{ALNUM}(?:(?:{WORD}|-)*{ALNUM})?)*\.[^\W\d_{UNSPACED}]{{2,}}"
                   rf"(?!{WORD}|-)")  # fmt: skip
# An address whose own letters are of those scripts (山田@example.jp, user@例子.中国, fullwidth),
# looked for only where no address above holds the @: its local part is the (at most) LEAD
# characters before the @ that such a text gives no other bound to (held back by a stream until
# the @ comes), kana aside (the particle of "連絡は山田@..." is no part of it); a top-level domain
# of those scripts runs on to their next other letter.
_UNSPACED_LETTER = rf"(?=[{UNSPACED}])[^\W\d_]"
EMAIL_AMONG_UNSPACED = re.compile(
    r"(?<![.%+-])(?:(?![\u3040-\u30ff])[\w.%+-]){1,8}@[^\W_](?:[\w-]*[^\W_])?(?:\.[^\W_](?:[\w-]*[^\W_])?)*"
    rf"\.(?:[^\W\d_{UNSPACED}]{{2,}}(?!{WORD}|-)|(?:{_UNSPACED_LETTER}){{2,}})"
)
UNSPACED_LETTERS = re.compile(_UNSPACED_LETTER)
SSN = re.compile(rf"(?<![.-])(?<!{WORD})\d{{3}}([- ]?)\d{{2}}\1\d{{4}}(?!{WORD}|-|[.,]\d)")
NOT_TOP_LEVEL = {"png", "jpg", "jpeg", "gif", "svg", "webp", "css", "js", "ico", "pdf"}
# Digits with the separators people type between groups (space, no-break space, dash, dot).
DIGIT_GROUPS = re.compile(rf"(?<![.,-])(?<!{WORD})\d+(?:[ \u00a0.-]\d+)*(?!{WORD}|-|[.,]\d)")
IBAN_RUN = re.compile(rf"(?<!{ALNUM})[A-Za-z]{{2}}\d{{2}}(?:[ \u00a0-]?[A-Za-z0-9]){{11,32}}")
IPV4 = re.compile(rf"(?<![.])(?<!{WORD})(?:\d{{1,3}}\.){{3}}\d{{1,3}}(?!{WORD}|\.\d)")
IPV6 = re.compile(rf"(?<![:.])(?<!{WORD})(?=[0-9A-Fa-f:.]*[0-9A-Fa-f][0-9A-Fa-f:.]*:[0-9A-Fa-f]*:)"
                  rf"[0-9A-Fa-f:.]{{3,45}}(?!{WORD}|:)")  # fmt: skip
NINO = re.compile(rf"(?<!{ALNUM})([A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z])[ ]?(\d{{2}})[ ]?(\d{{2}})"
                  rf"[ ]?(\d{{2}})[ ]?([A-D])(?!{ALNUM})")  # fmt: skip
NINO_NOT_PREFIXES = {"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"}
DNI_NIE = re.compile(rf"(?<!{ALNUM})(?:[XYZxyz][- ]?)?\d{{7,8}}[- ]?[A-Za-z](?!{ALNUM})")
NIR = re.compile(rf"(?<![.-])(?<!{WORD})[12][ .]?\d{{2}}[ .]?\d{{2}}[ .]?(?:\d{{2}}|2[ABab])[ .]?"
                 rf"\d{{3}}[ .]?\d{{3}}[ .]?\d{{2}}(?!{WORD}|-|[.,]\d)")  # fmt: skip
CODICE_FISCALE = re.compile(r"(?<![^\W_])[A-Za-z]{6}[0-9LMNPQRSTUVlmnpqrstuv]{2}[A-Za-z]"
                            r"[0-9LMNPQRSTUVlmnpqrstuv]{2}[A-Za-z][0-9LMNPQRSTUVlmnpqrstuv]{3}"
                            r"[A-Za-z](?![^\W_])")  # fmt: skip
PHONE_SHAPE = re.compile(rf"(?<![+.,-])(?<!{WORD})(?:\+|\(\+?)?\d[\d \u00a0().\-/]{{5,22}}\d"
                         rf"(?!{WORD})")  # fmt: skip
DECIMAL = re.compile(r"\d+[.,]\d+")
# Dates, decimals and the SSN's layout, which a phone matcher would take for national numbers.
NOT_PHONE = re.compile(r"\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\Z|\d{4}-\d{2}-\d{2}\Z|\d+[.,]\d+\Z"
                       r"|\d{3}-\d{2}-\d{4}\Z")  # fmt: skip
# Payment cards: issuer prefixes and the lengths each issues (Visa, Mastercard, Amex, Discover,
# JCB, Diners, Maestro, UnionPay, Mir): a Luhn-valid run outside them (an IMEI) is no card.
CARD_RANGES = (
    ("4", (13, 16, 19)), ("51-55", (16,)), ("2221-2720", (16,)), ("34", (15,)), ("37", (15,)),
    ("6011", (16, 17, 18, 19)), ("644-649", (16, 17, 18, 19)), ("65", (16, 17, 18, 19)),
    ("35", (16, 17, 18, 19)), ("2131", (15,)), ("1800", (15,)), ("300-305", (14, 16, 19)),
    ("36", (14, 16, 19)), ("38-39", (14, 16, 19)), ("50", tuple(range(12, 20))),
    ("56-69", tuple(range(12, 20))), ("0604", tuple(range(12, 20))),
    ("2200-2204", (16, 17, 18, 19)),
)  # fmt: skip


def _in_ranges(digits: str) -> bool:
    for prefixes, lengths in CARD_RANGES:
        low, _, high = prefixes.partition("-")
        head = digits[: len(low)]
        if len(digits) in lengths and low <= head <= (high or low):
            return True
    return False


def card_valid(digits: str) -> bool:
    """Luhn-valid, 12 to 19 digits, and within an issuer's prefixes and lengths."""
    return 12 <= len(digits) <= 19 and luhn.is_valid(digits) and _in_ranges(digits)


def _digit_runs(text: str) -> Iterator[tuple[int, int, str]]:
    """Each run of digit groups and its leading parts, longest first (a card followed by its
    expiry still yields the card's own groups); never a part from the middle of a longer number
    (an ISBN's last groups are no BSN), nor a decimal."""
    for match in DIGIT_GROUPS.finditer(text):
        if DECIMAL.fullmatch(match.group()):
            continue
        ends = [match.start() + m.end() for m in re.finditer(r"\d+", match.group())]
        for end in reversed(ends):
            yield match.start(), end, re.sub(r"\D", "", text[match.start() : end])


def cards(text: str) -> Iterator[Candidate]:
    """Cards in runs of digit groups: the longest valid card (at most 19 digits, so the work
    stays linear in the run) at the run's start or right after a card ("4111 1111 1111 1111
    5500 0000 0000 0004" is two); after other digits ("20 4111 1111 1111 1111") only one that
    ends the run: a card read from the middle of a longer number (an IMEI's) is none."""
    for match in DIGIT_GROUPS.finditer(text):
        if DECIMAL.fullmatch(match.group()):
            continue
        groups = [(match.start() + m.start(), m.group())
                  for m in re.finditer(r"\d+", match.group())]  # fmt: skip
        first, after_digits = 0, False
        while first < len(groups):
            start, digits, found = groups[first][0], "", None
            for last in range(first, len(groups)):
                digits += groups[last][1]
                if len(digits) > 19:
                    break
                if card_valid(digits):
                    found = last  # the longest so far
            if found is None or (after_digits and found != len(groups) - 1):
                first, after_digits = first + 1, True
                continue
            after_digits = False
            end = groups[found][0] + len(groups[found][1])
            yield Candidate("card", start, end, 0.6)
            first = found + 1


def ibans(text: str) -> Iterator[Candidate]:
    at = 0
    while (match := IBAN_RUN.search(text, at)) is not None:
        raw, at = match.group(), match.start() + 1
        # The run may carry on into the next words, even into the next IBAN ("DE89 ... 00 and
        # GB82 ..."): the longest prefix that validates wins, and the search goes on after it
        # (a run that validates nowhere is searched again from its next word).
        for end in range(len(raw), 14, -1):
            compact = re.sub(r"[ \u00a0-]", "", raw[:end]).upper()
            if raw[end - 1].isalnum() and iban.is_valid(compact):
                yield Candidate("iban", match.start(), match.start() + end, 0.95)
                at = match.start() + end
                break


def emails(text: str) -> Iterator[Candidate]:
    found = [m for m in EMAIL.finditer(text) if _a_domain(m)]
    ats = {text.index("@", m.start()) for m in found}
    if UNSPACED_LETTERS.search(text):
        found += [m for m in EMAIL_AMONG_UNSPACED.finditer(text)
                  if text.index("@", m.start()) not in ats and _a_domain(m)]  # fmt: skip
    for match in found:
        yield Candidate("email", match.start(), match.end(), 0.9)


def _a_domain(match: re.Match[str]) -> bool:
    """Whether the address ends in a top-level domain, not a file's extension (icon@2x.png)."""
    return match.group().rsplit(".", 1)[1].lower() not in NOT_TOP_LEVEL


def ssns(text: str) -> Iterator[Candidate]:
    for match in SSN.finditer(text):
        if ssn.is_valid(match.group().replace(" ", "-")):
            # Dashed or spaced is the SSN's own layout. Nine bare digits are many things (an
            # order, a BSN, a phone number dialled without spaces): reported only just, so that a
            # denying word before it ("order", "lot") keeps it back, and losing a tie to a
            # number that a check digit or a region's plan confirms.
            if match.group(1):
                yield Candidate("ssn", *match.span(), 0.6)
            else:
                yield Candidate("ssn", *match.span(), REPORTED, checked=False)


def _ip_valid(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def ips(text: str) -> Iterator[Candidate]:
    for match in IPV4.finditer(text):
        if _ip_valid(match.group()):
            yield Candidate("ip", *match.span(), 0.6)
    for match in IPV6.finditer(text):
        address = match.group().rstrip(".")  # the sentence's full stop
        if _ip_valid(address) and sum(c.isalnum() for c in address) >= 4:
            yield Candidate("ip", match.start(), match.start() + len(address), 0.7)


@functools.lru_cache(maxsize=4096)
def _numbers_in(shape: str, regions: tuple[str, ...]) -> tuple[tuple[int, int], ...]:
    """Where Google's matcher finds valid numbers in `shape` as dialled in any of `regions` (the
    longest at each place). Cached: a stream re-reads the text it holds back."""
    found: dict[int, int] = {}
    for region in regions[:1] if shape.startswith("+") else regions:
        leniency = phonenumbers.Leniency.VALID
        for number in phonenumbers.PhoneNumberMatcher(shape, region, leniency=leniency):
            if sum(c.isdigit() for c in number.raw_string) >= 6:
                found[number.start] = max(found.get(number.start, 0), number.end)
    return tuple(found.items())


def phones(text: str, regions: tuple[str, ...]) -> Iterator[Candidate]:
    """Google's matcher, run on each phone-shaped run (not the whole text: it is slow on long
    text) for each region."""
    for match in PHONE_SHAPE.finditer(text):
        shape = match.group()
        if sum(c.isdigit() for c in shape) < 6 or NOT_PHONE.match(shape):
            continue
        for start, end in _numbers_in(shape, regions):
            yield Candidate("phone", match.start() + start, match.start() + end, 0.5)


def _pattern_checked(
    kind: str, pattern: re.Pattern[str], valid: Callable[[str], bool], score: float
) -> Callable[[str], Iterator[Candidate]]:
    def recognise(text: str) -> Iterator[Candidate]:
        for match in pattern.finditer(text):
            if valid(match.group()):
                yield Candidate(kind, *match.span(), score)

    return recognise


def _nino_valid(text: str) -> bool:
    return text.replace(" ", "")[:2].upper() not in NINO_NOT_PREFIXES


def _digits_checked(
    kind: str, valid: Callable[[str], bool], lengths: tuple[int, ...], score: float
) -> Callable[[str], Iterator[Candidate]]:
    def recognise(text: str) -> Iterator[Candidate]:
        taken: list[tuple[int, int]] = []
        for start, end, digits in _digit_runs(text):
            if len(digits) not in lengths or any(start < b and a < end for a, b in taken):
                continue
            if valid(digits):
                taken.append((start, end))
                yield Candidate(kind, start, end, score)

    return recognise


# Scores: a check digit that random digits pass one time in eleven (BSN, Steuer-ID) is reported
# on its own only just; one in 97 (NIR) or a letter drawn from 23 (DNI) more surely.
NATIONAL: dict[str, Callable[[str], Iterator[Candidate]]] = {
    "nino": _pattern_checked("nino", NINO, _nino_valid, 0.6),
    "steuer_id": _digits_checked("steuer_id", idnr.is_valid, (11,), 0.5),
    "nir": _pattern_checked("nir", NIR, nir.is_valid, 0.7),
    "dni_nie": _pattern_checked(
        "dni_nie", DNI_NIE, lambda v: dni.is_valid(v) or nie.is_valid(v), 0.8
    ),
    "codice_fiscale": _pattern_checked(
        "codice_fiscale", CODICE_FISCALE, codicefiscale.is_valid, 0.9
    ),
    "bsn": _digits_checked("bsn", bsn.is_valid, (9,), 0.5),
}
RECOGNIZERS: dict[str, Callable[[str], Iterator[Candidate]]] = {
    "email": emails, "card": cards, "iban": ibans, "ssn": ssns, "ip": ips, **NATIONAL,
}  # fmt: skip

# What a text must hold for a recognizer to find anything in it (any one of the signs), checked
# before it runs: every match of most kinds' patterns holds a decimal digit; an email address
# holds an @, an IPv6 address may be hex letters and colons, and a codice fiscale's digits may
# all be letters (omocodia: no sign at all).
ANY_DIGIT = re.compile(r"\d")
NEEDS: dict[str, frozenset[str]] = {
    **dict.fromkeys([*RECOGNIZERS, "phone"], frozenset({"digit"})),
    "email": frozenset({"@"}),
    "ip": frozenset({"digit", ":"}),
    "codice_fiscale": frozenset(),
}


def signs_in(text: str) -> frozenset[str]:
    """Which of the signs of NEEDS `text` holds (each looked for once)."""
    return frozenset(
        sign for sign, found in (("digit", ANY_DIGIT.search(text)), ("@", "@" in text),
                                 (":", ":" in text)) if found
    )  # fmt: skip
