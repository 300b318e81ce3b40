"""The floors of the house (docs/architecture.md), checked from the code's own imports: no import
runs back up a floor, and no package escapes the contract by being left off it."""

from __future__ import annotations

import configparser
from pathlib import Path

from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / ".importlinter"
NOT_OURS = {"tests", "bench", "docs", "templates", "var"}


def _config() -> configparser.ConfigParser:
    parser = configparser.ConfigParser()
    parser.read(CONFIG)
    return parser


def _listed(section: str, key: str) -> list[str]:
    return _config()[section][key].split()


def test_every_package_of_the_project_stands_on_a_floor() -> None:
    packages = {
        path.parent.name
        for path in ROOT.glob("*/__init__.py")
        if path.parent.name not in NOT_OURS and not path.parent.name.startswith(".")
    }
    assert packages == set(_listed("importlinter", "root_packages"))
    assert packages == set(_listed("importlinter:contract:floors", "layers"))


def test_no_import_runs_back_up_the_floors() -> None:
    assert lint_imports(config_filename=str(CONFIG), no_cache=True, no_logo=True) == 0
