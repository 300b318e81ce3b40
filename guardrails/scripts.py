"""Scripts written without spaces between words (Thai, Lao, Myanmar, Khmer, Chinese, Japanese,
Korean syllables and jamo, their punctuation and fullwidth forms). Their letters are no part of
an identifier, so one written right against them ("電話は090-1234-5678です") still stands alone;
they end a run of characters a stream holds back; and a context word of theirs ("電話") needs no
space around it."""

from __future__ import annotations

import re

UNSPACED = ("\u0e00-\u0eff\u1000-\u109f\u1100-\u11ff\u1780-\u17ff\u3000-\u31ff\u3400-\u4dbf"
            "\u4e00-\u9fff\ua960-\ua97f\uac00-\ud7ff\uf900-\ufaff\uff00-\uffef"
            "\U00020000-\U0003ffff")  # fmt: skip
UNSPACED_CHARACTER = re.compile(f"[{UNSPACED}]")
WORD = rf"[^\W{UNSPACED}]"  # a word character of any other script
ALNUM = rf"[^\W_{UNSPACED}]"  # a letter or digit of any other script
