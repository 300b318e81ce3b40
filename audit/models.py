"""The audit log: public schema, append-only. Entries outlive what they describe (a deleted
tenant's entries keep its id and slug), so nothing here is a foreign key."""

from __future__ import annotations

from typing import Any, NoReturn

from django.db import models

from kernel.scoping import TenantScopedManager


class AppendOnly(Exception):
    """Audit entries are never changed or removed through the application."""


class AuditQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnly("audit entries cannot be updated")

    def delete(self) -> NoReturn:
        raise AppendOnly("audit entries cannot be deleted")


class AuditEntry(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.CharField(max_length=200)
    action = models.CharField(max_length=100, db_index=True)
    tenant_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    tenant_slug = models.CharField(max_length=40, blank=True)
    target_type = models.CharField(max_length=100)
    target_id = models.CharField(max_length=100)
    # The target as people name it when the entry is written ("Provider 'bedrock-eu'"): it is
    # still readable after the target is renamed or deleted.
    target_label = models.CharField(max_length=300, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    # A tenant's context reads its own entries only; the platform's pages say .unscoped().
    objects = TenantScopedManager.from_queryset(AuditQuerySet)()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.target}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnly("audit entries cannot be updated")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnly("audit entries cannot be deleted")

    @property
    def target(self) -> str:
        """What the entry is about, in words; entries written before labels by type and id."""
        return self.target_label or f"{self.target_type} #{self.target_id}"
