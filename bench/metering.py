"""Metering at volume: 1,000,000 usage events through the real path — queued in Redis as the
gateway queues them, recorded into PostgreSQL by the recorder the beat task runs, then rolled up
hourly and daily — on embedded PostgreSQL and Redis in a temporary folder.

Prints seconds and events per second for each step, the total against the target (< 30 s for
1M events, issue #16), and the CPU each process spent recording (steadier than wall time on a
shared machine). Exits 1 if any count is off: events recorded, rows in the table, entries left
in the queue or pending, dead letters, or rollups that do not sum to the events.

    python bench/metering.py [--events 1000000] [--batch-size 5000] [--producers 4]
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import random
import resource
import sys
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.embedded_portal import embedded_portal  # noqa: E402
from kernel.ids import time_ordered_hex  # noqa: E402  (the gateway's request ids)

TENANTS = [(1000 + i, f"tenant-{i}") for i in range(20)]
MODELS = [
    ("anthropic.claude-3-haiku-20240307-v1:0", "bedrock-eu", Decimal("0.25"), Decimal("1.25")),
    ("amazon.titan-embed-text-v2:0", "bedrock-eu", Decimal("0.02"), Decimal("0")),
    ("meta.llama3-70b-instruct-v1:0", "bedrock-us", Decimal("2.65"), Decimal("3.50")),
    ("vllm/qwen2.5-7b", "vllm", Decimal("0.10"), Decimal("0.10")),
    ("local/gemma-3-270m", "local", Decimal("0"), Decimal("0")),
]
MILLION = Decimal(1_000_000)
START = datetime(2026, 10, 1, tzinfo=UTC)
TARGET_SECONDS_PER_MILLION = 30


def events(count: int, start: datetime, seed: int = 7) -> list[dict[str, Any]]:
    """`count` events with every field `metering.services.usage_event` gives a real call, and
    request ids of the gateway's shape (time-ordered: `kernel.ids`)."""
    rng = random.Random(seed)  # noqa: S311  (reproducible test data, not secrets)
    made = []
    for _ in range(count):
        tenant_id, slug = rng.choice(TENANTS)
        model, provider, price_in, price_out = rng.choice(MODELS)
        tokens_in, tokens_out = rng.randint(10, 4000), rng.randint(0, 800)
        cached = rng.choice([0, 0, 0, tokens_in // 2])
        made.append({
            "request_id": f"chatcmpl-{time_ordered_hex()}", "tenant_id": tenant_id,
            "tenant_slug": slug, "business_unit_id": rng.choice([None, tenant_id * 10 + 1]),
            "principal_type": "user", "principal_id": rng.randint(1, 200),
            "principal_name": f"person-{rng.randint(1, 200)}", "model_name": model,
            "requested_model": model, "model_version": None,
            "provider_name": provider, "provider_kind": "bedrock", "region": "eu-west-1",
            "operation": "chat", "streamed": rng.random() < 0.4, "input_tokens": tokens_in,
            "output_tokens": tokens_out, "cached_input_tokens": cached, "cache_write_tokens": 0,
            "tokens_counted": False, "usage_anomaly": "",
            "latency_ms": rng.randint(50, 3000), "status": "ok" if rng.random() < 0.98 else "error",
            "error": "", "currency": "USD", "input_price_per_million": price_in,
            "output_price_per_million": price_out, "cached_input_price_per_million": price_in,
            "cache_write_price_per_million": price_in,
            "cost": (tokens_in * price_in + tokens_out * price_out) / MILLION,
            "started_at": start + timedelta(seconds=rng.randint(0, 30 * 86400 - 1)),
        })  # fmt: skip
    return made


@dataclass(frozen=True)
class CpuClock:
    """CPU seconds spent so far by this process and its producers, PostgreSQL and Redis."""

    python: float
    postgres: float
    redis: float


def postgres_seconds(backend_pid: int) -> float:
    """CPU seconds of the whole PostgreSQL server: the postmaster, every live child (backends,
    the recorder's second writer, background workers) and those already reaped."""
    postmaster = psutil.Process(backend_pid).parent()
    assert postmaster is not None
    own = postmaster.cpu_times()
    seconds = own.user + own.system + own.children_user + own.children_system
    for child in postmaster.children():
        with contextlib.suppress(psutil.NoSuchProcess):
            times = child.cpu_times()
            seconds += times.user + times.system
    return seconds


def cpu_now(backend_pid: int) -> CpuClock:
    from kernel.redis_client import shared_redis

    info = shared_redis().info("cpu")
    children = resource.getrusage(resource.RUSAGE_CHILDREN)  # the producers, once joined
    return CpuClock(
        python=time.process_time() + children.ru_utime + children.ru_stime,
        postgres=postgres_seconds(backend_pid),
        redis=float(info["used_cpu_user"]) + float(info["used_cpu_sys"]),
    )


def print_cpu(step: str, before: CpuClock, after: CpuClock, count: int) -> None:
    spent = [after.python - before.python, after.postgres - before.postgres,
             after.redis - before.redis]  # fmt: skip
    each = " + ".join(f"{seconds * 1e6 / max(count, 1):.1f}" for seconds in spent)
    print(
        f"  CPU {step}: python {spent[0]:.1f} s, postgres {spent[1]:.1f} s, "
        f"redis {spent[2]:.1f} s ({each} µs an event)"
    )


def print_redis_commands(client: Any, count: int) -> None:
    """Redis's own time per command since the last reset, per event (then reset)."""
    stats = client.info("commandstats")
    spent = sorted(
        ((name.removeprefix("cmdstat_"), float(stat["usec"])) for name, stat in stats.items()),
        key=lambda pair: -pair[1],
    )
    print("  redis by command: " + ", ".join(
        f"{name} {usec / max(count, 1):.2f}" for name, usec in spent if usec >= 0.01 * count
    ) + " µs an event")  # fmt: skip
    client.config_resetstat()


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} CPUs"


def queue_share(count: int, seed: int, ready: Any, go: Any, cpu: Any) -> None:
    """Make `count` events here, then, once every producer is ready, queue them as the gateway
    does (`enqueue`), 1,000 to a round trip. Each producer makes its own: events made by the
    parent before the fork would cost every producer a copy-on-write fault per page it touches,
    which no gateway worker pays for the event it just built."""
    from kernel.redis_client import shared_redis
    from metering.usage_queue import enqueue

    made = events(count, START, seed)
    client = shared_redis()
    client.ping()
    ready.release()
    go.wait()
    began = time.process_time()
    for first in range(0, len(made), 1000):
        with client.pipeline(transaction=False) as pipe:
            for event in made[first : first + 1000]:
                enqueue(pipe, event)
            pipe.execute()
    with cpu.get_lock():
        cpu.value += time.process_time() - began


def queue_from_producers(count: int, producers: int) -> tuple[float, float]:
    """Queue `count` events from `producers` forked processes at once, as gateway workers do:
    Redis fsyncs its append-only file once per turn of its event loop for every client it
    served, so one client alone would measure the disk more than the queue. Answers the seconds
    from the moment all had made their events to the last one done, and the CPU seconds the
    producers spent queueing."""
    forks = multiprocessing.get_context("fork")
    ready, go, cpu = forks.Semaphore(0), forks.Event(), forks.Value("d", 0.0)
    shares = [count // producers + (index < count % producers) for index in range(producers)]
    workers = [
        forks.Process(target=queue_share, args=(share, 7 + index, ready, go, cpu))
        for index, share in enumerate(shares) if share
    ]  # fmt: skip
    for worker in workers:
        worker.start()
    for _ in workers:
        ready.acquire()
    began = time.perf_counter()
    go.set()
    for worker in workers:
        worker.join()
        if worker.exitcode != 0:
            raise RuntimeError(f"a producer exited with status {worker.exitcode}")
    return time.perf_counter() - began, cpu.value


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--batch-size", type=int, default=None, help="the recorder's default")
    parser.add_argument("--producers", type=int, default=4, help="processes queueing events")
    args = parser.parse_args()
    with embedded_portal("metering"):
        failures = run(args)
    for failure in failures:
        print(f"FAILED: {failure}")
    sys.exit(1 if failures else 0)


def run(args: argparse.Namespace) -> list[str]:
    from django.db import connection
    from django.db.models import Count, Sum

    from kernel.redis_client import shared_redis
    from metering.models import UsageDeadLetter, UsageEvent, UsageRollup
    from metering.rollups import roll_up_usage
    from metering.usage_queue import GROUP, STREAM, record_queued_usage

    print(f"{args.events:,} events; {load()}")
    client = shared_redis()

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    start = cpu_now(backend)
    queued, producing = queue_from_producers(args.events, args.producers)
    print(f"queued     {args.events:>9,} in {queued:6.1f} s: {args.events / queued:>8,.0f}/s")
    before = cpu_now(backend)
    # The producers' own clocks, from the start signal: not the making of their events.
    print_cpu("queueing", start, replace(before, python=start.python + producing), args.events)
    print_redis_commands(client, args.events)

    sized = {} if args.batch_size is None else {"batch_size": args.batch_size}
    began = time.perf_counter()
    recorded = record_queued_usage(limit=args.events * 2, **sized)
    took = time.perf_counter() - began
    after = cpu_now(backend)
    print(f"recorded   {recorded:>9,} in {took:6.1f} s: {recorded / took:>8,.0f}/s")
    print_cpu("recording", before, after, recorded)
    print_redis_commands(client, recorded)
    recording = took

    began = time.perf_counter()
    rolled = roll_up_usage(until=datetime.now(UTC))
    rolling = time.perf_counter() - began
    print(
        f"rolled up  {args.events:>9,} in {rolling:6.1f} s: {args.events / rolling:>8,.0f}/s "
        f"({rolled.hours_rebuilt} hours and their days rebuilt)"
    )
    total = queued + recording + rolling
    target = TARGET_SECONDS_PER_MILLION * args.events / 1_000_000
    verdict = "met" if total < target else "MISSED"
    print(f"total      {args.events:>9,} in {total:6.1f} s (target < {target:.1f} s: {verdict})")
    began = time.perf_counter()
    again = roll_up_usage(until=datetime.now(UTC))
    print(f"rollup again (nothing new): {time.perf_counter() - began:.2f} s, "
          f"{again.hours_rebuilt} hours rebuilt")  # fmt: skip
    print(load())

    failures = []
    if recorded != args.events:
        failures.append(f"the recorder handled {recorded:,} entries, not {args.events:,}")
    totals = UsageEvent.objects.unscoped().aggregate(calls=Count("id"), cost=Sum("cost"))
    if totals["calls"] != args.events:
        failures.append(f"{totals['calls']:,} events in the table, not {args.events:,}")
    if letters := UsageDeadLetter.objects.count():
        failures.append(f"{letters:,} events set aside as dead letters")
    waiting, pending = client.xlen(STREAM), client.xpending(STREAM, GROUP)["pending"]
    if waiting or pending:
        failures.append(f"{waiting:,} entries left in the stream, {pending:,} pending")
    for period in ("hour", "day"):
        rolled_up = UsageRollup.objects.unscoped().filter(period=period)
        sums = rolled_up.aggregate(calls=Sum("calls"), cost=Sum("cost"))
        verdict = "equal" if sums == totals else f"DIFFER: {sums} != {totals}"
        print(f"{period} rollups vs events: calls and cost {verdict}")
        if sums != totals:
            failures.append(f"the {period} rollups do not sum to the events")
    return failures


if __name__ == "__main__":
    main()
