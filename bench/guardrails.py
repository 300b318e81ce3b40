"""Guardrail quality and speed on labelled sets generated in the repo (no downloads): precision,
recall and F1 per PII kind on Faker sentences in eight locales, the share of hard negatives
flagged (IMEIs, ISBNs, versions, part numbers, prices, coordinates), prompt injection against
benign prompts about instructions (the set it is fitted on, and `labelled_held_out`, never fitted
on), denied topics (paraphrases in several languages, diluted in 2 KB prompts; a second topic
held out), word-filter evasions, and the latency of the checks on a 2 KB prompt.

    python bench/guardrails.py [--per-kind 20] [--seed 20]
"""

from __future__ import annotations

import argparse
import functools
import os
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402
from faker import Faker  # noqa: E402

django.setup()

from guardrails import labelled_blind as blind  # noqa: E402
from guardrails import labelled_held_out as held_out  # noqa: E402
from guardrails.detectors import find_pii  # noqa: E402
from guardrails.engine import blocking_rule, check  # noqa: E402
from guardrails.injection import FEATURES, classifier, phrase_score  # noqa: E402
from guardrails.labelled_pii import hard_negatives, pii_sentences  # noqa: E402
from guardrails.labelled_prompts import (  # noqa: E402
    FILTER_EVASIONS,
    FILTER_WORD,
    TOPIC_COUNTER_EXAMPLES,
    TOPIC_EXAMPLES,
    TOPIC_NAME,
    topic_prompts,
    training_injection_prompts,
)
from guardrails.measure import Score, flagged_share, pii_scores, verdict_score  # noqa: E402
from guardrails.policy import PII_KINDS, Policy, parse  # noqa: E402
from guardrails.recognizers import _numbers_in  # noqa: E402
from guardrails.similarity import forget, window_texts  # noqa: E402

ALL_KINDS = set(PII_KINDS)


def row(name: str, score: Score) -> str:
    counts = f"{score.true_positives} | {score.false_positives} | {score.false_negatives}"
    return f"| {name} | {score.precision:.2f} | {score.recall:.2f} | {score.f1:.2f} | {counts} |"


def p50_ms(run: Callable[[int], object], times: int = 30) -> float:
    """The median of `times` laps, each `run(lap)` (warmed up once first)."""
    run(-1)
    laps = []
    for lap in range(times):
        _numbers_in.cache_clear()  # each lap reads the prompt as new
        start = time.perf_counter()
        run(lap)
        laps.append((time.perf_counter() - start) * 1000)
    return statistics.median(laps)


def two_kilobytes(seed: int) -> str:
    """About 2 KB of English sentences that no lap has seen (none repeats, so no cached window
    of an earlier lap helps) and that no check blocks, so every check runs to the end."""
    fake = Faker("en_US")
    fake.seed_instance(seed)
    text = ""
    while len(text) < 2000:
        text += " ".join(fake.sentences(8)) + " "
    return text[:2000]


# Locales whose Faker writes words of their own language (pt_BR's are Latin)
OTHER_LANGUAGES = ("de_DE", "fr_FR", "es_ES", "it_IT", "ru_RU", "ja_JP", "zh_CN", "ar_AA",
                   "pl_PL", "nl_NL")  # fmt: skip


def two_kilobytes_in_other_languages(seed: int) -> str:
    """About 2 KB of sentences in ten other languages, two at a time from each in turn: every
    window is read through the gloss, and for topics by the multilingual model too."""
    fakers = [Faker(locale) for locale in OTHER_LANGUAGES]
    for number, fake in enumerate(fakers):
        fake.seed_instance(seed * 100 + number)
    text = ""
    while len(text) < 2000:
        for fake in fakers:
            text += " ".join(fake.sentences(2)) + " "
    return text[:2000]


def blocks(policy: Policy) -> Callable[[str], bool]:
    return lambda text: blocking_rule(policy, text, "input") is not None


def topic_policy(name: str, examples: tuple[str, ...], counter: tuple[str, ...]) -> Policy:
    topic = {"name": name, "examples": list(examples), "counter_examples": list(counter)}
    return parse({"denied_topics": [topic]})


def flagged(labelled: list[tuple[str, bool]], flags: Callable[[str], bool]) -> str:
    negatives = [text for text, positive in labelled if not positive]
    return f"{sum(map(flags, negatives)) / len(negatives):.1%} of {len(negatives)}"


def prompt_checks(pii_prompts: list[str]) -> None:
    injection = parse({"prompt_injection": True})
    salaries = topic_policy(TOPIC_NAME, TOPIC_EXAMPLES, TOPIC_COUNTER_EXAMPLES)
    second = topic_policy(held_out.SECOND_TOPIC_NAME, held_out.SECOND_TOPIC_EXAMPLES,
                          held_out.SECOND_TOPIC_COUNTER_EXAMPLES)  # fmt: skip
    words = parse({"word_filters": [{"name": "codename", "pattern": FILTER_WORD}]})
    trained, unseen = training_injection_prompts(), held_out.injection_prompts()
    blind_injection, languages = blind.injection_prompts(), len(blind.languages())
    by_phrases = lambda text: phrase_score(text) >= 1  # noqa: E731
    rows = [
        (f"prompt injection, fitted on ({len(trained)} prompts)", trained, blocks(injection)),
        (f"prompt injection, held out ({len(unseen)} prompts)", unseen, blocks(injection)),
        (f"prompt injection, blind ({len(blind_injection)} prompts, {languages} languages)",
         blind_injection, blocks(injection)),
        ("  phrase signals alone, held out", unseen, by_phrases),
        (f"denied topic {TOPIC_NAME}, tuned on", topic_prompts(), blocks(salaries)),
        (f"denied topic {TOPIC_NAME}, held out", held_out.topic_prompts(False), blocks(salaries)),
        (f"denied topic {held_out.SECOND_TOPIC_NAME}, held out", held_out.topic_prompts(True),
         blocks(second)),
        (f"denied topic {TOPIC_NAME}, blind", blind.topic_prompts(TOPIC_NAME), blocks(salaries)),
        (f"denied topic {held_out.SECOND_TOPIC_NAME}, blind",
         blind.topic_prompts(held_out.SECOND_TOPIC_NAME), blocks(second)),
    ]  # fmt: skip
    print("\n| check | precision | recall | F1 | TP | FP | FN | negatives flagged |")
    print("|---|---|---|---|---|---|---|---|")
    for name, labelled, flags in rows:
        print(f"{row(name, verdict_score(labelled, flags))} {flagged(labelled, flags)} |")
    fitted = classifier()
    named = zip(FEATURES, fitted.weights, strict=False)  # the bias is the last weight
    weights = ", ".join(f"{name} {w:+.2f}" for name, w in named)
    print(f"\ninjection classifier weights: {weights}, bias {fitted.weights[-1]:+.2f}")
    caught = sum(map(blocks(words), FILTER_EVASIONS))
    print(f"word filter evasions caught: {caught}/{len(FILTER_EVASIONS)}")
    topic = {"name": TOPIC_NAME, "examples": list(TOPIC_EXAMPLES),
             "counter_examples": list(TOPIC_COUNTER_EXAMPLES)}  # fmt: skip
    every = parse({"pii": dict.fromkeys(PII_KINDS, "block"), "prompt_injection": True,
                   "denied_topics": [topic]})  # fmt: skip
    drawn = [two_kilobytes(seed) for seed in range(-1, 40)]
    # Only texts that pass every check are timed (a blocked one skips the checks after).
    rules = [blocking_rule(every, text, "input") for text in drawn]
    fresh = [text for text, rule in zip(drawn, rules, strict=True) if rule is None][:31]
    alarms = Counter(rule for rule in rules if rule is not None)
    print(f"2 KB texts of random English words blocked (false alarms): "
          f"{sum(alarms.values())} of {len(drawn)} {dict(alarms)}")
    print(f"  the same texts blocked by the topic {held_out.SECOND_TOPIC_NAME} alone: "
          f"{sum(map(blocks(second), drawn))} of {len(drawn)}")
    forget()  # ...and none of their windows is cached when the laps read them
    cold = lambda lap: blocking_rule(every, fresh[lap + 1], "input")  # noqa: E731
    print(
        f"PII + injection + topic on a 2 KB prompt never seen before: {p50_ms(cold):.1f} ms p50 "
        f"({statistics.median(len(window_texts(t)) for t in fresh):.0f} windows embedded once)"
    )
    # Each check alone, on texts no lap has embedded (the checks by meaning share one
    # embedding when both are on, so these do not add up to the line above).
    alone = {"injection": parse({"prompt_injection": True}),
             "topic": parse({"denied_topics": [topic]}),
             "PII (every kind)": parse({"pii": dict.fromkeys(PII_KINDS, "block")})}  # fmt: skip
    for name, policy in alone.items():
        forget()
        one = lambda lap, p=policy: blocking_rule(p, fresh[lap + 1], "input")  # noqa: E731
        print(f"  {name} alone on it: {p50_ms(one):.1f} ms p50")
    others = [two_kilobytes_in_other_languages(seed) for seed in range(40)]
    verdicts = [blocking_rule(every, text, "input") for text in others]
    passing = [text for text, rule in zip(others, verdicts, strict=True) if rule is None]
    blocked = Counter(rule for rule in verdicts if rule is not None)
    forget()
    foreign = lambda lap: blocking_rule(every, passing[lap + 1], "input")  # noqa: E731
    print(
        "PII + injection + topic on a 2 KB prompt in ten other languages never seen before: "
        f"{p50_ms(foreign):.1f} ms p50 ({len(passing)} of {len(others)} pass, blocked: "
        f"{dict(blocked)}; "
        f"{statistics.median(len(window_texts(t)) for t in passing):.0f} windows and glosses)"
    )
    again = lambda _: blocking_rule(every, fresh[0], "input")  # noqa: E731
    print(
        "the same 2 KB again (a chat re-sends its history each turn; its windows are cached): "
        f"{p50_ms(again):.1f} ms p50"
    )
    # PII masked (a blocking policy stops at the first identifier, before the embedding).
    masking = parse({"pii": dict.fromkeys(PII_KINDS, "mask"), "prompt_injection": True,
                     "denied_topics": [topic]})  # fmt: skip
    with_pii = lambda lap: check(masking, pii_prompts[lap + 1], "input")  # noqa: E731
    print("PII masked + injection + topic on a 2 KB prompt full of PII in eight languages: "
          f"{p50_ms(with_pii):.1f} ms p50")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-kind", type=int, default=20)
    parser.add_argument("--seed", type=int, default=20)
    args = parser.parse_args()
    sentences = pii_sentences(args.per_kind, args.seed)
    negatives = hard_negatives(30 * args.per_kind, args.seed)
    detect = lambda text: find_pii(text, ALL_KINDS)  # noqa: E731
    print(f"PII: {len(sentences)} labelled sentences, {len(negatives)} hard negatives\n")
    print("| check | precision | recall | F1 | TP | FP | FN | recall, asked alone |")
    print("|---|---|---|---|---|---|---|---|")
    for kind, score in pii_scores([*sentences, *negatives], detect).items():
        # What a policy that masks only this kind finds (a US tenant's SSNs): a BSN or a phone
        # number no one asked for does not take the value from it.
        alone = pii_scores(sentences, functools.partial(find_pii, kinds={kind}))[kind]
        print(f"{row(kind, score)} {alone.recall:.2f} |")
    print(f"\nhard negatives flagged: {flagged_share(negatives, detect):.1%}")
    masked_as_something = [s for s in sentences if any(
        f.start <= s.spans[0].start and f.end >= s.spans[0].end for f in detect(s.text))]
    print(f"labelled values left unmasked by the policy of every kind (under any kind's label): "
          f"{len(sentences) - len(masked_as_something)} of {len(sentences)}")
    # 2 KB of labelled sentences, another draw for each lap.
    draws = [random.Random(lap).sample(sentences, 60) for lap in range(31)]  # noqa: S311
    prompts = [" ".join(s.text for s in draw)[:2000] for draw in draws]
    pii = lambda lap: list(detect(prompts[lap + 1]))  # noqa: E731
    print(f"PII on a 2 KB prompt: {p50_ms(pii):.1f} ms p50")
    prompt_checks(prompts)


if __name__ == "__main__":
    main()
