from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from identity.services import ensure_portal_client


class Command(BaseCommand):
    help = (
        "Prepare the database for this release, once, before its web processes start: apply the "
        "shared schema's and every tenant schema's migrations, then register the portal's own "
        "client at the built-in OpenID provider for ATRIUM_PUBLIC_URL."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate_schemas", interactive=False, verbosity=options["verbosity"])
        ensure_portal_client()
        self.stdout.write("atrium: migrations applied; portal client registered")
