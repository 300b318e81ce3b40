from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenants.services import TenantError, create_tenant


class Command(BaseCommand):
    help = (
        "Create a tenant: its schema (migrated), its /t/<slug>/ route and its first business unit."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--slug", required=True, help="URL name, e.g. acme (-> /t/acme/)")
        parser.add_argument("--name", required=True, help="Display name, e.g. 'Acme Retail'")
        parser.add_argument("--business-unit", required=True, help="First business unit's name")
        parser.add_argument("--cost-centre", default="", help="Finance cost centre, e.g. CC-1001")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            tenant = create_tenant(
                slug=options["slug"],
                name=options["name"],
                business_unit=options["business_unit"],
                cost_centre=options["cost_centre"],
                actor="manage.py create_tenant",
            )
        except TenantError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Created tenant {tenant.name} (schema {tenant.schema_name}) at /t/{tenant.slug}/"
            )
        )
