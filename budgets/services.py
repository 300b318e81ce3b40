"""Setting and removing budgets: validated whole before anything is written, audited."""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit.services import record_audit
from budgets.currencies import ISO_4217
from budgets.models import Budget
from budgets.reservations import rule_of, spend_now
from identity.roles import PLATFORM_ADMIN
from kernel.errors import InvalidInput, NotAllowed, NotFound
from tenants.models import BusinessUnit, Tenant

MAX_LIMIT = Decimal("999999999999.99")
DEFAULT_THRESHOLDS = [50, 80, 100]
TENANT_WIDE = "Only platform administrators set or remove a tenant-wide budget."


def may_manage(role: str, business_unit: str | None) -> bool:
    """Tenant administrators manage business units' budgets; the tenant's is the platform's."""
    # An empty name is no unit: the tenant's own budget (`_business_unit`).
    return role == PLATFORM_ADMIN or bool(business_unit)


def _amount(raw: Any) -> Decimal:
    try:
        amount = Decimal(str(raw))
    except (InvalidOperation, ValueError):
        raise InvalidInput(f"monthly_limit: {raw!r} is not an amount (e.g. 2500.00).") from None
    if not amount.is_finite() or amount <= 0:
        raise InvalidInput("monthly_limit: must be more than zero.")
    if amount > MAX_LIMIT or amount != amount.quantize(Decimal("0.01")):
        raise InvalidInput("monthly_limit: at most 12 digits before the point and 2 after.")
    return amount


def _currency(raw: Any) -> str:
    code = str(raw or "").strip().upper()
    if code not in ISO_4217:
        raise InvalidInput(f"currency: {raw!r} is not an ISO 4217 currency code (e.g. USD, EUR).")
    if code != settings.BILLING_CURRENCY:
        raise InvalidInput(
            f"currency: prices are in {settings.BILLING_CURRENCY}, so budgets are too (got {code})."
        )
    return code


def _thresholds(raw: Any) -> list[int]:
    if raw is None:
        return list(DEFAULT_THRESHOLDS)
    if (
        not isinstance(raw, list)
        or len(raw) > 10
        or not all(isinstance(p, int) and not isinstance(p, bool) and 1 <= p <= 100 for p in raw)
    ):
        raise InvalidInput(
            "alert_thresholds: a list of up to 10 whole percentages from 1 to 100, "
            "e.g. [50, 80, 100]."
        )
    return sorted(set(raw))


def _business_unit(tenant: Tenant, name: str | None) -> BusinessUnit | None:
    if name is None or name == "":
        return None
    unit = BusinessUnit.objects.filter(tenant=tenant, name=name).first()
    if unit is None:
        raise NotFound(f"business_unit: {tenant.name} has no business unit called {name!r}.")
    return unit


def _state(budget: Budget) -> dict[str, Any]:
    return {
        "business_unit": budget.business_unit.name if budget.business_unit else None,
        "monthly_limit": str(budget.monthly_limit),
        "currency": budget.currency,
        "alert_thresholds": budget.alert_thresholds,
        "hard_limit": budget.hard_limit,
    }


def set_budget(
    *,
    tenant: Tenant,
    business_unit: str | None,
    monthly_limit: Any,
    currency: Any,
    alert_thresholds: Any = None,
    hard_limit: bool = True,
    actor: str,
) -> Budget:
    """Create or change the budget of the tenant (no business unit) or of one business unit.
    Refused whole if any value is wrong or the limit is below this month's spend."""
    limit = _amount(monthly_limit)
    if not isinstance(hard_limit, bool):
        raise InvalidInput(
            f"hard_limit: true (refuse calls at the limit) or false (alerts only), not "
            f"{hard_limit!r}.",
            param="hard_limit",
        )
    code = _currency(currency)
    thresholds = _thresholds(alert_thresholds)
    unit = _business_unit(tenant, business_unit)
    with transaction.atomic():
        budget = (
            Budget.objects.unscoped()
            .select_for_update()
            .filter(tenant=tenant, business_unit=unit)
            .first()
        )
        before = _state(budget) if budget else None
        budget = budget or Budget(tenant=tenant, business_unit=unit)
        spent = spend_now(rule_of(budget), timezone.now()) if budget.pk else Decimal(0)
        if limit < spent:
            least = spent.quantize(Decimal("0.01"), rounding=ROUND_CEILING)
            raise InvalidInput(
                f"monthly_limit: {code} {spent.normalize():f} is already spent or reserved this "
                f"month; a limit below that would refuse every call. Set at least {least}."
            )
        budget.monthly_limit, budget.currency = limit, code
        budget.alert_thresholds, budget.hard_limit = thresholds, bool(hard_limit)
        budget.updated_by = actor
        budget.save()
        record_audit(
            actor=actor, action="budget.set", target=budget, tenant=tenant, before=before,
            after=_state(budget),
        )  # fmt: skip
    return budget


def remove_budget(*, tenant: Tenant, budget_id: int, actor: str, role: str) -> None:
    """`role` (the actor's in the tenant) must allow managing the budget found, whatever unit
    the caller claimed it was."""
    with transaction.atomic():
        budget = (
            Budget.objects.unscoped().select_related("business_unit")
            .filter(tenant=tenant, pk=budget_id).first()
        )  # fmt: skip
        if budget is None:
            raise NotFound(f"{tenant.name} has no budget {budget_id}.")
        if not may_manage(role, budget.business_unit.name if budget.business_unit else None):
            raise NotAllowed(TENANT_WIDE)
        record_audit(
            actor=actor, action="budget.remove", target=budget, tenant=tenant,
            before=_state(budget), after=None,
        )  # fmt: skip
        budget.delete()
