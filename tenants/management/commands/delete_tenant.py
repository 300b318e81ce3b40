from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenants.services import TenantError, delete_tenant


class Command(BaseCommand):
    help = "Delete a tenant and drop its schema with all its data. Asks for the slug to confirm."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--slug", required=True)
        parser.add_argument(
            "--confirm",
            metavar="SLUG",
            help="Repeat the slug to confirm without a prompt (for scripts).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        slug: str = options["slug"]
        confirm: str | None = options["confirm"]
        if confirm is None:
            if not sys.stdin.isatty():
                raise CommandError(f"Refusing to delete without confirmation: add --confirm {slug}")
            confirm = input(
                f"This drops the schema of tenant {slug!r} and every row in it.\n"
                f"Type the slug to confirm: "
            ).strip()
        try:
            delete_tenant(slug=slug, confirm=confirm)
        except TenantError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Deleted tenant {slug} and dropped its schema."))
