"""How long `manage.py up` takes until /readyz answers 200: on a new data directory, then again on
the same one. Prints one line per run.

    python bench/up_startup.py [--runs 2]
"""

from __future__ import annotations

import argparse
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

from portal.embedded import free_loopback_port  # noqa: E402


def time_until_ready(data_dir: Path) -> tuple[float, float]:
    """(seconds until /readyz is 200, seconds for SIGTERM to stop everything)."""
    unset = {"DATABASE_URL", "REDIS_URL", "ATRIUM_DATA_DIR"}
    env = {k: v for k, v in os.environ.items() if k not in unset}
    port = free_loopback_port()
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "manage.py", "up", "--data-dir", str(data_dir), "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while True:
            if process.poll() is not None:
                raise SystemExit(f"up exited with {process.returncode}")
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        ready = time.monotonic() - started
    finally:
        stopping = time.monotonic()
        process.send_signal(signal.SIGTERM)
        process.wait(60)
    return ready, time.monotonic() - stopping


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=2, help="runs on the same data directory")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "var"
        for run in range(args.runs):
            label = "new data directory" if run == 0 else "existing data directory"
            ready, stop = time_until_ready(data_dir)
            print(f"up run {run + 1} ({label}): ready in {ready:.2f} s, stopped in {stop:.2f} s")


if __name__ == "__main__":
    main()
