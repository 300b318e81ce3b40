"""PostgreSQL or Redis dies under a running portal: the probes tell the truth (`/healthz` without
the database, `/readyz` in JSON), every request gets a fast 503 with Retry-After in its path's
shape, and the portal serves again once the store is back, without a restart.

Real processes: the portal's web server (uvicorn) on its own embedded PostgreSQL and Redis,
which the test stops and starts again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil
import pytest
from pgserver.utils import PostmasterInfo

from budgets.models import Budget
from budgets.services import set_budget
from kernel.errors import DependencyUnavailable
from portal.embedded import EmbeddedRedis, ensure_postgres, free_loopback_port, start_redis

ROOT = Path(__file__).resolve().parents[2]
START_POSTGRES = "import sys, pgserver; pgserver.get_server(sys.argv[1], cleanup_mode=None)"


@dataclass
class Stores:
    pgdata: Path
    redis_dir: Path
    redis: EmbeddedRedis

    def stop_postgres(self) -> None:
        info = PostmasterInfo.read_from_pgdata(self.pgdata)
        assert info is not None
        os.kill(info.pid, signal.SIGINT)  # fast shutdown: clients are disconnected
        psutil.Process(info.pid).wait(30)

    def start_postgres(self) -> None:
        # In a process of its own: this one's pgserver handle remembers the server it stopped.
        subprocess.run([sys.executable, "-c", START_POSTGRES, str(self.pgdata)], check=True)

    def stop_redis(self) -> None:
        self.redis.stop()

    def start_redis(self) -> None:
        self.redis = start_redis(self.redis_dir, port=self.redis.port)


@dataclass
class Portal:
    url: str
    stores: Stores

    def get(self, path: str) -> httpx.Response:
        return httpx.get(f"{self.url}{path}", timeout=30)

    def recovered(self, path: str) -> httpx.Response:
        """`path`'s first answer that is not a 503 (a store just came back: the pool and the
        clients reconnect on their own)."""
        deadline = time.monotonic() + 60
        while True:
            response = self.get(path)
            if response.status_code != 503 or time.monotonic() > deadline:
                return response
            time.sleep(0.3)


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    tmp = tmp_path_factory.mktemp("outages")
    postgres = ensure_postgres(tmp / "pg", stop_on_exit=False)
    stores = Stores(tmp / "pg", tmp / "redis", start_redis(tmp / "redis"))
    env = {
        **os.environ,
        "ATRIUM_DATA_DIR": str(tmp / "var"),
        "DATABASE_URL": postgres.url(),
        "REDIS_URL": stores.redis.url,
        "ATRIUM_HTTPS": "false",
        "LOG_FORMAT": "plain",
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate_schemas", "--shared", "-v", "0"],
        cwd=ROOT, env=env, check=True, timeout=300,
    )  # fmt: skip
    port = free_loopback_port()
    web = subprocess.Popen(
        [
            sys.executable, "-m", "uvicorn", "portal.asgi:application", "--port", str(port),
            "--lifespan", "off", "--log-level", "warning",
        ],
        cwd=ROOT, env=env,
    )  # fmt: skip
    portal = Portal(f"http://127.0.0.1:{port}", stores)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert web.poll() is None and time.monotonic() < deadline, "the portal did not start"
            try:
                portal.get("/healthz")
                break
            except httpx.TransportError:
                time.sleep(0.2)
        yield portal
    finally:
        web.terminate()
        web.wait(30)
        stores.stop_redis()
        if PostmasterInfo.read_from_pgdata(stores.pgdata) is not None:
            stores.stop_postgres()


def _assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert int(response.headers["Retry-After"]) > 0


def _is_api_error(response: httpx.Response) -> None:
    _assert_unavailable(response)
    error = response.json()["error"]
    assert error["code"] == "dependency_unavailable"
    assert "try again" in error["message"]


def test_postgres_down_answers_503s_and_the_portal_recovers_without_a_restart(
    portal: Portal,
) -> None:
    assert portal.recovered("/readyz").status_code == 200
    assert portal.get("/").status_code == 200
    portal.stores.stop_postgres()
    try:
        healthz = portal.get("/healthz")
        assert (healthz.status_code, healthz.json()) == (200, {"status": "ok"})
        readyz = portal.get("/readyz")
        assert readyz.status_code == 503
        database = readyz.json()["checks"]["database"]
        assert database["ok"] is False and database["detail"].startswith("database unreachable")
        # Anyone may probe: the driver's message (host or socket, the database user) is logged only.
        assert not {"server", "socket", "user"} & set(database["detail"].replace('"', " ").split())
        _is_api_error(portal.get("/t/nobody-here/v1/models"))  # the gateway's handler
        _is_api_error(portal.get("/api/schema/"))  # the tenant routing reads the database
        page = portal.get("/")
        _assert_unavailable(page)
        assert "text/html" in page.headers["Content-Type"]
        assert "Unavailable for a moment" in page.text
    finally:
        portal.stores.start_postgres()
    assert portal.recovered("/readyz").status_code == 200
    assert portal.recovered("/").status_code == 200


def test_redis_down_answers_503s_and_the_portal_recovers_without_a_restart(
    portal: Portal,
) -> None:
    assert portal.recovered("/readyz").status_code == 200
    portal.stores.stop_redis()
    try:
        assert portal.get("/healthz").status_code == 200
        readyz = portal.get("/readyz")
        assert readyz.status_code == 503
        assert readyz.json()["checks"]["broker"]["ok"] is False
        _is_api_error(portal.get("/t/nobody-here/v1/models"))  # routing reads the cache's number
    finally:
        portal.stores.start_redis()
    assert portal.recovered("/readyz").status_code == 200
    assert portal.recovered("/t/nobody-here/v1/models").status_code == 401  # no token


@pytest.mark.django_db
def test_a_change_the_portal_could_not_learn_of_is_refused_not_made(make_tenant, settings) -> None:
    """A budget set from a shell that reaches no Redis (the portal's processes would never learn
    of it) is refused with an error that says what to do, and nothing is saved."""
    tenant = make_tenant("budgeted")
    settings.REDIS_URL = f"redis://127.0.0.1:{free_loopback_port()}/0"  # nothing listens there
    with pytest.raises(DependencyUnavailable, match="so the change was not made"):
        set_budget(
            tenant=tenant, business_unit=None, monthly_limit="10", currency="USD", actor="shell"
        )
    assert not Budget.objects.unscoped().filter(tenant=tenant).exists()
