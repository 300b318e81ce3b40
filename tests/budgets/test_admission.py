"""Admission checks the rate limit before the budget, and takes neither unless both let the call
through (one script, `gateway.admission`): a burst past the rate limit is refused for the rate
limit and never holds budget that the calls within the limit need; a call its budget refuses
takes no place in the rate limit."""

from __future__ import annotations

import threading
from decimal import Decimal

import httpx
import pytest

from budgets.services import set_budget
from kernel.redis_client import shared_redis
from kernel.redis_keys import tenant_key
from tests.budgets.priced import (
    CALL_COST,
    WORST_CASE,
    Priced,
    priced_tenant,
    recorded_spend,
)

pytestmark = pytest.mark.django_db(transaction=True)


def limited(
    request, asgi_url, make_tenant, make_user, *, per_minute: int, budget: Decimal
) -> Priced:
    """acme calling `priced-model` with `per_minute` requests a minute and a hard monthly
    budget of `budget`."""
    priced = priced_tenant(request, asgi_url, make_tenant, make_user)
    priced.tenant.requests_per_minute = per_minute
    priced.tenant.save()
    set_budget(tenant=priced.tenant, business_unit=None, monthly_limit=budget, currency="USD",
               actor="root")  # fmt: skip
    return priced


def test_calls_refused_by_the_rate_limit_hold_no_budget(
    request, asgi_url, make_tenant, make_user
) -> None:
    # Room for exactly the three calls the rate limit lets through, at their worst case.
    priced = limited(request, asgi_url, make_tenant, make_user, per_minute=3,
                     budget=WORST_CASE * 3)  # fmt: skip
    acme = priced.tenant
    answers: list[httpx.Response] = []
    start = threading.Barrier(20)

    def one() -> None:
        start.wait()
        answers.append(priced.call())

    threads = [threading.Thread(target=one) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    codes = sorted(
        "ok" if answer.status_code == 200 else answer.json()["error"]["code"] for answer in answers
    )
    assert codes == ["ok"] * 3 + ["rate_limit_exceeded"] * 17
    assert recorded_spend(acme.pk) == CALL_COST * 3


def test_calls_refused_by_their_budget_take_no_place_in_the_rate_limit(
    request, asgi_url, make_tenant, make_user
) -> None:
    priced = limited(request, asgi_url, make_tenant, make_user, per_minute=2,
                     budget=Decimal("0.10"))  # fmt: skip
    acme = priced.tenant

    refused = [priced.call() for _ in range(4)]

    assert [answer.json()["error"]["code"] for answer in refused] == ["budget_exhausted"] * 4
    set_budget(tenant=acme, business_unit=None, monthly_limit=WORST_CASE * 2, currency="USD",
               actor="root")  # fmt: skip
    assert [priced.call().status_code for _ in range(2)] == [200, 200]  # the minute's two calls
    assert priced.call().json()["error"]["code"] == "rate_limit_exceeded"
    assert recorded_spend(acme.pk) == CALL_COST * 2


def test_a_call_whose_budget_counter_was_lost_is_admitted_once_it_is_reconciled(
    request, asgi_url, make_tenant, make_user
) -> None:
    """Admission tries again after reconciling a counter Redis lost; the tries before do not
    count against the rate limit."""
    priced = limited(request, asgi_url, make_tenant, make_user, per_minute=2,
                     budget=WORST_CASE * 4)  # fmt: skip
    acme = priced.tenant
    assert priced.call().status_code == 200
    client = shared_redis()
    counters = [key for key in client.scan_iter(tenant_key(acme.pk, "budget", "*"))
                if key.count(b":") == 4]  # fmt: skip
    assert counters and client.delete(*counters) == len(counters)  # Redis lost them

    assert priced.call().status_code == 200
    assert all(client.exists(key) for key in counters)  # reconciled from PostgreSQL
    assert priced.call().json()["error"]["code"] == "rate_limit_exceeded"  # two in the minute
    assert recorded_spend(acme.pk) == CALL_COST * 2
