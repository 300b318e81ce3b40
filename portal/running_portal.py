"""The file by which `up` tells the other processes of its data directory (`manage.py` commands,
a shell) where the portal it runs is: its Redis and its URL. The settings read it when the
environment does not name them, as every process already finds the embedded PostgreSQL by the
data directory. No Django here: the settings import it.

The file counts only while `up` holds the data directory's lock (`flock` on `up.lock`): the kernel
drops that lock when the process ends, however it ends (kill -9, out of memory, a reboot), so a
file left behind never passes for a live portal, even once another process has its pid (always so
in a container where `up` was pid 1)."""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

FILE_NAME = "up.json"
LOCK_NAME = "up.lock"
# Every process that loads the settings tests the lock by taking it shared for an instant, so
# `up` retries a little before it takes such a moment for another `up`.
CLAIM_SECONDS = 2.0


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
    """Removed by `up` (which holds the data directory) when it starts stopping, before its
    Redis goes."""
    (data_dir / FILE_NAME).unlink(missing_ok=True)


def running_portal(data_dir: Path) -> RunningPortal | None:
    """The portal `up` runs on `data_dir`, or None (no file, or one left by an `up` that died)."""
    if not _held(data_dir / LOCK_NAME):
        return None
    return _read(data_dir)


class DataDirectoryInUse(Exception):
    """Another `up` holds the data directory; `running` is what it announced (None while it is
    still starting its stores)."""

    def __init__(self, running: RunningPortal | None) -> None:
        super().__init__(running)
        self.running = running


@contextmanager
def holding_data_directory(data_dir: Path) -> Iterator[None]:
    """Held by `up` for its whole life: one `up` per data directory. Raises DataDirectoryInUse
    when another process holds it; removes the `up.json` a dead `up` left."""
    fd = os.open(data_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)  # not inherited
    try:
        _claim(fd, data_dir)
        (data_dir / FILE_NAME).unlink(missing_ok=True)
        yield
    finally:
        os.close(fd)  # releases the lock


def _claim(fd: int, data_dir: Path) -> None:
    deadline = time.monotonic() + CLAIM_SECONDS
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise DataDirectoryInUse(_read(data_dir)) from None
            time.sleep(0.05)


def _held(lock_file: Path) -> bool:
    try:
        fd = os.open(lock_file, os.O_RDONLY)
    except OSError:
        return False  # no `up` ever ran here (or none this user may see)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return False  # a file system without locks, where no `up` could hold one either
    finally:
        os.close(fd)  # releases the shared lock, if taken
    return False


def _read(data_dir: Path) -> RunningPortal | None:
    try:
        return RunningPortal(**json.loads((data_dir / FILE_NAME).read_text()))
    except (OSError, ValueError, TypeError):
        return None
