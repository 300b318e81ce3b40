"""Guardrail quality and speed on labelled sets generated in the repo (no downloads): precision,
recall and F1 per PII kind on Faker sentences in eight locales, the share of hard negatives
flagged (IMEIs, ISBNs, versions, part numbers, prices, coordinates), prompt injection against
benign prompts about instructions, denied topics (paraphrases in several languages, diluted in
long prompts), word-filter evasions, and the latency of each check on a 2 KB prompt.

    python bench/guardrails.py [--per-kind 20] [--seed 20]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from guardrails.detectors import find_pii  # noqa: E402
from guardrails.engine import blocking_rule  # noqa: E402
from guardrails.labelled_pii import hard_negatives, pii_sentences  # noqa: E402
from guardrails.labelled_prompts import (  # noqa: E402
    FILTER_EVASIONS,
    FILTER_WORD,
    TOPIC_COUNTER_EXAMPLES,
    TOPIC_EXAMPLES,
    TOPIC_NAME,
    held_out_injection_prompts,
    injection_prompts,
    topic_prompts,
)
from guardrails.measure import Score, flagged_share, pii_scores, verdict_score  # noqa: E402
from guardrails.policy import PII_KINDS, Policy, parse  # noqa: E402
from guardrails.recognizers import _numbers_in  # noqa: E402

ALL_KINDS = set(PII_KINDS)


def row(name: str, score: Score) -> str:
    counts = f"{score.true_positives} | {score.false_positives} | {score.false_negatives}"
    return f"| {name} | {score.precision:.2f} | {score.recall:.2f} | {score.f1:.2f} | {counts} |"


def p50_ms(run: Callable[[], object], times: int = 20) -> float:
    run()
    laps = []
    for _ in range(times):
        _numbers_in.cache_clear()  # each lap reads the prompt as new
        start = time.perf_counter()
        run()
        laps.append((time.perf_counter() - start) * 1000)
    return statistics.median(laps)


def blocks(policy: Policy) -> Callable[[str], bool]:
    return lambda text: blocking_rule(policy, text, "input") is not None


def prompt_checks(per_kind_prompt: str) -> None:
    injection = parse({"prompt_injection": True})
    topic = parse(
        {
            "denied_topics": [
                {
                    "name": TOPIC_NAME,
                    "examples": list(TOPIC_EXAMPLES),
                    "counter_examples": list(TOPIC_COUNTER_EXAMPLES),
                }
            ]
        }
    )
    words = parse({"word_filters": [{"name": "codename", "pattern": FILTER_WORD}]})
    injected, topical = injection_prompts(), topic_prompts()
    print("\n| check | precision | recall | F1 | TP | FP | FN |\n|---|---|---|---|---|---|---|")
    injection_score = verdict_score(injected, blocks(injection))
    print(row(f"prompt injection, tuned on ({len(injected)} prompts)", injection_score))
    held_out = held_out_injection_prompts()
    held_out_score = verdict_score(held_out, blocks(injection))
    print(row(f"prompt injection, held out ({len(held_out)} prompts)", held_out_score))
    print(row(f"denied topic ({len(topical)} prompts)", verdict_score(topical, blocks(topic))))
    benign = [text for text, attack in injected if not attack]
    off_topic = [text for text, on in topical if not on]
    print(
        f"\nbenign prompts about instructions flagged: "
        f"{sum(map(blocks(injection), benign)) / len(benign):.1%}"
    )
    print(f"off-topic prompts flagged: {sum(map(blocks(topic), off_topic)) / len(off_topic):.1%}")
    caught = sum(map(blocks(words), FILTER_EVASIONS))
    print(f"word filter evasions caught: {caught}/{len(FILTER_EVASIONS)}")
    both = parse({"prompt_injection": True, "denied_topics": [{"name": TOPIC_NAME,
                  "examples": list(TOPIC_EXAMPLES)}]})  # fmt: skip
    print(
        f"injection + topic on a 2 KB prompt: "
        f"{p50_ms(lambda: blocking_rule(both, per_kind_prompt, 'input')):.1f} ms p50"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-kind", type=int, default=20)
    parser.add_argument("--seed", type=int, default=20)
    args = parser.parse_args()
    sentences = pii_sentences(args.per_kind, args.seed)
    negatives = hard_negatives(30 * args.per_kind, args.seed)
    detect = lambda text: find_pii(text, ALL_KINDS)  # noqa: E731
    print(f"PII: {len(sentences)} labelled sentences, {len(negatives)} hard negatives\n")
    print("| check | precision | recall | F1 | TP | FP | FN |\n|---|---|---|---|---|---|---|")
    for kind, score in pii_scores([*sentences, *negatives], detect).items():
        print(row(kind, score))
    print(f"\nhard negatives flagged: {flagged_share(negatives, detect):.1%}")
    prompt = " ".join(s.text for s in sentences[::7])[:2000]
    print(f"PII on a 2 KB prompt: {p50_ms(lambda: list(detect(prompt))):.1f} ms p50")
    prompt_checks(prompt)


if __name__ == "__main__":
    main()
