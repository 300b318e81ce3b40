"""Prompt templates' text: `{{name}}` variables, found and filled."""

from __future__ import annotations

import re

from kernel.errors import InvalidInput

VARIABLE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


def variables_of(body: str) -> list[str]:
    """The template's variables, in order of first use."""
    return list(dict.fromkeys(VARIABLE.findall(body)))


def fill(body: str, values: dict[str, str]) -> str:
    missing = [name for name in variables_of(body) if not str(values.get(name, "")).strip()]
    if missing:
        raise InvalidInput(f"Fill in {', '.join(missing)} before using this template.")
    return VARIABLE.sub(lambda match: str(values[match.group(1)]), body)
