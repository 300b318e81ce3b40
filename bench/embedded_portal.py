"""For benchmarks that call Atrium's code directly: an embedded PostgreSQL and Redis in a fresh
temporary folder, Django set up on them, the public schema migrated."""

from __future__ import annotations

import atexit
import logging
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


@contextmanager
def embedded_portal(prefix: str) -> Iterator[Path]:
    from portal.embedded import start_redis

    folder = Path(tempfile.mkdtemp(prefix=f"atrium-bench-{prefix}-"))
    # Removed at exit, after the embedded PostgreSQL stops (atexit runs last what it got first):
    # a run leaves gigabytes, whose write-back would slow the next run.
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    redis_server = start_redis(folder / "redis")
    os.environ.pop("DATABASE_URL", None)
    os.environ.update(
        ATRIUM_DATA_DIR=str(folder), REDIS_URL=redis_server.url,
        DJANGO_SETTINGS_MODULE="portal.settings", ATRIUM_DB_POOL="false",
    )  # fmt: skip
    import django

    django.setup()
    logging.getLogger("atrium").setLevel(logging.WARNING)  # one log line per call: not here
    from django.core.management import call_command
    from django.db import connections

    try:
        call_command("migrate_schemas", "--shared", verbosity=0)
        yield folder
    finally:
        connections.close_all()
        redis_server.stop()
