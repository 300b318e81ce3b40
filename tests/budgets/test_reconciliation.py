"""The budgets' Redis counters follow PostgreSQL's recorded spend: emptied, restored from an
older file or leaking, a counter is put right (on a miss, by beat's task per tenant), and a hard
limit still holds."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
from django.utils import timezone

from budgets.holders import BEAT_SECONDS, HOLDER_TTL_SECONDS, holder_key, this_holder
from budgets.reservations import (
    reconcile_budget,
    reserve_budgets,
    rules_of_tenant,
    spend_now,
    to_units,
)
from budgets.services import set_budget
from budgets.tasks import reconcile_budgets
from kernel.redis_client import shared_redis
from tests.budgets.priced import CALL_COST, priced_tenant, recorded_spend
from tests.waiting import eventually

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def spent(request, asgi_url, make_tenant, make_user):  # type: ignore[no-untyped-def]
    """acme, with three calls recorded and room for no fourth under its hard limit."""
    priced = priced_tenant(request, asgi_url, make_tenant, make_user)
    limit = Decimal("0.33")  # 3 calls (0.195) and not a fourth worst case (0.15)
    set_budget(tenant=priced.tenant, business_unit=None, monthly_limit=limit, currency="USD",
               actor="root")  # fmt: skip
    for _ in range(3):
        assert priced.call().status_code == 200
    assert recorded_spend(priced.tenant.pk) == CALL_COST * 3
    return priced


def counter_after_reconciling(rule, expected: Decimal) -> Decimal:  # type: ignore[no-untyped-def]
    """Run beat's dispatcher; the counter once the worker has reconciled it (or time is up)."""
    reconcile_budgets.delay()
    deadline = time.monotonic() + 30
    while (now := spend_now(rule, timezone.now())) != expected and time.monotonic() < deadline:
        time.sleep(0.1)
    return now


def test_a_hard_limit_holds_after_redis_is_emptied(spent) -> None:
    shared_redis().flushall()  # Redis replaced, or restored without the counters
    refused = spent.call()
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "budget_exhausted"
    assert recorded_spend(spent.tenant.pk) == CALL_COST * 3


def test_beat_reconciles_a_stale_counter_with_recorded_spend_and_live_holds(
    spent, celery_worker
) -> None:
    acme = spent.tenant
    (rule,) = rules_of_tenant(acme.pk)
    now = timezone.now()
    shared_redis().set(rule.counter(now), 0)  # restored from a file older than the spend
    running = reserve_budgets(tenant_id=acme.pk, business_unit_id=None, cost=Decimal("0.05"),
                              at=now, request_id="chatcmpl-running")  # fmt: skip

    assert counter_after_reconciling(rule, CALL_COST * 3 + Decimal("0.05")) == (
        CALL_COST * 3 + Decimal("0.05")
    )
    assert spent.call().json()["error"]["code"] == "budget_exhausted"
    running.release()
    assert spend_now(rule, timezone.now()) == CALL_COST * 3 == recorded_spend(acme.pk)


def test_reconciliation_lets_go_of_the_holds_of_a_process_that_died(spent) -> None:
    """A hold names the process that took it; once that process stops beating (killed before
    it could settle or release), the next reconciliation lets its hold go. A hold of a living
    process, one just taken, and one that names no process (taken by an older release), stay."""
    acme = spent.tenant
    (rule,) = rules_of_tenant(acme.pk)
    now = timezone.now()
    client = shared_redis()
    living = reserve_budgets(tenant_id=acme.pk, business_unit_id=None, cost=Decimal("0.01"),
                             at=now, request_id="chatcmpl-living")  # fmt: skip
    holder = client.hget(rule.holders(now), "chatcmpl-living").decode()
    assert holder == this_holder()
    # Its key lives while it beats (back within BEAT_SECONDS if a fixture emptied Redis).
    assert eventually(lambda: client.ttl(holder_key(holder)) > 0, BEAT_SECONDS + 2, every=0.2)
    assert 0 < client.ttl(holder_key(holder)) <= HOLDER_TTL_SECONDS
    taken = int(time.time()) - HOLDER_TTL_SECONDS - 1  # before the dead one's key expired
    client.hset(rule.holds(now), "chatcmpl-dead", f"{to_units(Decimal('0.15'))}:{taken}")
    client.hset(rule.holders(now), "chatcmpl-dead", "gone-1-ab")
    client.hset(rule.holds(now), "chatcmpl-unnamed", f"{to_units(Decimal('0.02'))}:{taken}")
    # A hold taken just now by a process whose key is missing (Redis emptied since its last
    # beat) stays: it beats again within BEAT_SECONDS.
    client.hset(rule.holds(now), "chatcmpl-just", f"{to_units(Decimal('0.04'))}:{int(time.time())}")
    client.hset(rule.holders(now), "chatcmpl-just", "gone-2-cd")
    # A hold written as `amount:taken:holder` (a layout this release never shipped) still counts.
    client.hset(
        rule.holds(now), "chatcmpl-three", f"{to_units(Decimal('0.03'))}:{int(time.time())}:x"
    )
    # No holder is judged while Redis is younger than a holder key's lifetime.
    while client.info("server")["uptime_in_seconds"] < HOLDER_TTL_SECONDS:
        time.sleep(1)

    assert reconcile_budget(rule, now) == (
        CALL_COST * 3 + Decimal("0.01") + Decimal("0.02") + Decimal("0.04") + Decimal("0.03")
    )
    assert client.hget(rule.holds(now), "chatcmpl-dead") is None
    assert client.hget(rule.holders(now), "chatcmpl-dead") is None
    client.hdel(rule.holds(now), "chatcmpl-just", "chatcmpl-three")
    living.release()
    assert reconcile_budget(rule, now) == CALL_COST * 3 + Decimal("0.02")
