"""CPU time spent by the processes of a running Atrium (`manage.py up`), by role: the web
workers, Redis, PostgreSQL, Celery. CPU per call is the figure that stays stable on a noisy
machine, where latency does not."""

from __future__ import annotations

from collections import Counter

import psutil


def _role(process: psutil.Process) -> str | None:
    try:
        line = " ".join(process.cmdline())
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return None
    if "celery" in line:
        return "celery"
    if "redis-server" in line:
        return "redis"
    # uvicorn's workers are spawned: their command line is multiprocessing's, not uvicorn's
    if "uvicorn" in line or "granian" in line or "multiprocessing" in line:
        return "web"
    if line.startswith("postgres"):
        return "postgres"
    return None


def _postgres_of(data_dir: str) -> list[psutil.Process]:
    for process in psutil.process_iter(["name", "cmdline"]):
        line = " ".join(process.info["cmdline"] or [])
        if process.info["name"] == "postgres" and data_dir in line:
            return [process, *process.children(recursive=True)]
    return []


def cpu_by_role(up_pid: int, data_dir: str | None = None) -> Counter[str]:
    """Seconds of user + system CPU used so far, per role, by the processes alive now (and by
    the PostgreSQL serving `data_dir`, where one is given)."""
    used: Counter[str] = Counter()
    root = psutil.Process(up_pid)
    tree = root.children(recursive=True)
    for process in tree:
        role = _role(process)
        if role is None:
            continue
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        used[role] += times.user + times.system
    for process in _postgres_of(data_dir) if data_dir else []:
        if process in tree:
            continue
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        used["postgres"] += times.user + times.system
    return used
