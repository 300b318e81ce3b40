"""Keep the platform's own tenant row: subfolder routing resolves `/` to it."""

from __future__ import annotations

from typing import Any

from django.db import connections


def ensure_platform_tenant(using: str = "default", **kwargs: Any) -> None:
    """Runs after every migrate (and after a test flush), so the row can never go missing."""
    from tenants.models import Tenant

    if getattr(connections[using], "schema_name", "public") != "public":
        return
    Tenant.objects.using(using).get_or_create(
        schema_name="public", defaults={"name": "Atrium platform", "slug": "platform"}
    )
