"""For benchmarks that call Atrium's code directly: an embedded PostgreSQL and Redis in a fresh
temporary folder, Django set up on them, the public schema migrated."""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _remove(folder: Path) -> None:
    """Stop the folder's PostgreSQL if it still runs (a web server child killed before its exit
    handlers ran keeps pgserver's count of its users up), then remove the folder."""
    pid_file = next(folder.glob("*/postmaster.pid"), None)
    if pid_file is not None:
        with contextlib.suppress(ValueError, IndexError, OSError):
            postmaster = int(pid_file.read_text().split()[0])
            os.kill(postmaster, signal.SIGINT)  # a fast shutdown
            for _ in range(100):
                os.kill(postmaster, 0)  # raises once it is gone
                time.sleep(0.1)
    shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def embedded_portal(prefix: str) -> Iterator[Path]:
    from portal.embedded import start_redis

    folder = Path(tempfile.mkdtemp(prefix=f"atrium-bench-{prefix}-"))
    # Removed at exit (atexit runs last what it got first: after pgserver's own stop): a run
    # leaves gigabytes, whose write-back would slow the next run.
    atexit.register(_remove, folder)
    redis_server = start_redis(folder / "redis")
    os.environ.pop("DATABASE_URL", None)
    os.environ.update(
        ATRIUM_DATA_DIR=str(folder), REDIS_URL=redis_server.url,
        DJANGO_SETTINGS_MODULE="portal.settings", ATRIUM_DB_POOL="false",
    )  # fmt: skip
    import django

    # Celery's Django fixup puts the working directory first on sys.path: run from another
    # checkout (an A/B against an older commit), the bench would import that checkout's code.
    os.chdir(ROOT)
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
