"""One beat at a time (#17): RedBeat's lock in Redis lets a single beat process send the periodic
jobs however many are started; when the holder stops, a waiting beat takes over."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings

SENT = "Sending due task record-queued-usage"


def start_beat(redis_url: str, log: Path, data_dir: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "REDIS_URL": redis_url,
        "ATRIUM_DATA_DIR": str(data_dir),
        "USAGE_RECORD_SECONDS": "1",
        "ATRIUM_DB_POOL": "false",
        "LOG_FORMAT": "plain",
    }
    command = [sys.executable, "-m", "celery", "-A", "portal", "beat", "--loglevel", "INFO"]
    with log.open("wb") as output:
        return subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=env, stdout=output, stderr=subprocess.STDOUT
        )


def wait_for(predicate: Callable[[], object], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.25)
    return False


def test_a_second_beat_waits_for_the_lock_and_takes_over_when_the_first_stops(
    redis_url: str,
) -> None:
    # A database of the test Redis of its own: the lock and the sent jobs are this test's alone.
    url = redis_url.rsplit("/", 1)[0] + "/11"
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder)
        logs = [data_dir / "beat-0.log", data_dir / "beat-1.log"]
        beats = [start_beat(url, log, data_dir) for log in logs]
        try:

            def holders() -> list[int]:
                return [i for i, log in enumerate(logs) if SENT in log.read_text()]

            assert wait_for(holders, 60), [log.read_text() for log in logs]
            time.sleep(4)  # both have been up long enough to send several jobs each
            (holder,) = holders()
            waiting = 1 - holder
            assert "beat: Acquired lock" in logs[holder].read_text()
            assert "Acquired lock" not in logs[waiting].read_text()

            beats[holder].send_signal(signal.SIGTERM)  # releases the lock as it stops
            assert beats[holder].wait(timeout=30) == 0
            assert wait_for(lambda: SENT in logs[waiting].read_text(), 30), logs[
                waiting
            ].read_text()
        finally:
            for beat in beats:
                if beat.poll() is None:
                    beat.kill()
                    beat.wait(timeout=10)
