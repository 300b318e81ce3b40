"""Reads of a tenant's budgets, with this month's spend as enforcement sees it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from budgets.reservations import BudgetRule, next_month_start, rules_of_tenant, spend_now
from tenants.models import BusinessUnit, Tenant


@dataclass(frozen=True)
class BudgetStatus:
    rule: BudgetRule
    business_unit: str | None
    spent: Decimal  # recorded and reserved this month
    resets_at: datetime

    @property
    def percent(self) -> float:
        return float(self.spent * 100 / self.rule.limit) if self.rule.limit else 0.0

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.rule.id,
            "business_unit": self.business_unit,
            "monthly_limit": str(self.rule.limit),
            "currency": self.rule.currency,
            "alert_thresholds": list(self.rule.thresholds),
            "hard_limit": self.rule.hard,
            "spent_this_month": str(self.spent.quantize(Decimal("0.000001"))),
            "percent_used": round(self.percent, 2),
            "resets_at": self.resets_at.isoformat(),
        }


def budgets_of_tenant(tenant: Tenant, at: datetime) -> list[BudgetStatus]:
    units = dict(BusinessUnit.objects.filter(tenant=tenant).values_list("id", "name"))
    return [
        BudgetStatus(
            rule=rule,
            business_unit=units.get(rule.business_unit_id) if rule.business_unit_id else None,
            spent=spend_now(rule, at),
            resets_at=next_month_start(at),
        )
        for rule in sorted(rules_of_tenant(tenant.pk), key=lambda r: r.business_unit_id or 0)
    ]
