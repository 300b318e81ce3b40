"""Metering at volume: 1,000,000 usage events through the real path — queued in Redis as the
gateway queues them, recorded into PostgreSQL by the recorder the beat task runs, then rolled up
hourly and daily — on embedded PostgreSQL and Redis in a temporary folder. Prints events per
second for each step and checks that the rollups sum to the events.

    python bench/metering.py [--events 1000000]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.embedded_portal import embedded_portal  # noqa: E402

TENANTS = [(1000 + i, f"tenant-{i}") for i in range(20)]
MODELS = [
    ("anthropic.claude-3-haiku-20240307-v1:0", "bedrock-eu", Decimal("0.25"), Decimal("1.25")),
    ("amazon.titan-embed-text-v2:0", "bedrock-eu", Decimal("0.02"), Decimal("0")),
    ("meta.llama3-70b-instruct-v1:0", "bedrock-us", Decimal("2.65"), Decimal("3.50")),
    ("vllm/qwen2.5-7b", "vllm", Decimal("0.10"), Decimal("0.10")),
    ("local/gemma-3-270m", "local", Decimal("0"), Decimal("0")),
]
MILLION = Decimal(1_000_000)


def events(count: int, start: datetime) -> list[dict[str, object]]:
    rng = random.Random(7)  # noqa: S311  (reproducible test data, not secrets)
    made = []
    for _ in range(count):
        tenant_id, slug = rng.choice(TENANTS)
        model, provider, price_in, price_out = rng.choice(MODELS)
        tokens_in, tokens_out = rng.randint(10, 4000), rng.randint(0, 800)
        made.append({
            "request_id": f"bench-{uuid.uuid4().hex}", "tenant_id": tenant_id,
            "tenant_slug": slug, "business_unit_id": rng.choice([None, tenant_id * 10 + 1]),
            "principal_type": "user", "principal_id": rng.randint(1, 200),
            "principal_name": f"person-{rng.randint(1, 200)}", "model_name": model,
            "provider_name": provider, "provider_kind": "bedrock", "region": "eu-west-1",
            "operation": "chat", "streamed": rng.random() < 0.4, "input_tokens": tokens_in,
            "output_tokens": tokens_out, "tokens_counted": False,
            "latency_ms": rng.randint(50, 3000), "status": "ok" if rng.random() < 0.98 else "error",
            "error": "", "currency": "USD", "input_price_per_million": price_in,
            "output_price_per_million": price_out,
            "cost": (tokens_in * price_in + tokens_out * price_out) / MILLION,
            "started_at": start + timedelta(seconds=rng.randint(0, 30 * 86400 - 1)),
        })  # fmt: skip
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    args = parser.parse_args()
    with embedded_portal("metering"):
        run(args)


def run(args: argparse.Namespace) -> None:
    from django.db.models import Count, Sum

    from kernel.redis_client import shared_redis
    from metering.models import UsageEvent, UsageRollup
    from metering.rollups import roll_up_usage
    from metering.usage_queue import enqueue, record_queued_usage

    generated = events(args.events, datetime(2026, 10, 1, tzinfo=UTC))
    client = shared_redis()

    began = time.perf_counter()
    for first in range(0, len(generated), 1000):
        with client.pipeline(transaction=False) as pipe:
            for event in generated[first : first + 1000]:
                enqueue(pipe, event)
            pipe.execute()
    queued = time.perf_counter() - began
    print(f"queue   {args.events:>9,} events in {queued:6.1f} s: {args.events / queued:>8,.0f}/s")

    began = time.perf_counter()
    recorded = record_queued_usage(limit=args.events * 2)
    took = time.perf_counter() - began
    print(f"record  {recorded:>9,} events in {took:6.1f} s: {recorded / took:>8,.0f}/s")

    began = time.perf_counter()
    run = roll_up_usage(until=datetime.now(UTC))
    took = time.perf_counter() - began
    print(
        f"rollup  {args.events:>9,} events in {took:6.1f} s: {args.events / took:>8,.0f}/s "
        f"({run.hours_rebuilt} hours and their days rebuilt)"
    )
    began = time.perf_counter()
    again = roll_up_usage(until=datetime.now(UTC))
    print(f"rollup again (nothing new): {time.perf_counter() - began:.2f} s, "
          f"{again.hours_rebuilt} hours rebuilt")  # fmt: skip

    totals = UsageEvent.objects.unscoped().aggregate(n=Count("id"), cost=Sum("cost"))
    for period in ("hour", "day"):
        rolled = UsageRollup.objects.unscoped().filter(period=period)
        sums = rolled.aggregate(n=Sum("calls"), cost=Sum("cost"))
        verdict = "equal" if sums == totals else f"DIFFER: {sums} != {totals}"
        print(f"{period} rollups vs events: calls and cost {verdict}")


if __name__ == "__main__":
    main()
