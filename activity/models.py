"""A tenant's activity feed, kept in the tenant's own schema."""

from __future__ import annotations

from django.db import models


class ActivityEntry(models.Model):
    """One thing that happened in a tenant: created, a budget alert, a model granted, ..."""

    kind = models.CharField(max_length=50)
    message = models.CharField(max_length=500)
    actor = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "activity entries"

    def __str__(self) -> str:
        return f"{self.kind}: {self.message}"
