"""What the gateway adds to a model call, measured so that it cannot flatter us.

A fake OpenAI-compatible upstream runs in its own process; Atrium runs as `manage.py up` (every
check on: bearer-token authentication, tenant routing, allowlist, rate limits, a hard monthly
budget reserved and settled on every call, a guardrail policy masking PII and filtering words
on input and output, metering); the load comes from processes of its own (bench/load.py), which
check every answer and count every error. For each concurrency the same load goes to the
upstream directly and through Atrium. Printed per cell: p50/p99 latency (≥ 2,000 samples),
requests per second, errors, and the CPU milliseconds Atrium's web workers spent per call (from
the processes' own CPU time: stable on a noisy machine), and Redis + PostgreSQL per call beside.
The run fails (exit 1) if any call errs or any call's usage event is missing.

    python bench/gateway_overhead.py [--requests 2000] [--concurrency 1 16 64]
        [--load-processes 2] [--web-concurrency N] [--relay] [--litellm BIN]

With --relay, a relay with no checks at all (bench/bare_relay.py: the same server, workers and
HTTP client as Atrium's, nothing else) gets the same load and its own columns: its CPU per call is
the floor under any Python gateway here, and its throughput against the direct calls' bounds
what any of them can reach on this machine's cores.

With --litellm (the `litellm` command of a separate venv: pip install 'litellm[proxy]'), LiteLLM's
proxy runs against the same upstream and gets its own columns and the ratio of added latencies.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.load import Cell, load  # noqa: E402
from bench.server_cpu import cpu_by_role  # noqa: E402
from portal.embedded import free_loopback_port  # noqa: E402

LOG = open(os.environ.get("BENCH_LOG", os.devnull), "w")  # noqa: SIM115
BODY = {
    "model": "bench-model",
    "messages": [
        {"role": "system", "content": "You answer in one word."},
        # Each call asks with a word of its own (bench/load.py: UNIQUE): nothing read is cached.
        {"role": "user", "content": "Is the quarterly report for the UNIQUE office ready?"},
    ],
    "max_tokens": 16,
}

SETUP = """
import json
from decimal import Decimal
from models_catalog.models import FoundationModel, Provider
from models_catalog.services.access import grant_model
from models_catalog.services.catalog import set_price
from identity.services import create_service_account
from budgets.services import set_budget
from guardrails.services import set_tenant_policy
from tenants.models import Tenant
provider, _ = Provider.objects.update_or_create(
    name="bench-upstream", defaults={"kind": "openai_compatible", "endpoint_url": "%(upstream)s"})
model, made = FoundationModel.objects.get_or_create(name="bench-model", defaults={
    "provider": provider, "provider_model_id": "bench", "display_name": "bench",
    "modality": "chat"})
if made:
    set_price(model=model, input_per_million="0.50", output_per_million="1.50",
              currency="USD", actor="bench")
acme = Tenant.objects.get(slug="acme")
# Limits stay on (checked on every call) but high enough for the benchmark's burst.
acme.requests_per_minute = acme.tokens_per_minute = 2_000_000_000
acme.save()
set_budget(tenant=acme, business_unit=None, monthly_limit="100000", currency="USD",
           alert_thresholds=[80, 100], hard_limit=True, actor="bench")
set_tenant_policy(tenant=acme, actor="bench", raw={
    "pii": {"email": "mask", "phone": "mask", "card": "block"},
    "word_filters": [{"name": "codename", "pattern": "Project Falcon"}]})
grant_model(model_name="bench-model", tenants=[acme], actor="bench")
account, secret = create_service_account(tenant=acme, name="bench-%(tag)s", actor="bench")
print(json.dumps({"client_id": account.client_id, "secret": secret}))
"""

COUNT_EVENTS = """
from metering.models import UsageEvent
print(UsageEvent.objects.unscoped().filter(model_name="bench-model", status="ok").count())
"""

LITELLM_CONFIG = """model_list:
  - model_name: bench-model
    litellm_params:
      model: openai/bench
      api_base: {upstream}
      api_key: none
"""
LITELLM_KEY = f"sk-bench-{os.getpid()}"


def wait_until_ok(url: str, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{what} did not start within {seconds:.0f} s")


def start_upstream() -> tuple[subprocess.Popen[bytes], str]:
    port = free_loopback_port()
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "fake_upstream.py"), "--port", str(port)],
        stdout=LOG,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/v1"
    wait_until_posting(url, "the fake upstream")
    return process, url


def wait_until_posting(url: str, what: str) -> None:
    """Until `url`/chat/completions takes a POST (whatever it answers), for up to 30 s."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.post(f"{url}/chat/completions", json={}, timeout=2)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit(f"{what} did not start")


def start_litellm(binary: str, upstream: str, folder: str) -> tuple[subprocess.Popen[bytes], str]:
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
    wait_until_ok(f"{url}/health/liveliness", 180, "LiteLLM's proxy")
    return process, url


def manage_shell(env: dict[str, str], code: str) -> str:
    """Run `code` in `manage.py shell` against the benchmark's Atrium; its stdout."""
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", code],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip
    if done.returncode:
        raise SystemExit(f"manage.py shell failed:\n{done.stderr[-3000:]}")
    return done.stdout


def recorded_events(env: dict[str, str], expected: int) -> int:
    """Metering was on: every call's event reaches the table (the beat task records the queue
    every USAGE_RECORD_SECONDS)."""
    deadline, count = time.monotonic() + 120, 0
    while time.monotonic() < deadline:
        count = int(manage_shell(env, COUNT_EVENTS).split()[-1])
        if count >= expected:
            break
        time.sleep(2)
    return count


def start_relay(upstream: str, workers: int | None) -> tuple[subprocess.Popen[bytes], str]:
    port = free_loopback_port()
    command = [sys.executable, "-m", "bench.bare_relay", "--port", str(port)]
    command += ["--upstream", upstream]
    process = subprocess.Popen(
        command + (["--workers", str(workers)] if workers else []),
        cwd=ROOT, stdout=LOG, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    wait_until_posting(url, "the bare relay")
    return process, url


def errors_of(cell: Cell) -> str:
    return ", ".join(f"{n} {kind}" for kind, n in cell.errors.most_common()) or "0"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 16, 64])
    parser.add_argument("--load-processes", type=int, default=2)
    parser.add_argument("--web-concurrency", type=int, help="WEB_CONCURRENCY for up")
    parser.add_argument("--relay", action="store_true", help="measure a relay with no checks")
    parser.add_argument("--litellm", help="path of the `litellm` command (its own venv)")
    args = parser.parse_args()
    # A benchmark stopped by SIGTERM stops what it started (the `finally` below), as on Ctrl-C.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped by SIGTERM"))
    upstream_process, upstream = start_upstream()
    with tempfile.TemporaryDirectory() as tmp:
        port = free_loopback_port()
        base = f"http://127.0.0.1:{port}"
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in {"DATABASE_URL", "REDIS_URL", "ATRIUM_DATA_DIR"}
        }
        if args.web_concurrency:
            env["WEB_CONCURRENCY"] = str(args.web_concurrency)
        shell_env = {**env, "ATRIUM_DATA_DIR": f"{tmp}/var", "ATRIUM_PUBLIC_URL": base}
        up = subprocess.Popen(
            [sys.executable, "manage.py", "up", "--data-dir", f"{tmp}/var", "--port", str(port)],
            cwd=ROOT, env=env, stdout=LOG, stderr=subprocess.STDOUT,
        )  # fmt: skip
        litellm = relay = None
        failed = False
        try:
            wait_until_ok(f"{base}/readyz", 300, "Atrium")
            setup = manage_shell(shell_env, SETUP % {"upstream": upstream, "tag": port})
            credentials = json.loads(setup.strip().splitlines()[-1])
            token = httpx.post(
                f"{base}/idp/token/",
                data={"grant_type": "client_credentials"},
                auth=(credentials["client_id"], credentials["secret"]),
            ).json()["access_token"]
            auth = {"Authorization": f"Bearer {token}"}
            litellm = start_litellm(args.litellm, upstream, tmp) if args.litellm else None
            relay = start_relay(upstream, args.web_concurrency) if args.relay else None
            header = (
                f"{'conc':>4} | {'direct p50':>10} {'p99':>6} {'rps':>6} | {'atrium p50':>10} "
                f"{'p99':>6} {'rps':>6} {'errors':>6} | {'added p50':>9} | "
                f"{'web CPU ms/call':>15} {'redis':>5} {'pg':>5}"
            )
            if relay:
                header += (
                    f" | {'relay p50':>9} {'rps':>6} {'CPU':>5} | "
                    f"{'rps/direct: atrium':>18} {'relay':>5}"
                )
            if litellm:
                header += f" | {'litellm p50':>11} {'p99':>6} {'rps':>6} | {'added':>6} | ratio"
            print(header, flush=True)
            calls = 0
            for concurrency in args.concurrency:
                shape = {"total": args.requests, "concurrency": concurrency,
                         "processes": args.load_processes}  # fmt: skip
                direct = load(f"{upstream}/chat/completions", {}, BODY, **shape)
                before = cpu_by_role(up.pid, f"{tmp}/var")
                atrium = load(f"{base}/t/acme/v1/chat/completions", auth, BODY, **shape)
                used = cpu_by_role(up.pid, f"{tmp}/var") - before
                done = atrium.ok + sum(atrium.errors.values())
                calls += done + 20 * min(args.load_processes, concurrency)  # with warm-ups
                per_call = {role: used[role] * 1000 / max(done, 1) for role in used}
                added = atrium.percentile(0.5) - direct.percentile(0.5)
                line = (
                    f"{concurrency:>4} | {direct.percentile(0.5):>10.2f} "
                    f"{direct.percentile(0.99):>6.2f} {direct.rps:>6.0f} | "
                    f"{atrium.percentile(0.5):>10.2f} {atrium.percentile(0.99):>6.2f} "
                    f"{atrium.rps:>6.0f} {errors_of(atrium):>6} | {added:>9.2f} | "
                    f"{per_call.get('web', 0):>15.2f} {per_call.get('redis', 0):>5.2f} "
                    f"{per_call.get('postgres', 0):>5.2f}"
                )
                failed |= bool(atrium.errors or direct.errors)
                if relay:
                    before = cpu_by_role(relay[0].pid)
                    floor = load(f"{relay[1]}/chat/completions", {}, BODY, **shape)
                    relay_used = cpu_by_role(relay[0].pid)["web"] - before["web"]
                    relay_done = floor.ok + sum(floor.errors.values())
                    line += (
                        f" | {floor.percentile(0.5):>9.2f} {floor.rps:>6.0f} "
                        f"{relay_used * 1000 / max(relay_done, 1):>5.2f} | "
                        f"{atrium.rps / direct.rps:>18.2f} {floor.rps / direct.rps:>5.2f}"
                    )
                    failed |= bool(floor.errors)
                if litellm:
                    other = load(
                        f"{litellm[1]}/chat/completions",
                        {"Authorization": f"Bearer {LITELLM_KEY}"},
                        BODY,
                        **shape,
                    )
                    theirs = other.percentile(0.5) - direct.percentile(0.5)
                    line += (
                        f" | {other.percentile(0.5):>11.2f} {other.percentile(0.99):>6.2f} "
                        f"{other.rps:>6.0f} | {theirs:>6.2f} | "
                        f"{added / theirs if theirs else float('nan'):.2f}"
                    )
                print(line, flush=True)
                if direct.errors:
                    print(f"     direct errors: {errors_of(direct)}")
            print(f"usage events of the {calls} answered calls: ", end="", flush=True)
            recorded = recorded_events(shell_env, calls)
            print(recorded)
            failed |= recorded != calls
        finally:
            if relay:
                relay[0].terminate()
                relay[0].wait(30)
            if litellm:
                litellm[0].terminate()
                litellm[0].wait(30)
            up.send_signal(signal.SIGTERM)
            up.wait(60)
            upstream_process.terminate()
            upstream_process.wait(10)
    if failed:
        raise SystemExit("FAILED: errors, or usage events missing (see above)")


if __name__ == "__main__":
    main()
