"""Monthly spending limits of tenants and business units (public schema, tenant-scoped reads)."""

from __future__ import annotations

from django.db import models

from kernel.scoping import TenantScopedManager


class Budget(models.Model):
    """A monthly spending limit for a tenant (no business unit) or one of its business units.

    Enforced by reservation in Redis (`budgets.reservations`): each call reserves its worst case
    before it runs and settles to its real cost after, so concurrent calls cannot overspend."""

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="budgets")
    business_unit = models.ForeignKey(
        "tenants.BusinessUnit", null=True, blank=True, on_delete=models.CASCADE
    )
    monthly_limit = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3)
    alert_thresholds = models.JSONField(
        default=list, help_text="Percentages of the limit that raise an alert, e.g. [50, 80, 100]."
    )
    hard_limit = models.BooleanField(
        default=True, help_text="Refuse calls that could pass the limit (else: alerts only)."
    )
    updated_by = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantScopedManager()

    class Meta:
        db_table = "metering_budget"  # the table it had when budgets were part of metering
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "business_unit"],
                nulls_distinct=False,
                name="one_budget_per_scope",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scope_name}: {self.currency} {self.monthly_limit}/month"

    @property
    def scope_name(self) -> str:
        if self.business_unit_id is None:
            return f"{self.tenant.name}'s monthly budget"
        return f"{self.business_unit.name}'s monthly budget"  # type: ignore[union-attr]
