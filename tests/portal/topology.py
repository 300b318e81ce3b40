"""Atrium as it runs beyond one machine, on this one: PostgreSQL and Redis as standalone servers,
then web processes, Celery workers and beats as separate processes pointed at them with
DATABASE_URL and REDIS_URL, as a Kubernetes deployment runs them (tests/portal/test_topology.py).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg

from portal.embedded import (
    EmbeddedPostgres,
    EmbeddedRedis,
    ensure_postgres,
    free_loopback_port,
    start_redis,
)

ROOT = Path(__file__).resolve().parents[2]

SETUP = """
import json
from budgets.services import set_budget
from identity.services import create_service_account
from models_catalog.models import FoundationModel, Provider
from models_catalog.services.access import grant_model
from models_catalog.services.catalog import set_price
from tenants.models import Tenant
from tenants.services import add_business_unit, create_tenant
acme = create_tenant(slug="acme", name="Acme", business_unit="Operations")
acme.requests_per_minute = acme.tokens_per_minute = 1_000_000_000  # the model's limit is tested
acme.save()
capped = add_business_unit(tenant=acme, name="Capped")
provider = Provider.objects.create(name="upstream", kind="openai_compatible",
                                   endpoint_url="%(upstream)s")
for name in ("open-model", "limited-model"):
    model = FoundationModel.objects.create(name=name, provider=provider, provider_model_id="bench",
                                           display_name=name, modality="chat")
    set_price(model=model, input_per_million="1000", output_per_million="1000", currency="USD",
              actor="topology")
    grant_model(model_name=name, tenants=[acme], actor="topology")
grant = acme.model_grants.get(model__name="limited-model")
grant.requests_per_minute = %(limited_rpm)d
grant.save()
set_budget(tenant=acme, business_unit="Capped", monthly_limit="%(capped_budget)s",
           currency="USD", hard_limit=True, actor="topology")
accounts = {}
for name, unit in (("loader", None), ("capped", capped.pk), ("doomed", None)):
    account, secret = create_service_account(tenant=acme, name=name, business_unit_id=unit,
                                             actor="topology")
    accounts[name] = {"client_id": account.client_id, "secret": secret, "id": account.pk}
print(json.dumps(accounts))
"""


@dataclass
class Topology:
    folder: Path
    postgres: EmbeddedPostgres
    redis: EmbeddedRedis
    upstream: subprocess.Popen[bytes]
    upstream_url: str
    env: dict[str, str]
    webs: dict[int, subprocess.Popen[bytes]] = field(default_factory=dict)
    others: list[subprocess.Popen[bytes]] = field(default_factory=list)
    accounts: dict[str, Any] = field(default_factory=dict)

    @property
    def database_url(self) -> str:
        return self.postgres.url("atrium")

    def log(self, name: str) -> Any:
        return (self.folder / f"{name}.log").open("ab")

    def spawn(self, name: str, command: list[str], **extra: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            command, cwd=ROOT, env={**self.env, **extra}, stdout=self.log(name),
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip

    def manage(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env,
            capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-4000:]
        return done.stdout

    def start_web(self, port: int) -> None:
        self.webs[port] = self.spawn(f"web-{port}", [
            sys.executable, "-m", "uvicorn", "portal.asgi:application", "--host", "127.0.0.1",
            "--port", str(port), "--lifespan", "off", "--no-access-log",
            "--timeout-graceful-shutdown", "20",
        ])  # fmt: skip
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            assert self.webs[port].poll() is None, self.read_log(f"web-{port}")
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise AssertionError(f"web {port} never ready: {self.read_log(f'web-{port}')}")

    def restart_web(self, port: int) -> None:
        """SIGTERM (uvicorn drains, then re-raises the signal it caught, so the status says
        SIGTERM), then a new process on the same port."""
        process = self.webs[port]
        os.killpg(process.pid, signal.SIGTERM)
        assert process.wait(60) in (0, -signal.SIGTERM)
        assert "Finished server process" in self.read_log(f"web-{port}")
        self.start_web(port)

    def read_log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text(errors="replace")[-4000:]

    def token(self, account: str, port: int) -> str:
        credentials = self.accounts[account]
        answer = httpx.post(
            f"http://127.0.0.1:{port}/idp/token/", data={"grant_type": "client_credentials"},
            auth=(credentials["client_id"], credentials["secret"]), timeout=30,
        )  # fmt: skip
        answer.raise_for_status()
        return str(answer.json()["access_token"])

    def query(self, sql: str, *params: object) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.database_url) as conn:
            return conn.execute(sql, params).fetchall()

    def stop(self) -> None:
        for process in [*self.webs.values(), *self.others, self.upstream]:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in [*self.webs.values(), *self.others, self.upstream]:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)
        self.redis.stop()


def start_topology(folder: Path, *, limited_rpm: int, capped_budget: str) -> Topology:
    """Standalone PostgreSQL and Redis, the fake upstream, migrations and the tenant's setup;
    then two web processes, two workers (both queues) and two beats."""
    postgres = ensure_postgres(folder / "pg", database="atrium")
    redis_server = start_redis(folder / "redis", appendfsync="no")
    upstream_port = free_loopback_port()
    upstream = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "fake_upstream.py"), "--port", str(upstream_port)],
        start_new_session=True,
    )
    web_ports = [free_loopback_port(), free_loopback_port()]
    unset = {"DATABASE_URL", "REDIS_URL", "ATRIUM_DATA_DIR", "PROMETHEUS_MULTIPROC_DIR"}
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env.update(
        DATABASE_URL=postgres.url("atrium"), REDIS_URL=redis_server.url,
        ATRIUM_DATA_DIR=str(folder / "shared"),  # the signing keys every replica must share
        ATRIUM_PUBLIC_URL=f"http://127.0.0.1:{web_ports[0]}", ATRIUM_HTTPS="false",
        SECRET_KEY="topology-test-secret-key-shared-by-every-replica-0123456789",
        ATRIUM_PRINCIPAL_CACHE_SECONDS="3600",  # only the pushed revocation can be seen
        USAGE_RECORD_SECONDS="1", LOG_FORMAT="plain", ATRIUM_DB_POOL="false",
    )  # fmt: skip
    topology = Topology(
        folder, postgres, redis_server, upstream, f"http://127.0.0.1:{upstream_port}/v1", env
    )
    topology.manage("migrate_schemas", "--shared", "-v", "0")
    setup = SETUP % {"upstream": topology.upstream_url, "limited_rpm": limited_rpm,
                     "capped_budget": capped_budget}  # fmt: skip
    created = topology.manage("shell", "-v", "0", "-c", setup)
    topology.accounts = json.loads(created.splitlines()[-1])
    worker = [sys.executable, "-m", "celery", "-A", "portal", "worker", "--loglevel", "INFO",
              "--queues", "celery,short", "--concurrency", "1"]  # fmt: skip
    beat = [sys.executable, "-m", "celery", "-A", "portal", "beat", "--loglevel", "INFO"]
    for index in range(2):
        topology.others.append(topology.spawn(f"worker-{index}", [*worker, "--hostname",
                                                                  f"topo{index}@%h"]))  # fmt: skip
        topology.others.append(topology.spawn(f"beat-{index}", beat))
    for port in web_ports:
        topology.start_web(port)
    return topology
