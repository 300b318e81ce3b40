from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from metering.selectors import dead_letters
from metering.usage_queue import replay_dead_letters


class Command(BaseCommand):
    help = (
        "List the usage events the recorder set aside (not replayed yet), or replay them into "
        "the usage table (--replay: all; --id: only these). Mend a payload in the admin first "
        "if its data was the fault."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--replay", action="store_true", help="Write them again.")
        parser.add_argument("--id", type=int, action="append", dest="ids", help="Only this one.")

    def handle(self, *args: Any, replay: bool, ids: list[int] | None, **options: Any) -> None:
        if replay:
            recorded, refused = replay_dead_letters(ids)
            self.stdout.write(f"{recorded} recorded, {refused} still refused.")
            return
        letters = dead_letters(ids)
        for letter in letters:
            self.stdout.write(
                f"{letter.pk}\t{letter.created_at:%Y-%m-%d %H:%M:%S}\t"
                f"{letter.request_id or letter.entry_id}\t{letter.error}"
            )
        self.stdout.write(f"{letters.count()} waiting.")
