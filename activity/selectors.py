"""Reads of the active tenant's activity feed."""

from __future__ import annotations

from django.db.models import QuerySet

from activity.models import ActivityEntry


def recent_activity(*, limit: int = 20) -> QuerySet[ActivityEntry]:
    return ActivityEntry.objects.all()[:limit]
