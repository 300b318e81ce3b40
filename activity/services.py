"""Writes to the activity feed of the tenant whose schema is active."""

from __future__ import annotations

from django.db import connection

from activity.models import ActivityEntry


class NotInTenantSchema(RuntimeError):
    """Activity belongs to a tenant; writing it with the public schema active is a bug."""


def record_activity(*, kind: str, message: str, actor: str = "") -> ActivityEntry:
    """Append one entry to the active tenant's feed."""
    if connection.schema_name == "public":
        raise NotInTenantSchema("record_activity needs a tenant schema, not public")
    return ActivityEntry.objects.create(kind=kind, message=message[:500], actor=actor[:200])
