"""Runs `up`'s child processes, notices when one dies, and stops them all, leaving none behind."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]

    @property
    def running(self) -> bool:
        return self.process.poll() is None


class Supervisor:
    """Each child runs in its own session (process group), so that stopping it stops its own
    children too (Celery's prefork pool, uvicorn's workers), and a Ctrl-C in the terminal reaches
    `up` alone, which then stops the children in order."""

    def __init__(self) -> None:
        self.children: list[Child] = []

    def start(
        self,
        name: str,
        command: Sequence[str],
        *,
        env: Mapping[str, str],
        cwd: Path | None = None,
    ) -> Child:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            list(command), env=dict(env), cwd=cwd, start_new_session=True
        )
        return self.adopt(name, process)

    def adopt(self, name: str, process: subprocess.Popen[bytes]) -> Child:
        child = Child(name=name, process=process)
        self.children.append(child)
        return child

    def first_exited(self) -> Child | None:
        for child in self.children:
            if not child.running:
                return child
        return None

    def stop_all(self, *, grace_seconds: float = 15.0) -> None:
        """SIGTERM each child's group, newest first; SIGKILL what is left after the grace."""
        for child in reversed(self.children):
            _signal_group(child.process, signal.SIGTERM)
        deadline = time.monotonic() + grace_seconds
        for child in reversed(self.children):
            remaining = max(0.0, deadline - time.monotonic())
            try:
                child.process.wait(remaining)
            except subprocess.TimeoutExpired:
                _signal_group(child.process, signal.SIGKILL)
                child.process.wait()
            # The leader is gone; anything it left in its group goes too.
            _signal_group(child.process, signal.SIGKILL)


def _signal_group(process: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, sig)
