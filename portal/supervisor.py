"""Runs `up`'s child processes, notices when one dies (or when the embedded PostgreSQL, which
pgserver started, is gone), and stops them in order, leaving none behind."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import psutil


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]
    stop_seconds: float  # how long it may finish its work once asked to stop, before SIGKILL

    @property
    def running(self) -> bool:
        return self.process.poll() is None

    def why_gone(self) -> str:
        return f"{self.name} exited with status {self.process.returncode}"


@dataclass
class Watched:
    """A process `up` relies on but did not start as its child: it is watched, never stopped."""

    name: str
    process: psutil.Process

    @property
    def running(self) -> bool:
        try:
            return self.process.is_running() and self.process.status() != psutil.STATUS_ZOMBIE
        except psutil.NoSuchProcess:
            return False

    def why_gone(self) -> str:
        return f"{self.name} (pid {self.process.pid}) is gone"


class Supervisor:
    """Each child runs in its own session (process group), so that a Ctrl-C in the terminal
    reaches `up` alone, which then stops the children in order; stopping is asked of each
    child's leader (SIGTERM), which stops its own children its way (uvicorn drains its requests,
    Celery's main process lets its pool finish and acknowledge the tasks in hand); whatever is
    left in the group after the leader exits, or after its time is up, gets SIGKILL."""

    def __init__(self) -> None:
        self.children: list[Child] = []
        self.watched: list[Watched] = []

    def start(
        self,
        name: str,
        command: Sequence[str],
        *,
        env: Mapping[str, str],
        stop_seconds: float = 15.0,
        cwd: Path | None = None,
    ) -> Child:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            list(command), env=dict(env), cwd=cwd, start_new_session=True
        )
        return self.adopt(name, process, stop_seconds=stop_seconds)

    def adopt(
        self, name: str, process: subprocess.Popen[bytes], *, stop_seconds: float = 15.0
    ) -> Child:
        child = Child(name=name, process=process, stop_seconds=stop_seconds)
        self.children.append(child)
        return child

    def watch(self, name: str, pid: int) -> None:
        self.watched.append(Watched(name=name, process=psutil.Process(pid)))

    def first_exited(self) -> Child | Watched | None:
        for child in [*self.watched, *self.children]:
            if not child.running:
                return child
        return None

    def stop_all(self, order: Sequence[Sequence[str]] = ()) -> None:
        """Stop the children stage by stage: the names in each stage of `order` together, each
        stage only once the one before has exited; children no stage names go last."""
        named = {name for stage in order for name in stage}
        stages = [[c for c in self.children if c.name in stage] for stage in order]
        stages.append([c for c in self.children if c.name not in named])
        for stage in stages:
            _stop_together(stage)


def _stop_together(children: list[Child]) -> None:
    for child in children:
        if child.running:
            with contextlib.suppress(ProcessLookupError):
                child.process.send_signal(signal.SIGTERM)
    started = time.monotonic()
    for child in children:
        remaining = max(0.0, started + child.stop_seconds - time.monotonic())
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
