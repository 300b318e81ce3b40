"""`manage.py up` as a test runs it: a subprocess on a free port and its own data directory."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import psutil

from portal.embedded import free_loopback_port

ROOT = Path(__file__).resolve().parents[2]


class UpProcess:
    """`up` on embedded defaults (no DATABASE_URL, REDIS_URL) with its output collected."""

    def __init__(self, data_dir: Path, *extra_args: str, port: int | None = None) -> None:
        unset = {"DATABASE_URL", "REDIS_URL", "ATRIUM_DATA_DIR"}
        env = {k: v for k, v in os.environ.items() if k not in unset}
        self.env = env
        self.data_dir = data_dir
        self.port = port or free_loopback_port()
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "up",
                "--data-dir",
                str(data_dir),
                "--port",
                str(self.port),
                *extra_args,
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def wait_ready(self, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"up exited early:\n{self.output}"
            if "Atrium is ready" not in self.output:
                time.sleep(0.25)
                continue
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.25)
        raise AssertionError(f"/readyz never turned 200:\n{self.output}")

    def beside(self, script: str, **env: str) -> str:
        """What `script` prints, run by `manage.py shell` beside this `up` (its data directory:
        its database and, from its runtime file, its Redis and URL)."""
        shell = subprocess.run(
            [sys.executable, "manage.py", "shell", "-v", "0", "-c", script],
            cwd=ROOT, env={**self.env, "ATRIUM_DATA_DIR": str(self.data_dir), **env},
            capture_output=True, text=True, timeout=180, check=False,
        )  # fmt: skip
        assert shell.returncode == 0, shell.stderr
        return shell.stdout

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(60)
        self._reader.join(5)
        return code


def descendants(pid: int) -> list[psutil.Process]:
    return psutil.Process(pid).children(recursive=True)


def alive(process: psutil.Process) -> bool:
    """A zombie has exited; only its parent has not collected its status yet."""
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def child_of(up: UpProcess, word: str) -> psutil.Process:
    """`up`'s own child (a process-group leader) whose command line holds `word`."""
    return next(
        child for child in psutil.Process(up.process.pid).children()
        if word in " ".join(child.cmdline())
    )  # fmt: skip
