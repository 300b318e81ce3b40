"""What `up` refuses at once, before it starts any store: a port another server holds (it would
answer the readiness check in this `up`'s stead). A file a dead `up` left is no reason."""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management.base import CommandError

from portal.management.commands.up import ensure_address_free
from tests.portal.up_process import UpProcess


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A port another server listens on (SO_REUSEADDR, as http.server and uvicorn set it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as other:
        other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        other.bind(("127.0.0.1", 0))
        other.listen()
        yield other.getsockname()[1]


def test_a_port_another_server_listens_on_is_refused(taken_port: int) -> None:
    with pytest.raises(CommandError, match=f"port {taken_port} on 127.0.0.1 is in use"):
        ensure_address_free("127.0.0.1", taken_port)
    with pytest.raises(CommandError, match="pass another --port"):
        ensure_address_free("0.0.0.0", taken_port)  # noqa: S104 - every address includes it


def test_up_on_a_taken_port_fails_at_once_despite_a_stale_up_json(
    tmp_path: Path, taken_port: int
) -> None:
    data_dir = tmp_path / "var"
    data_dir.mkdir()
    # Left by an `up` killed with -9; its pid is alive again, as this test's own process.
    stale = {"pid": os.getpid(), "redis_url": "redis://127.0.0.1:1/0", "public_url": "http://h:2"}
    (data_dir / "up.json").write_text(json.dumps(stale))
    (data_dir / "up.lock").touch()
    up = UpProcess(data_dir, "--no-demo", port=taken_port)
    assert up.process.wait(120) == 1
    up.stop()  # collects the rest of its output
    assert f"port {taken_port} on 127.0.0.1 is in use: stop what serves there" in up.output
    assert "another `up`" not in up.output
    assert "Atrium is ready" not in up.output and "embedded PostgreSQL" not in up.output
    assert not (data_dir / "pg").exists()
