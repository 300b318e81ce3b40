#!/usr/bin/env python
"""Django's command-line utility for Atrium."""

import os
import sys


def option_value(argv: list[str], name: str) -> str | None:
    for index, arg in enumerate(argv):
        if arg == name and index + 1 < len(argv):
            return argv[index + 1]
        if arg.startswith(f"{name}="):
            return arg.split("=", 1)[1]
    return None


def apply_up_options(argv: list[str]) -> None:
    """`up`'s --data-dir, --host and --port must be known before settings load: every path on
    disk follows the data directory, and the built-in OpenID provider's issuer follows the URL."""
    if not argv or argv[0] != "up":
        return
    data_dir = option_value(argv, "--data-dir")
    if data_dir:
        os.environ["ATRIUM_DATA_DIR"] = data_dir
    if "ATRIUM_PUBLIC_URL" not in os.environ:
        host = option_value(argv, "--host") or "127.0.0.1"
        if host in {"0.0.0.0", "::"}:  # noqa: S104 - a display name for a wildcard bind
            host = "localhost"
        elif ":" in host:
            host = f"[{host}]"
        os.environ["ATRIUM_PUBLIC_URL"] = f"http://{host}:{option_value(argv, '--port') or 8000}"


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    apply_up_options(sys.argv[1:])
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
