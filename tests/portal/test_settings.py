"""Settings come from the environment, and the defaults are safe for production."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def clean_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    unset = {"DEBUG", "SECRET_KEY", "ATRIUM_HTTPS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env["ATRIUM_DATA_DIR"] = str(tmp_path / "var")
    env.update(overrides)
    return env


def test_deploy_check_is_clean_with_debug_off(tmp_path: Path) -> None:
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=clean_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
    key_file = tmp_path / "var" / "secret_key"
    assert key_file.stat().st_mode & 0o077 == 0  # generated key readable by its owner only


def test_generated_secret_key_is_kept_between_runs(tmp_path: Path) -> None:
    env = clean_env(tmp_path)
    script = "from django.conf import settings; print(settings.SECRET_KEY)"
    first = manage("shell", "-v", "0", "-c", script, env=env)
    second = manage("shell", "-v", "0", "-c", script, env=env)
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    assert len(first.stdout.strip()) >= 50


def test_a_malformed_boolean_is_refused_with_its_name(tmp_path: Path) -> None:
    result = manage("check", env=clean_env(tmp_path, DEBUG="maybe"))
    assert result.returncode != 0
    assert "DEBUG='maybe' is not a boolean" in result.stderr


def test_database_url_selects_a_real_server(tmp_path: Path) -> None:
    env = clean_env(tmp_path, DATABASE_URL="postgres://app:pw@db.internal:6543/atrium_prod")
    script = (
        "from django.conf import settings; d = settings.DATABASES['default']; "
        "print(d['HOST'], d['PORT'], d['NAME'], d['USER'], 'EMBEDDED_PGDATA' in d)"
    )
    result = manage("shell", "-v", "0", "-c", script, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["db.internal", "6543", "atrium_prod", "app", "False"]
