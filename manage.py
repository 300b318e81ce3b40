#!/usr/bin/env python
"""Django's command-line utility for Atrium."""

import os
import sys


def apply_data_dir_option(argv: list[str]) -> None:
    """`--data-dir` must be known before settings load: every path on disk follows it."""
    for index, arg in enumerate(argv):
        if arg == "--data-dir" and index + 1 < len(argv):
            os.environ["ATRIUM_DATA_DIR"] = argv[index + 1]
        elif arg.startswith("--data-dir="):
            os.environ["ATRIUM_DATA_DIR"] = arg.split("=", 1)[1]


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    apply_data_dir_option(sys.argv[2:])
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
