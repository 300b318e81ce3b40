"""Which `up` runs on a data directory: only one that is alive, however the last one ended (kill
-9, out of memory, a reboot), even once its pid belongs to another process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from portal import running_portal as module
from portal.running_portal import (
    DataDirectoryInUse,
    RunningPortal,
    announce_running_portal,
    holding_data_directory,
    running_portal,
)
from tests.portal.up_process import ROOT

HOLDER = """
import sys
from pathlib import Path
from portal.running_portal import announce_running_portal, holding_data_directory
data_dir = Path(sys.argv[1])
with holding_data_directory(data_dir):
    announce_running_portal(data_dir, redis_url="redis://127.0.0.1:7/0", public_url="http://h:1")
    print("held", flush=True)
    sys.stdin.read()
"""


def _leave_up_json(data_dir: Path, pid: int) -> None:
    (data_dir / "up.lock").touch()  # the dead `up` had made it
    stale = {"pid": pid, "redis_url": "redis://127.0.0.1:1/0", "public_url": "http://h:2"}
    (data_dir / "up.json").write_text(json.dumps(stale))


@pytest.mark.parametrize(
    "pid",
    [os.getppid(), os.getpid(), 1],
    ids=["pid reused by another process", "pid of this very process", "pid 1 in a container"],
)
def test_a_stale_up_json_names_no_running_portal_and_blocks_no_up(tmp_path: Path, pid: int) -> None:
    _leave_up_json(tmp_path, pid)
    assert running_portal(tmp_path) is None
    with holding_data_directory(tmp_path):
        assert not (tmp_path / "up.json").exists()  # no command beside `up` takes its dead Redis


def test_a_live_up_is_found_and_refused_until_it_is_killed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(module, "CLAIM_SECONDS", 0.2)
    with subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(tmp_path)],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    ) as holder:  # fmt: skip
        try:
            assert holder.stdout is not None and holder.stdout.readline() == "held\n"
            announced = RunningPortal(holder.pid, "redis://127.0.0.1:7/0", "http://h:1")
            assert running_portal(tmp_path) == announced
            with pytest.raises(DataDirectoryInUse) as refused, holding_data_directory(tmp_path):
                pass
            assert refused.value.running == announced
        finally:
            holder.kill()  # SIGKILL, as kill -9 or the OOM killer ends `up`
    assert (tmp_path / "up.json").exists()  # left behind, as kill -9 leaves it
    assert running_portal(tmp_path) is None
    with holding_data_directory(tmp_path):
        pass


def test_up_holds_the_data_directory_until_it_ends(tmp_path: Path) -> None:
    with holding_data_directory(tmp_path):
        announce_running_portal(tmp_path, redis_url="redis://r:1/0", public_url="http://h:3")
        assert running_portal(tmp_path) == RunningPortal(os.getpid(), "redis://r:1/0", "http://h:3")
    assert running_portal(tmp_path) is None
