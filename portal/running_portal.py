"""The file by which `up` tells the other processes of its data directory (`manage.py` commands,
a shell) where the portal it runs is: its Redis and its URL. The settings read it when the
environment does not name them, as every process already finds the embedded PostgreSQL by the
data directory. No Django here: the settings import it."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import psutil

FILE_NAME = "up.json"


@dataclass(frozen=True)
class RunningPortal:
    pid: int
    redis_url: str
    public_url: str


def announce_running_portal(data_dir: Path, *, redis_url: str, public_url: str) -> RunningPortal:
    """Written by `up` once its stores are up (readable by this user only: the Redis URL may
    carry a password)."""
    running = RunningPortal(pid=os.getpid(), redis_url=redis_url, public_url=public_url)
    path = data_dir / FILE_NAME
    temporary = path.with_suffix(".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(asdict(running), handle)
    temporary.replace(path)
    return running


def withdraw_running_portal(data_dir: Path) -> None:
    """Removed by `up` when it starts stopping, before its Redis goes."""
    running = running_portal(data_dir)
    if running is not None and running.pid == os.getpid():
        (data_dir / FILE_NAME).unlink(missing_ok=True)


def running_portal(data_dir: Path) -> RunningPortal | None:
    """The portal `up` runs on `data_dir`, or None (no file, or one left by an `up` that died)."""
    try:
        running = RunningPortal(**json.loads((data_dir / FILE_NAME).read_text()))
    except (OSError, ValueError, TypeError):
        return None
    return running if _alive(running.pid) else None


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE  # a zombie has exited
    except psutil.NoSuchProcess:
        return False
