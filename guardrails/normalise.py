"""The readings of a text that word filters, denied topics and prompt-injection checks look at,
so that the usual evasions do not pass: Unicode compatibility forms folded (NFKC: fullwidth and
mathematical letters), zero-width characters removed, homoglyphs from other scripts folded to the
Latin letters they imitate (Unicode's confusables, from `confusable-homoglyphs`), letters spelt
apart joined ("i g n o r e", "ig-nore"), leetspeak mapped ("1gn0r3"), segments encoded in
base64 or ROT13 decoded, and the text glossed word by word into English (`gloss`), so that the
English phrase signals read an attack written in Polish or Korean too."""

from __future__ import annotations

import base64
import binascii
import codecs
import functools
import json
import re
import unicodedata
from pathlib import Path

import confusable_homoglyphs  # type: ignore[import-untyped]  # no stubs; we read its data file

from guardrails.gloss import glossed
from guardrails.kept import kept_when_short

# Characters that show nothing, dropped before matching: every formatting character (zero-width
# spaces and joiners, the soft hyphen, bidirectional marks and isolates, invisible operators,
# musical and shorthand format controls, tag characters: planes 0, 1 and 14 hold them all), the
# combining grapheme joiner, the variation selectors and the Hangul fillers.
INVISIBLE = dict.fromkeys(
    n for n in (*range(0x20000), *range(0xE0000, 0xE1000))
    if unicodedata.category(chr(n)) == "Cf" or n == 0x034F or 0xFE00 <= n <= 0xFE0F
) | dict.fromkeys([0x115F, 0x1160, 0x3164, 0xFFA0, *range(0xE0100, 0xE01F0)])
LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b",
                      "@": "a", "$": "s", "!": "i", "|": "l", "+": "t", "€": "e"})  # fmt: skip
# Single letters split by one separator, the same throughout ("i g n o r e", "i.g.n.o.r.e";
# "ig-nore" is below): "b-o-m-b a@b.io" is "bomb" and "a@b.io", not "bomba".
SPELT_APART = re.compile(r"(?<![^\W_])[^\W_]([ .\-_*/|])(?:[^\W_]\1)+[^\W_](?![^\W_])")
HYPHENATED = re.compile(r"(?<=[^\W\d_])[-_*.·](?=[^\W\d_])")
BASE64_SEGMENT = re.compile(r"[A-Za-z0-9+/]{16,}={0,2}")
NOT_TEXT = {"Cc", "Co", "Cn", "Cs"}  # control, private-use, unassigned, surrogate
WORDS = re.compile(r"[a-z]+")
COMMON_ENGLISH = frozenset((
    "the", "and", "to", "of", "a", "in", "is", "you", "your", "that", "it", "for", "on", "with",
    "as", "are", "be", "this", "all", "me", "my", "what", "now", "ignore", "previous",
    "instructions", "rules", "tell", "show", "print", "system", "prompt",
))  # fmt: skip


@functools.cache
def _homoglyph_table() -> dict[int, str]:
    """Every character that Unicode lists as confusable with an ASCII letter or digit, mapped to
    that letter (Cyrillic a, Greek omicron, ...)."""
    data = Path(confusable_homoglyphs.__file__).with_name("confusables.json")
    confusables: dict[str, list[dict[str, str]]] = json.loads(data.read_text(encoding="utf-8"))
    table: dict[int, str] = {}
    for character, homoglyphs in confusables.items():
        if character.isascii() and character.isalnum():
            for glyph in homoglyphs:
                if len(glyph["c"]) == 1 and not glyph["c"].isascii():
                    table.setdefault(ord(glyph["c"]), character.lower())
    return table


# Case folding turns the Turkish capital İ into i and a combining dot, which no pattern spells:
# it is read as the i it stands for.
DOTTED_CAPITAL_I = {0x130: "i"}


def caseless(text: str) -> str:
    """`text` case-folded, the Turkish capital İ as i: what the patterns are written for."""
    return text.translate(DOTTED_CAPITAL_I).casefold()


def _compatible(text: str) -> str:
    """NFKC, lower case, no zero-width characters."""
    return caseless(unicodedata.normalize("NFKC", text).translate(INVISIBLE))


def folded(text: str) -> str:
    """NFKC, lower case, no zero-width characters, homoglyphs as Latin letters, one space."""
    return " ".join(_compatible(text).translate(_homoglyph_table()).split())


def joined(text: str, *, first_alone: bool = False) -> str:
    """Letters spelt apart or hyphenated inside a word put back together, leetspeak mapped.
    `first_alone`: the first letter of each run spelt apart left a word of its own ("make a b o
    m b" reads "make a bomb"; the other way, "make abomb")."""

    def together(run: re.Match[str]) -> str:
        letters = run.group().replace(run.group(1), "")
        return f"{letters[0]} {letters[1:]}" if first_alone else letters

    return HYPHENATED.sub("", SPELT_APART.sub(together, text)).translate(LEET)


def _decoded_base64(segment: str) -> str | None:
    try:
        raw = base64.b64decode(segment + "=" * (-len(segment) % 4), validate=True)
        decoded = raw.decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return decoded if _is_text(decoded) else None


def _is_text(decoded: str) -> bool:
    """What a person could have written, in any language, punctuation or padding: no control
    character but white space, nothing private-use, unassigned or undecodable (formatting
    characters such as zero-width spaces aside), and letters. Bytes that happen to be valid
    UTF-8 fail this nearly always; a share of letters would let padding hide a payload."""
    visible = "".join(c for c in decoded if not c.isspace() and unicodedata.category(c) != "Cf")
    if any(unicodedata.category(c) in NOT_TEXT or c == "\ufffd" for c in visible):
        return False
    return sum(c.isalpha() for c in visible) >= 2


def base64_segments(text: str) -> list[str]:
    """What the base64 segments in `text` say, where they decode to text."""
    return [d for s in BASE64_SEGMENT.findall(text) if (d := _decoded_base64(s)) is not None]


def _common_words(text: str) -> int:
    return sum(1 for word in WORDS.findall(text.casefold()) if word in COMMON_ENGLISH)


def decoded(text: str) -> list[str]:
    """What base64 segments in `text` say (where they decode to text), and `text` in ROT13
    where that reads more like English than `text` does (ROT13 of a plain text is noise)."""
    rot13 = codecs.decode(text, "rot13")
    readable = _common_words(rot13) > _common_words(text)
    return [*base64_segments(text), *([rot13] if readable else [])]


# Readings of texts up to this long are kept (the least recently used out): a chat re-sends its
# system prompt and history with every turn, and a stream's guard re-reads what it holds back.
CACHED_UP_TO = 4096


def readings(text: str) -> tuple[str, ...]:
    """Every reading of `text` a check should look at, the text as written first."""
    return _read(text)[0]


def foreign_gloss(text: str) -> str | None:
    """`text` read in English word by word (`glossed`) where it is in another language (the gloss
    read a word of it; it is then one of its `readings` too); None for English."""
    return _read(text)[1]


@kept_when_short(CACHED_UP_TO, maxsize=4096)  # a long chat's windows, each re-read every turn
def _read(text: str) -> tuple[tuple[str, ...], str | None]:
    compatible = _compatible(text)
    plain = " ".join(compatible.translate(_homoglyph_table()).split())  # `folded(text)`
    # Glossed before homoglyphs are folded: Cyrillic and Greek words are words, not disguises.
    gloss = glossed(compatible)
    variants = [text, plain, joined(plain), gloss]
    if SPELT_APART.search(plain):  # the first letter may be a word ("a", "I") before the rest
        variants.append(joined(plain, first_alone=True))
    for hidden in decoded(text):
        hidden_plain = folded(hidden)
        variants += [hidden_plain, joined(hidden_plain)]
    foreign = gloss if gloss != " ".join(compatible.split()) else None
    return tuple(dict.fromkeys(variants)), foreign
