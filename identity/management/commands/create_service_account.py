from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from identity.services import IdentityError, create_service_account
from identity.tokens import builtin_issuer
from tenants.models import Role, Tenant
from tenants.selectors import active_business_units


class Command(BaseCommand):
    help = "Register a service account for a tenant's program; prints its credentials as JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", required=True, help="the tenant's slug")
        parser.add_argument("--name", required=True, help="what the program is, e.g. ci-bot")
        parser.add_argument("--role", default=Role.MEMBER, choices=Role.values)
        parser.add_argument(
            "--business-unit",
            default="",
            metavar="NAME",
            help="the tenant's business unit its usage is charged to (default: none, the tenant)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = Tenant.objects.exclude(schema_name="public").filter(slug=options["tenant"]).first()
        if tenant is None:
            raise CommandError(f"No tenant has the slug {options['tenant']!r}.")
        unit_id = None
        if options["business_unit"]:
            unit = active_business_units(tenant).filter(name=options["business_unit"]).first()
            if unit is None:
                names = ", ".join(active_business_units(tenant).values_list("name", flat=True))
                raise CommandError(
                    f"{tenant.name} has no open business unit {options['business_unit']!r}"
                    f" (its units: {names or 'none'})."
                )
            unit_id = unit.pk
        try:
            account, secret = create_service_account(
                tenant=tenant,
                name=options["name"],
                role=options["role"],
                business_unit_id=unit_id,
                actor="manage.py create_service_account",
            )
        except IdentityError as error:
            raise CommandError(str(error)) from error
        credentials = {
            "client_id": account.client_id,
            "client_secret": secret,
            "token_url": f"{builtin_issuer()}/token/",
            "api_base": f"{settings.PUBLIC_URL}/t/{tenant.slug}/v1",
        }
        self.stdout.write(json.dumps(credentials, indent=2))
