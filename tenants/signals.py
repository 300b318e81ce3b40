"""Keep the platform's own tenant row (subfolder routing resolves `/` to it); and what tenants
announce to the floors above: the audit log records it in the transaction of the write."""

from __future__ import annotations

from typing import Any

from django.db import connections
from django.dispatch import Signal

# Sent with `unit` (the BusinessUnit), `action` ("created", "renamed", "archived", "restored"),
# `actor`, `before` (None on creation) and `after` (business_unit_state).
business_unit_changed = Signal()


def ensure_platform_tenant(using: str = "default", **kwargs: Any) -> None:
    """Runs after every migrate (and after a test flush), so the row can never go missing."""
    from tenants.models import Tenant

    if getattr(connections[using], "schema_name", "public") != "public":
        return
    Tenant.objects.using(using).get_or_create(
        schema_name="public", defaults={"name": "Atrium platform", "slug": "platform"}
    )


def forget_request_schema(**kwargs: Any) -> None:
    """When a request ends, its tenant's schema ends with it: whatever this thread does next
    (a test's own queries, a flush, the next request before its middleware) starts in public."""
    for connection in connections.all(initialized_only=True):
        if hasattr(connection, "set_schema_to_public"):
            connection.set_schema_to_public()
