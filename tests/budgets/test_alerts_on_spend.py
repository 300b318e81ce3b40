"""A budget's alerts say what is spent: not what running calls reserved for their worst case,
which the counter also holds (forty calls reserving 2.00 each are not 80 % of 100 spent)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from budgets.reservations import BudgetHold, reserve_budgets, rules_of_tenant
from budgets.services import set_budget
from kernel.redis_client import shared_redis

pytestmark = pytest.mark.django_db


def settled(hold: BudgetHold, cost: str) -> None:
    with shared_redis().pipeline(transaction=False) as pipe:
        count = hold.settle(Decimal(cost), pipe)
        totals = pipe.execute()[:count]
    hold.alerts(totals)


def test_an_alert_waits_for_spend_not_for_reservations(make_tenant) -> None:
    acme = make_tenant("acme")
    set_budget(tenant=acme, business_unit=None, monthly_limit="100", currency="USD",
               alert_thresholds=[50, 80], actor="root")  # fmt: skip
    now = timezone.now()
    (rule,) = rules_of_tenant(acme.pk)

    def raised(percent: int) -> bool:
        return bool(shared_redis().exists(f"{rule.counter(now)}:alerted:{percent}"))

    def reserved(request_id: str) -> BudgetHold:
        return reserve_budgets(
            tenant_id=acme.pk, business_unit_id=None, cost=Decimal("2"), at=now,
            request_id=request_id,
        )  # fmt: skip

    holds = [reserved(f"call-{n}") for n in range(45)]
    settled(holds[0], "0.01")  # the counter: 88.01, of which 0.01 spent
    assert not raised(50)
    for hold in holds[1:30]:
        settled(hold, "2")  # 58.01 spent, 30.00 still reserved: 88.01 in the counter
    assert raised(50) and not raised(80)


def test_an_alert_reads_the_counter_and_its_holds_at_one_instant(make_tenant) -> None:
    """A call settles between another's settle and its alerts: that call's worst case is in
    the first one's total but no longer among the holds. It must not be counted as spent."""
    acme = make_tenant("acme")
    set_budget(tenant=acme, business_unit=None, monthly_limit="100", currency="USD",
               alert_thresholds=[50], actor="root")  # fmt: skip
    now = timezone.now()
    (rule,) = rules_of_tenant(acme.pk)
    big = reserve_budgets(tenant_id=acme.pk, business_unit_id=None, cost=Decimal("60"), at=now,
                          request_id="big")  # fmt: skip
    small = reserve_budgets(tenant_id=acme.pk, business_unit_id=None, cost=Decimal("1"),
                            at=now, request_id="small")  # fmt: skip
    with shared_redis().pipeline(transaction=False) as pipe:
        count = small.settle(Decimal("0.50"), pipe)
        small_totals = pipe.execute()[:count]  # 60.50: big's hold and small's cost
    settled(big, "0.01")  # meanwhile
    small.alerts(small_totals)
    assert not shared_redis().exists(f"{rule.counter(now)}:alerted:50")  # 0.51 spent of 100
