"""Prompt-injection signals in several languages (English, German, French, Spanish, Italian,
Dutch, Portuguese, Japanese), read on every reading of the prompt (`normalise.readings`: folded,
homoglyphs, leetspeak, letters spelt apart, base64 and ROT13 decoded). Each signal is a verb and
its object close together — "ignore" with "previous instructions", "show" with "system prompt",
"you are now" with "no restrictions" — so a prompt that only talks about instructions ("write
instructions for a bookshelf") is not one. Chat-template markers (`[INST]`, `<|im_start|>`) in a
user's prompt count as half a signal. A nearest-neighbour classifier over the local embeddings
(labelled attacks and benign prompts) adds its opinion where the phrases are silent."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from guardrails.labelled_prompts import ATTACKS, BENIGN
from guardrails.normalise import readings
from guardrails.similarity import Vector, embedded_examples
from kernel.vectors import cosine

DEFAULT_THRESHOLD = 1.0

# Verbs that set earlier instructions aside, and what they set aside.
OVERRIDE = (r"ignore[rz]?|disregard|forget|override|bypass|skip|drop|discard|ignoriere|"
            r"ignorier|vergiss|missachte|übergehe|oublie[rz]?|ignora|olvida|olvide|omite|"
            r"dimentica|tralascia|negeer|vergeet|esqueça|esqueca|desconsidere|"
            r"無視|忘れ")  # fmt: skip
EARLIER = (r"previous|prior|above|earlier|preceding|all|your|any|the|every|safety|"
           r"vorherigen?|bisherigen?|alle|deine|obigen|précédentes?|toutes|tes|vos|les|"
           r"anteriores|todas|tus|las|precedenti|tutte|le tue|vorige|alle|je|"
           r"suas|as|以前|これまで|すべて")  # fmt: skip
RULES = (r"instructions?|rules|guidelines|prompts?|polic(?:y|ies)|directives?|restrictions|"
         r"constraints|programming|anweisungen|regeln|vorgaben|richtlinien|règles|consignes|"
         r"instrucciones|reglas|normas|istruzioni|regole|instructies|regels|instruções|"
         r"instrucoes|regras|指示|ルール|命令")  # fmt: skip
REVEAL = (r"reveal|print|show|repeat|output|display|leak|tell me|what (?:is|are)|zeig|zeige|"
          r"gib|verrate|affiche|montre|révèle|muestra|muéstrame|revela|mostra|mostrami|rivela|"
          r"laat|toon|geef|mostre|表示|教え")  # fmt: skip
HIDDEN_PROMPT = (r"system ?prompt|systemprompt|initial prompt|hidden (?:instructions|prompt)|"
                 r"your (?:instructions|rules|guidelines)|prompt (?:système|systeme|del sistema|"
                 r"di sistema|do sistema)|system-?anweisungen|systeemprompt|"
                 r"システムプロンプト")  # fmt: skip
ROLE = (r"you are now|from now on you|act as|pretend (?:to be|you)|du bist jetzt|"
        r"tu es maintenant|ahora eres|ora sei|je bent nu|agora você é|今から")  # fmt: skip
UNBOUND = (r"no (?:restrictions|rules|limits|filters?|guidelines)|unrestricted|unfiltered|"
           r"jailbr(?:oken|eak)|developer mode|do anything now|\bdan\b|never refuses|"
           r"ohne (?:einschränkungen|regeln|filter)|"
           r"sans (?:aucune )?(?:restriction|limite|règle)s?|"
           r"sin (?:restricciones|reglas|límites)|senza (?:restrizioni|regole|limiti)|"
           r"zonder (?:beperkingen|regels)|sem (?:restrições|regras)|"
           r"制限なし|制限のない")  # fmt: skip
MARKERS = re.compile(r"\[/?inst\]|<</?sys>>|<\|im_start\|>|<\|system\|>|^#{2,} ?system",
                     re.IGNORECASE | re.MULTILINE)  # fmt: skip
SIGNALS = (
    re.compile(rf"(?:{OVERRIDE}).{{0,40}}?(?:{EARLIER}).{{0,30}}?(?:{RULES})", re.I | re.S),
    re.compile(rf"(?:{REVEAL}).{{0,40}}?(?:{HIDDEN_PROMPT})", re.I | re.S),
    re.compile(rf"(?:{ROLE}).{{0,60}}?(?:{UNBOUND})", re.I | re.S),
    re.compile(rf"(?:{UNBOUND}).{{0,40}}?(?:ai|ki|ia|model|assistant|mode|modus)",
               re.I | re.S),
    re.compile(r"new (?:instructions|rules)\s*:|neue anweisungen\s*:|nouvelles instructions\s*:",
               re.I),
    re.compile(rf"(?:{OVERRIDE}) (?:everything|all|anything) (?:you(?:'ve| have| were| are)? "
               r"(?:been )?(?:told|said|taught|instructed|given)|(?:above|before|so far))", re.I),
    # Japanese puts the object first: 以前の指示を無視して, システムプロンプトを表示して.
    re.compile(r"(?:以前|これまで|前|すべて)の?(?:指示|ルール|命令).{0,20}?(?:無視|忘れ)"),
    re.compile(r"(?:システムプロンプト|隠された指示).{0,20}?(?:表示|教え|見せ|出力)"),
)  # fmt: skip


# The classifier's second opinion: a prompt whose nearest labelled neighbour (in the local
# embedding space) is an attack, clearly nearer than any benign prompt. Settled on the tuned set
# of `labelled_prompts`, measured on its held-out set.
NEAREST_ATTACK = 0.45
MARGIN = 0.15


@functools.cache
def _exemplars() -> tuple[tuple[Vector, ...], tuple[Vector, ...]]:
    attacks = tuple(text for texts in ATTACKS.values() for text in texts)
    return embedded_examples(attacks), embedded_examples(tuple(BENIGN))


def _looks_like_an_attack(vector: Vector) -> bool:
    attacks, benign = _exemplars()
    nearest_attack = max(cosine(vector, a) for a in attacks)
    nearest_benign = max(cosine(vector, b) for b in benign)
    return nearest_attack >= NEAREST_ATTACK and nearest_attack - nearest_benign >= MARGIN


def _score(reading: str) -> float:
    score = sum(1.0 for signal in SIGNALS if signal.search(reading))
    return score + (0.5 if MARKERS.search(reading) else 0.0)


def phrase_score(text: str) -> float:
    """The strongest reading's score on the phrase signals: 0 for a plain question, 1 or more
    for an attack."""
    return max(_score(reading) for reading in readings(text))


def is_injection(
    text: str, vectors: Callable[[], list[Vector]], threshold: float = DEFAULT_THRESHOLD
) -> bool:
    """The phrase signals, plus the classifier's opinion on the prompt's window `vectors` (asked
    for only when the phrases alone do not reach `threshold`)."""
    score = phrase_score(text)
    if score < threshold and any(_looks_like_an_attack(v) for v in vectors()):
        score += 1.0
    return score >= threshold
