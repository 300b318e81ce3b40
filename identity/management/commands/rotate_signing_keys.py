from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from identity.signing_keys import rotate_key_ring


class Command(BaseCommand):
    help = (
        "Rotate the built-in provider's signing keys: the published next key starts signing, the "
        "active key is retired but stays published. Then restart web processes one at a time."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        for line in rotate_key_ring(
            settings.OIDC_KEYS_DIR, keep_retired_seconds=settings.OIDC_KEEP_RETIRED_KEYS_SECONDS
        ):
            self.stdout.write(line)
        self.stdout.write("Restart the web processes one at a time to sign with the new key.")
