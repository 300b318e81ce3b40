"""`python manage.py up`: the whole portal in the foreground, on embedded defaults, until Ctrl-C."""

from __future__ import annotations

import errno
import http.client
import os
import shutil
import signal
import socket
import sys
import threading
import time
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from identity.services import ensure_portal_client
from portal.demo import seed_demo_data
from portal.embedded import ensure_postgres, start_redis
from portal.running_portal import (
    DataDirectoryInUse,
    announce_running_portal,
    holding_data_directory,
    withdraw_running_portal,
)
from portal.supervisor import Child, Supervisor, Watched
from tenants.selectors import customer_tenants

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
# The web server first (it stops accepting and drains its requests, whose usage goes to Redis),
# then the workers and beat (each finishes and acknowledges its task in hand), then Redis;
# the embedded PostgreSQL stops last, when `up` exits.
STOP_ORDER = (("web",), ("beat", "worker", "worker-short"), ("redis",))
BANNER_TENANTS = 5  # more are counted, not listed


class Command(BaseCommand):
    help = (
        "Run the whole portal: PostgreSQL (embedded unless DATABASE_URL), Redis (embedded unless "
        "REDIS_URL), migrations, demo data, the ASGI web server, a Celery worker and Celery beat."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--data-dir",
            help="Where embedded data lives (default ./var or ATRIUM_DATA_DIR); kept between runs.",
        )
        parser.add_argument("--host", default="127.0.0.1", help="Address to serve on.")
        parser.add_argument("--port", type=int, default=8000, help="Port to serve on.")
        parser.add_argument("--no-demo", action="store_true", help="Do not create demo data.")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        stop_requested = threading.Event()
        signalled: list[str] = []

        def request_stop(signum: int, frame: FrameType | None) -> None:
            signalled.append(signal.Signals(signum).name)
            stop_requested.set()

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)

        data_dir: Path = settings.DATA_DIR
        data_dir.mkdir(parents=True, exist_ok=True)
        with ExitStack() as held:  # the data directory, until everything `up` started has stopped
            try:
                held.enter_context(holding_data_directory(data_dir))
            except DataDirectoryInUse as in_use:
                raise CommandError(another_up_message(in_use, data_dir)) from None
            ensure_address_free(options["host"], options["port"])
            self._serve(data_dir, options, started, stop_requested, signalled)

    def _serve(
        self,
        data_dir: Path,
        options: dict[str, Any],
        started: float,
        stop_requested: threading.Event,
        signalled: list[str],
    ) -> None:
        supervisor = Supervisor()
        exit_code = 0
        try:
            env = self._prepare_services(data_dir, supervisor, options)
            if stop_requested.is_set():
                return
            # Commands run beside `up` (same data directory) now reach its Redis and its URL.
            announce_running_portal(
                data_dir, redis_url=env["REDIS_URL"], public_url=settings.PUBLIC_URL
            )
            self._start_processes(supervisor, env, data_dir, options)
            url = settings.PUBLIC_URL
            self._wait_until_serving(supervisor, options, stop_requested)
            if stop_requested.is_set():
                return
            self._print_banner(url, time.monotonic() - started, options)
            dead = self._watch(supervisor, stop_requested)
            if dead is not None:
                self.stderr.write(f"atrium: {dead.why_gone()}; stopping the other processes.")
                exit_code = 1
        finally:
            withdraw_running_portal(data_dir)  # before its Redis goes
            if signalled:
                self.stdout.write(
                    f"atrium: {signalled[0]} received, stopping: draining the web server's "
                    "requests, then the workers' tasks."
                )
            supervisor.stop_all(STOP_ORDER)
            connections.close_all()
            self.stdout.write("atrium: stopped.")
        if exit_code:
            sys.exit(exit_code)

    def _prepare_services(
        self, data_dir: Path, supervisor: Supervisor, options: dict[str, Any]
    ) -> dict[str, str]:
        env = dict(os.environ)
        env["ATRIUM_DATA_DIR"] = str(data_dir)
        env["SECRET_KEY"] = settings.SECRET_KEY
        env["PYTHONUNBUFFERED"] = "1"
        env["PYTHONPATH"] = os.pathsep.join(
            [str(settings.BASE_DIR), *filter(None, [os.environ.get("PYTHONPATH")])]
        )
        env["ATRIUM_PUBLIC_URL"] = settings.PUBLIC_URL
        if options["host"] in LOOPBACK_HOSTS and "ATRIUM_HTTPS" not in os.environ:
            # Only this machine can reach a loopback server, and browsers treat it as secure.
            env["ATRIUM_HTTPS"] = "false"

        if settings.DATABASE_URL:
            self.stdout.write("atrium: database from DATABASE_URL")
        else:
            pgdata = Path(settings.DATABASES["default"]["EMBEDDED_PGDATA"])
            server = ensure_postgres(pgdata)
            supervisor.watch("embedded PostgreSQL", server.postmaster_pid)
            env["DATABASE_URL"] = server.url()
            self.stdout.write(f"atrium: embedded PostgreSQL in {pgdata}")

        if os.environ.get("REDIS_URL"):
            self.stdout.write("atrium: Redis from REDIS_URL")
        else:
            redis = start_redis(data_dir / "redis", start_new_session=True)
            supervisor.adopt("redis", redis.process, stop_seconds=15)
            env["REDIS_URL"] = redis.url
            settings.REDIS_URL = redis.url  # this process invalidates caches while it seeds
            self.stdout.write(f"atrium: embedded Redis on {redis.url}")

        self.stdout.write("atrium: applying migrations (shared schema, then every tenant schema)")
        call_command("migrate_schemas", interactive=False, verbosity=0)
        if not options["no_demo"]:
            seed = seed_demo_data(credentials_file=data_dir / "demo-credentials.json")
            if seed.created:
                self.stdout.write("atrium: demo data created: " + ", ".join(seed.created))
            else:
                self.stdout.write("atrium: demo data already present")
            self._demo_people = seed.people
        self._tenant_slugs = list(
            customer_tenants().order_by("slug").values_list("slug", flat=True)
        )
        ensure_portal_client()
        connections.close_all()
        return env

    def _start_processes(
        self, supervisor: Supervisor, env: dict[str, str], data_dir: Path, options: dict[str, Any]
    ) -> None:
        python = sys.executable
        web_env = web_environment(env, data_dir)
        supervisor.start(
            "web",
            [
                python, "-m", "uvicorn", "portal.asgi:application",
                "--host", options["host"], "--port", str(options["port"]),
                "--lifespan", "off", "--workers", web_env["WEB_CONCURRENCY"],
                "--timeout-graceful-shutdown", str(settings.SHUTDOWN_SECONDS),
                *([] if web_env.get("ATRIUM_ACCESS_LOG") == "true" else ["--no-access-log"]),
            ],
            env=web_env,
            stop_seconds=settings.SHUTDOWN_SECONDS + 10,
        )  # fmt: skip
        workers_env = {**env, "ATRIUM_DB_POOL": "false"}  # they fork: no pool threads to inherit
        for name, command in worker_commands(options["port"]).items():
            supervisor.start(name, command, env=workers_env, stop_seconds=settings.SHUTDOWN_SECONDS)
        supervisor.start(
            "beat",
            [
                python, "-m", "celery", "-A", "portal", "beat", "--loglevel", "INFO",
            ],  # its schedule and its lock live in Redis (RedBeat)
            env=workers_env,
            cwd=data_dir,
        )  # fmt: skip

    def _wait_until_serving(
        self, supervisor: Supervisor, options: dict[str, Any], stop: threading.Event
    ) -> None:
        deadline = time.monotonic() + 120
        while not stop.is_set():
            dead = supervisor.first_exited()
            if dead is not None:
                raise CommandError(f"{dead.why_gone()} while starting")
            if _answers_healthz(options["host"], options["port"]):
                return
            if time.monotonic() > deadline:
                raise CommandError("the web server did not answer /healthz within 120 s")
            stop.wait(0.2)

    def _watch(self, supervisor: Supervisor, stop: threading.Event) -> Child | Watched | None:
        while not stop.wait(0.5):
            dead = supervisor.first_exited()
            if dead is not None:
                return dead
        return None

    def _print_banner(self, url: str, seconds: float, options: dict[str, Any]) -> None:
        people = getattr(self, "_demo_people", [])
        lines = banner_lines(url, seconds, people, settings.OIDC_ISSUER, self._tenant_slugs)
        self.stdout.write("\n".join(lines))


def another_up_message(in_use: DataDirectoryInUse, data_dir: Path) -> str:
    other = in_use.running
    serving = f"(pid {other.pid}) serves {other.public_url}" if other else "is starting"
    return (
        f"another `up` {serving} from {data_dir}: stop it first, or give this one another "
        "--data-dir."
    )


def ensure_address_free(host: str, port: int) -> None:
    """Fails at once when the web server could not listen on host:port (most often: another
    server is there), before any store starts, and before that server can answer the readiness
    check in this one's stead."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET  # as uvicorn chooses
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # As uvicorn does: connections of a server that just stopped (TIME_WAIT) do not count.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise CommandError(
                    f"port {port} on {host} is in use: stop what serves there, or pass another "
                    "--port."
                ) from None
            raise CommandError(
                f"cannot serve on {host} port {port} ({error.strerror}): pass another --host "
                "or --port."
            ) from None


def banner_lines(
    url: str, seconds: float, people: list[Any], issuer: str, tenants: Sequence[str]
) -> list[str]:
    """What `up` prints once ready: where things are (the tenants that exist), and how people
    sign in there. With an external provider (OIDC_ISSUER) the demo passwords sign nobody in, so
    they are not shown."""
    listed = "   ".join(f"{url}/t/{slug}/" for slug in tenants[:BANNER_TENANTS])
    if len(tenants) > BANNER_TENANTS:
        listed += f"   and {len(tenants) - BANNER_TENANTS} more"
    lines = [
        "",
        f"  Atrium is ready in {seconds:.1f} s at {url}/",
        f"    platform administration  {url}/admin/",
        f"    tenants                  {listed or 'none yet: manage.py create_tenant adds one'}",
    ]
    if issuer:
        lines += [
            f"    sign in through          {issuer} (OIDC_ISSUER)",
            f"    roles and units from     the '{settings.OIDC_GROUPS_CLAIM}' claim, mapped on "
            "each tenant's Members page (docs/identity.md)",
        ]
    else:
        for person, password in people:
            shown = password or "(unchanged; reset with manage.py changepassword)"
            lines.append(
                f"    sign in as               {person.username} / {shown}  ({person.description})"
            )
    return [*lines, "  Press Ctrl-C to stop.", ""]


def web_environment(env: dict[str, str], data_dir: Path) -> dict[str, str]:
    """The web server's environment: one worker process per available core unless
    WEB_CONCURRENCY says otherwise (the gateway's Python is CPU-bound per process), and, with
    more than one, a fresh Prometheus multiprocess folder so /metrics adds every worker's
    samples. The per-call access log is off (the gateway writes one structured line per call)
    unless ATRIUM_ACCESS_LOG=true."""
    web_env = dict(env)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    web_env.setdefault("WEB_CONCURRENCY", str(max(1, cores or 1)))
    if int(web_env["WEB_CONCURRENCY"]) > 1 and not web_env.get("PROMETHEUS_MULTIPROC_DIR"):
        folder = data_dir / "prometheus"
        shutil.rmtree(folder, ignore_errors=True)  # the last run's samples are not this one's
        folder.mkdir(parents=True)
        web_env["PROMETHEUS_MULTIPROC_DIR"] = str(folder)
    return web_env


def worker_commands(port: int) -> dict[str, list[str]]:
    """The Celery workers `up` runs: one on the default queue (ingestion, evaluation jobs...) and
    one of a single process on the short queue (usage recording, rollups, budget reconciliation,
    purges), which a long ingestion never keeps waiting."""
    worker = [sys.executable, "-m", "celery", "-A", "portal", "worker", "--loglevel", "INFO"]
    return {
        "worker": [
            *worker, "--queues", settings.CELERY_TASK_DEFAULT_QUEUE,
            "--concurrency", str(settings.CELERY_WORKER_CONCURRENCY),
            "--hostname", f"atrium-{port}@%h",
        ],
        "worker-short": [
            *worker, "--queues", settings.CELERY_SHORT_QUEUE, "--concurrency", "1",
            "--hostname", f"atrium-short-{port}@%h",
        ],
    }  # fmt: skip


def _answers_healthz(host: str, port: int) -> bool:
    target = "127.0.0.1" if host in {"0.0.0.0", "localhost"} else host  # noqa: S104
    connection = http.client.HTTPConnection(target, port, timeout=1)
    try:
        connection.request("GET", "/healthz")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()
