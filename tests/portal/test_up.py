"""`manage.py up` end to end: a subprocess on a free port and a fresh data directory."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import psycopg
from pgserver.utils import PostmasterInfo

from tests.portal.up_process import ROOT, UpProcess, alive, descendants


def test_up_serves_demo_tenants_stops_cleanly_and_restarts_without_reseeding(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "var"
    first = UpProcess(data_dir)
    try:
        first.wait_ready()
        for slug in ("acme", "globex"):
            page = httpx.get(f"http://127.0.0.1:{first.port}/t/{slug}/", timeout=10)
            assert page.status_code == 200
        children = descendants(first.process.pid)
        postmaster = PostmasterInfo.read_from_pgdata(data_dir / "pg")
        assert postmaster is not None and alive(postmaster.process)
        # Another manage.py command, beside the running `up`, uses the same embedded database
        # and Redis, and its exit does not stop the server `up` still needs.
        beside = {**first.env, "ATRIUM_DATA_DIR": str(data_dir)}
        shell = subprocess.run(
            [
                sys.executable, "manage.py", "shell", "-v", "0", "-c",
                "from django.conf import settings; "
                "from tenants.selectors import customer_tenants; "
                "print(sorted(customer_tenants().values_list('slug', flat=True))); "
                "print(settings.REDIS_URL)",
            ],
            cwd=ROOT, env=beside, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        embedded_redis = re.search(r"embedded Redis on (\S+)", first.output)
        assert embedded_redis is not None, first.output
        assert shell.stdout.split() == ["['acme',", "'globex']", embedded_redis[1]], shell.stderr
        # ... and knows the URL `up` serves on.
        account = subprocess.run(
            [sys.executable, "manage.py", "create_service_account", "--tenant", "acme",
             "--name", "beside-up"],
            cwd=ROOT, env=beside, capture_output=True, text=True, timeout=120, check=True,
        )  # fmt: skip
        credentials = json.loads(account.stdout)
        served = f"http://127.0.0.1:{first.port}"
        assert credentials["token_url"].startswith(f"{served}/idp/")
        assert credentials["api_base"] == f"{served}/t/acme/v1"
        assert httpx.get(f"http://127.0.0.1:{first.port}/readyz", timeout=10).status_code == 200
        commands = [" ".join(child.cmdline()) for child in children]
        for expected in (
            "uvicorn portal.asgi",
            "celery -A portal worker --loglevel INFO --queues celery",
            "celery -A portal worker --loglevel INFO --queues short",
            "celery -A portal beat",
            "redis-server",
        ):
            assert any(expected in command for command in commands), (expected, commands)
    finally:
        code = first.stop()
    assert code == 0, first.output
    assert not (data_dir / "up.json").exists()
    assert "demo data created" in first.output
    logins = dict(re.findall(r"sign in as\s+(\w+) / (\S+)", first.output))
    assert set(logins) == {"admin", "alice", "bob"}, first.output
    survivors = [child for child in children if alive(child)]
    assert survivors == [], survivors
    assert not alive(postmaster.process)

    second = UpProcess(data_dir)
    try:
        second.wait_ready()
        with psycopg.connect(
            PostmasterInfo.read_from_pgdata(data_dir / "pg").get_uri(database="atrium")
        ) as conn:
            tenants = conn.execute(
                "SELECT slug FROM tenants_tenant WHERE schema_name <> 'public' ORDER BY slug"
            ).fetchall()
            people = conn.execute("SELECT count(*) FROM auth_user").fetchone()
    finally:
        assert second.stop() == 0, second.output
    assert "demo data already present" in second.output
    assert dict(re.findall(r"sign in as\s+(\w+) / (\S+)", second.output)) == logins
    assert [row[0] for row in tenants] == ["acme", "globex"]
    assert people == (3,)


def test_up_stops_everything_when_a_child_dies(tmp_path: Path) -> None:
    up = UpProcess(tmp_path / "var")
    try:
        up.wait_ready()
        worker = next(
            child for child in descendants(up.process.pid)
            if "--queues celery" in " ".join(child.cmdline()) and child.ppid() == up.process.pid
        )  # fmt: skip
        others = [c for c in descendants(up.process.pid) if c.pid != worker.pid]
        os.killpg(worker.pid, signal.SIGKILL)
        code = up.process.wait(60)
    finally:
        if up.process.poll() is None:
            up.stop()
    assert code == 1
    assert "worker exited with status" in up.output
    assert [c for c in others if alive(c)] == []


def test_up_without_demo_data_creates_no_tenants(tmp_path: Path) -> None:
    up = UpProcess(tmp_path / "var", "--no-demo")
    try:
        up.wait_ready()
        assert httpx.get(f"http://127.0.0.1:{up.port}/t/acme/", timeout=10).status_code == 404
    finally:
        assert up.stop() == 0, up.output
    assert "sign in as" not in up.output
    banner = up.output.split("Atrium is ready", 1)[1].split("Press Ctrl-C", 1)[0]
    assert "/t/" not in banner and "none yet: manage.py create_tenant" in banner, banner


def test_up_notices_its_embedded_postgres_died_and_stops_the_others(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    up = UpProcess(data_dir, "--no-demo")
    try:
        up.wait_ready()
        children = descendants(up.process.pid)
        postmaster = PostmasterInfo.read_from_pgdata(data_dir / "pg")
        assert postmaster is not None
        postmaster.process.kill()
        code = up.process.wait(120)
    finally:
        if up.process.poll() is None:
            up.stop()
    assert code == 1
    assert re.search(r"embedded PostgreSQL \(pid \d+\) is gone; stopping the other", up.output)
    assert [c for c in children if alive(c)] == []
