"""The routes of a URL configuration, as paths a test can request: every converter filled with
a sample value (ids that name nothing), so a test over them covers a new route the day it
lands."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.urls import URLPattern, URLResolver

SAMPLE = {"uuid": "00000000-0000-4000-8000-000000000001", "int": "1", "slug": "x", "str": "1",
          "path": "1"}  # fmt: skip


def sample_paths(patterns: list, keep: Callable[[str], bool], prefix: str = "") -> list[str]:
    """Each route under `patterns` that `keep` (given the route as written) accepts; an
    `include()` whose own route `keep` refuses is skipped whole."""
    found: list[str] = []
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if not keep(route):
            continue
        if isinstance(pattern, URLResolver):
            found += sample_paths(pattern.url_patterns, keep, route)
        elif isinstance(pattern, URLPattern):
            found.append(re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLE[m[1] or "str"], route))
    return found
