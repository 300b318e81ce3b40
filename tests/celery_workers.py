"""A real Celery worker process for tests that kill one mid-task (resumption, redelivery)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
T = TypeVar("T")


def start_worker(name: str) -> subprocess.Popen[bytes]:
    """A worker on the test database and broker, in a session of its own (so that
    `os.killpg(worker.pid, signal.SIGKILL)` stops it with no chance to clean up)."""
    database = connection.settings_dict
    url = f"postgresql://{database['USER']}@{quote(str(database['HOST']), safe='')}/"
    env = {
        **os.environ, "DATABASE_URL": url + database["NAME"], "REDIS_URL": settings.REDIS_URL,
        "ATRIUM_DB_POOL": "false", "DJANGO_SETTINGS_MODULE": "portal.settings",
    }  # fmt: skip
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool", "solo",
         "--loglevel", "WARNING", "--hostname", f"{name}-{os.getpid()}@%h"],
        cwd=ROOT, env=env, start_new_session=True,
    )  # fmt: skip


def wait_for(predicate: Callable[[], T], timeout: float = 180) -> T:
    """What `predicate()` gives once it is truthy; fails the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not (found := predicate()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)
    return found
