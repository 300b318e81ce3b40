"""What the gateway adds to a model call: direct calls to a fast OpenAI-compatible upstream
against the same calls through Atrium (`manage.py up`: authentication, tenant routing,
allowlist, model resolution), at several concurrencies. Prints p50/p99 latency and throughput.

    python bench/gateway_overhead.py [--requests 400] [--concurrency 1 16 64] [--litellm BIN]

With --litellm (the `litellm` command of a separate venv: pip install 'litellm[proxy]'), LiteLLM's
proxy runs against the same upstream and gets its own columns and the ratio of added latencies.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import uvicorn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from portal.embedded import free_loopback_port  # noqa: E402

LOG = open(os.environ.get("BENCH_LOG", os.devnull), "w")  # noqa: SIM115
ANSWER = json.dumps(
    {
        "id": "x",
        "object": "chat.completion",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}
        ],
        "usage": {"prompt_tokens": 5, "completion_tokens": 1, "total_tokens": 6},
    }
).encode()


async def upstream_app(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
    """The fastest honest OpenAI-compatible server: reads the body, answers a fixed completion."""
    if scope["type"] != "http":
        return
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": ANSWER})


def start_upstream() -> str:
    port = free_loopback_port()
    config = uvicorn.Config(
        upstream_app, host="127.0.0.1", port=port, log_level="error", lifespan="off"
    )
    server = uvicorn.Server(config)
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.02)
    return f"http://127.0.0.1:{port}/v1"


SETUP = """
import json
from models_catalog.models import FoundationModel, Provider
from models_catalog.services.access import grant_model
from identity.services import create_service_account
from tenants.models import Tenant
provider, _ = Provider.objects.update_or_create(
    name="bench-upstream", defaults={"kind": "openai_compatible", "endpoint_url": "%s"})
FoundationModel.objects.get_or_create(name="bench-model", defaults={
    "provider": provider, "provider_model_id": "bench", "display_name": "bench",
    "modality": "chat"})
acme = Tenant.objects.get(slug="acme")
# Limits stay on (they are checked on every call) but high enough for the benchmark's burst.
acme.requests_per_minute = acme.tokens_per_minute = 2_000_000_000
acme.save()
grant_model(model_name="bench-model", tenants=[acme], actor="bench")
account, secret = create_service_account(tenant=acme, name="bench-%d", actor="bench")
print(json.dumps({"client_id": account.client_id, "secret": secret}))
"""


async def measure(url: str, headers: dict[str, str], total: int, concurrency: int) -> dict:
    body = {
        "model": "bench-model",
        "messages": [{"role": "user", "content": "hi"}],
        "max_tokens": 1,
    }
    latencies: list[float] = []
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:
        for _ in range(min(20, total)):  # warm-up: connections, caches, JIT-free but lazy imports
            (await client.post(url, json=body, headers=headers)).raise_for_status()
        queue: asyncio.Queue[int] = asyncio.Queue()
        for index in range(total):
            queue.put_nowait(index)

        async def worker() -> None:
            while not queue.empty():
                queue.get_nowait()
                started = time.perf_counter()
                response = await client.post(url, json=body, headers=headers)
                response.raise_for_status()
                latencies.append(time.perf_counter() - started)

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - began
    latencies.sort()
    return {
        "p50": statistics.median(latencies) * 1000,
        "p99": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "rps": total / elapsed,
    }


LITELLM_CONFIG = """model_list:
  - model_name: bench-model
    litellm_params:
      model: openai/bench
      api_base: {upstream}
      api_key: none
"""


LITELLM_KEY = f"sk-bench-{os.getpid()}"


def start_litellm(binary: str, upstream: str, folder: str) -> tuple[subprocess.Popen, str]:
    config = Path(folder) / "litellm.yaml"
    config.write_text(LITELLM_CONFIG.format(upstream=upstream))
    port = free_loopback_port()
    env = {
        **os.environ,
        "LITELLM_LOCAL_MODEL_COST_MAP": "True",
        "LITELLM_TELEMETRY": "False",
        "LITELLM_MASTER_KEY": LITELLM_KEY,
    }
    process = subprocess.Popen(
        [binary, "--config", str(config), "--port", str(port), "--num_workers", "1"],
        env=env,
        stdout=LOG,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/health/liveliness", timeout=2).status_code == 200:
                return process, url
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    process.kill()
    raise SystemExit("LiteLLM's proxy did not start within 180 s")


COUNT_EVENTS = """
from metering.models import UsageEvent
print(UsageEvent.objects.unscoped().filter(model_name="bench-model", status="ok").count())
"""


def manage_shell(env: dict[str, str], tmp: str, base: str, code: str) -> str:
    """Run `code` in `manage.py shell` against the benchmark's Atrium; its stdout."""
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", code],
        cwd=ROOT,
        env={**env, "ATRIUM_DATA_DIR": f"{tmp}/var", "ATRIUM_PUBLIC_URL": base},
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def recorded_events(env: dict[str, str], tmp: str, base: str, expected: int) -> int:
    """Metering was on: every call's event reaches the table (the beat task records the queue
    every USAGE_RECORD_SECONDS)."""
    deadline, count = time.monotonic() + 60, 0
    while time.monotonic() < deadline:
        count = int(manage_shell(env, tmp, base, COUNT_EVENTS).split()[-1])
        if count >= expected:
            break
        time.sleep(2)
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 16, 64])
    parser.add_argument("--litellm", help="path of the `litellm` command (its own venv)")
    args = parser.parse_args()
    upstream = start_upstream()
    with tempfile.TemporaryDirectory() as tmp:
        port = free_loopback_port()
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in {"DATABASE_URL", "REDIS_URL", "ATRIUM_DATA_DIR"}
        }
        up = subprocess.Popen(
            [sys.executable, "manage.py", "up", "--data-dir", f"{tmp}/var", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=LOG,
            stderr=subprocess.STDOUT,
        )
        litellm: tuple[subprocess.Popen, str] | None = None
        try:
            base = f"http://127.0.0.1:{port}"
            while True:
                try:
                    if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.2)
            setup = manage_shell(env, tmp, base, SETUP % (upstream, port))
            credentials = json.loads(setup.strip().splitlines()[-1])
            token = httpx.post(
                f"{base}/idp/token/",
                data={"grant_type": "client_credentials"},
                auth=(credentials["client_id"], credentials["secret"]),
            ).json()["access_token"]
            auth = {"Authorization": f"Bearer {token}"}
            litellm = start_litellm(args.litellm, upstream, tmp) if args.litellm else None
            header = (
                f"{'concurrency':>11} | {'direct p50':>10} {'p99':>7} {'rps':>7} | "
                f"{'atrium p50':>10} {'p99':>7} {'rps':>7} | {'added p50 ms':>12}"
            )
            if litellm:
                header += f" | {'litellm p50':>11} {'p99':>7} {'rps':>6} | {'added':>7} | ratio"
            print(header)
            for concurrency in args.concurrency:
                direct = asyncio.run(
                    measure(f"{upstream}/chat/completions", {}, args.requests, concurrency)
                )
                atrium = asyncio.run(
                    measure(f"{base}/t/acme/v1/chat/completions", auth, args.requests, concurrency)
                )
                added = atrium["p50"] - direct["p50"]
                line = (
                    f"{concurrency:>11} | {direct['p50']:>10.2f} {direct['p99']:>7.2f} "
                    f"{direct['rps']:>7.0f} | {atrium['p50']:>10.2f} {atrium['p99']:>7.2f} "
                    f"{atrium['rps']:>7.0f} | {added:>12.2f}"
                )
                if litellm:
                    other = asyncio.run(
                        measure(
                            f"{litellm[1]}/chat/completions",
                            {"Authorization": f"Bearer {LITELLM_KEY}"},
                            args.requests,
                            concurrency,
                        )
                    )
                    their = other["p50"] - direct["p50"]
                    line += (
                        f" | {other['p50']:>11.2f} {other['p99']:>7.2f} {other['rps']:>6.0f}"
                        f" | {their:>7.2f} | {added / their if their else float('nan'):.2f}"
                    )
                print(line)
            calls = len(args.concurrency) * (args.requests + min(20, args.requests))
            print(f"usage events recorded for Atrium's {calls} calls: ", end="", flush=True)
            print(recorded_events(env, tmp, base, calls))
        finally:
            if litellm:
                litellm[0].terminate()
                litellm[0].wait(30)
            up.send_signal(signal.SIGTERM)
            up.wait(60)


if __name__ == "__main__":
    main()
