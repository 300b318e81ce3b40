"""Budgets hold under concurrency (reservation), alert once per threshold, refuse with a message
that names the budget and its reset, and refuse bad settings whole."""

from __future__ import annotations

import threading
import time
from decimal import Decimal
from typing import Any

import httpx
import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from activity.models import ActivityEntry
from audit.models import AuditEntry
from budgets.models import Budget
from budgets.reservations import rules_of_tenant, spend_now
from budgets.services import set_budget
from identity.services import mint_member_token
from kernel.errors import InvalidInput, NotFound
from models_catalog.services.access import grant_model
from models_catalog.services.catalog import set_price
from tenants.services import add_business_unit
from tests.budgets.priced import CALL_COST, PROMPT, priced_tenant, recorded_spend
from tests.gateway.upstreams import Upstream, upstream_model

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def priced(request, asgi_url, make_tenant, make_user):  # type: ignore[no-untyped-def]
    acme = priced_tenant(request, asgi_url, make_tenant, make_user)
    return acme.call, acme.tenant


def test_fifty_concurrent_calls_cannot_overspend_a_budget_for_ten(priced) -> None:
    call, acme = priced
    limit = CALL_COST * 10
    set_budget(tenant=acme, business_unit=None, monthly_limit=limit, currency="USD", actor="root")
    answers: list[httpx.Response] = []
    start = threading.Barrier(50)

    def one() -> None:
        start.wait()
        answers.append(call())

    threads = [threading.Thread(target=one) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    ok = [a for a in answers if a.status_code == 200]
    refused = [a for a in answers if a.status_code == 429]
    assert len(ok) + len(refused) == 50
    assert 1 <= len(ok) <= 10 and refused
    message = refused[0].json()["error"]["message"]
    assert "Acme Ltd's monthly budget (USD 0.65) is spent" in message and "resets on" in message
    assert refused[0].json()["error"]["code"] == "budget_exhausted"
    assert int(refused[0].headers["Retry-After"]) > 0
    spent = recorded_spend(acme.pk)
    assert spent == CALL_COST * len(ok) <= limit
    (rule,) = rules_of_tenant(acme.pk)
    assert spend_now(rule, timezone.now()) == spent  # every reservation settled to the cost


def test_a_dearer_fallback_cannot_push_spend_past_the_limit(
    asgi_url, make_tenant, make_user, settings
) -> None:
    """The worst case is reserved at the dearest model that may answer, not the one asked for."""
    settings.GATEWAY_BACKOFF_SECONDS = 0.01
    primary, fallback = Upstream(), Upstream()
    primary.status = 503  # down for good: the dearer fallback answers every call
    cheap, dear = upstream_model("cheap-model", primary), upstream_model("dear-model", fallback)
    cheap.fallbacks = ["dear-model"]
    cheap.save()
    yesterday = timezone.now() - timezone.timedelta(days=1)
    for model, per_million in ((cheap, "5000"), (dear, "50000")):
        set_price(model=model, input_per_million=per_million, output_per_million=per_million,
                  currency="USD", effective_from=yesterday, actor="test")  # fmt: skip
    acme = make_tenant("acme")
    grant_model(model_name="cheap-model", tenants=[acme], actor="test")
    token = mint_member_token(user=make_user("bea", roles={acme: "member"}), tenant=acme)
    # Worst case 30 tokens: 0.15 at the cheap price, 1.50 at the dear one; a call costs 0.65.
    limit = Decimal("1.60")
    set_budget(tenant=acme, business_unit=None, monthly_limit=limit, currency="USD", actor="r")
    body = {"model": "cheap-model", "messages": PROMPT, "max_tokens": 2}
    with httpx.Client(base_url=f"{asgi_url}/t/{acme.slug}/v1", timeout=60,
                      headers={"Authorization": f"Bearer {token}"}) as client:  # fmt: skip
        statuses = [client.post("/chat/completions", json=body).status_code for _ in range(4)]
    primary.server.shutdown()
    fallback.server.shutdown()
    # Reserving at the cheap price would let three calls through: 1.95 spent of 1.60.
    assert statuses == [200, 429, 429, 429]
    assert recorded_spend(acme.pk) == Decimal("0.65") <= limit


def test_thresholds_alert_once_in_the_tenants_activity(priced, celery_worker) -> None:
    call, acme = priced
    set_budget(tenant=acme, business_unit=None, monthly_limit="0.30", currency="USD",
               alert_thresholds=[20, 40, 80], actor="root")  # fmt: skip
    for _ in range(3):  # 21.7 %, 43.3 %, 65 % of the limit
        assert call().status_code == 200
    deadline = time.monotonic() + 20
    while True:
        with tenant_context(acme):
            alerts = sorted(
                ActivityEntry.objects.filter(kind="budget_alert").values_list("message", flat=True)
            )
        if len(alerts) >= 2 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    time.sleep(0.5)  # a third alert, were there one, would have arrived by now
    with tenant_context(acme):
        alerts = sorted(
            ActivityEntry.objects.filter(kind="budget_alert").values_list("message", flat=True)
        )
    assert len(alerts) == 2
    assert "reached 20 %" in alerts[0] and "reached 40 %" in alerts[1]
    assert "USD 0.13 of 0.30" in alerts[1]


def test_a_business_unit_budget_binds_its_people_only(priced, make_user) -> None:
    call, acme = priced
    research = add_business_unit(tenant=acme, name="Research")
    set_budget(tenant=acme, business_unit="Research", monthly_limit="0.05", currency="USD",
               actor="root")  # fmt: skip
    assert call().status_code == 200  # bea is in no business unit: the tenant pays
    bea = acme.memberships.get(user__username="bea")
    bea.business_unit = research
    bea.save()
    refused = call()
    assert refused.status_code == 429
    assert "Research's monthly budget" in refused.json()["error"]["message"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"monthly_limit": "-5"}, "monthly_limit: must be more than zero"),
        ({"monthly_limit": "ten"}, "is not an amount"),
        ({"monthly_limit": "1.234"}, "2 after"),
        ({"currency": "USX"}, "not an ISO 4217 currency code"),
        ({"currency": "EUR"}, "prices are in USD"),
        ({"alert_thresholds": [50, 150]}, "whole percentages from 1 to 100"),
        ({"business_unit": "Nowhere"}, "no business unit called 'Nowhere'"),
    ],
)
def test_bad_budget_settings_are_refused_whole(make_tenant, changes, message) -> None:
    acme = make_tenant("acme")
    values: dict[str, Any] = {"business_unit": None, "monthly_limit": "100", "currency": "USD"}
    values.update(changes)
    with pytest.raises((InvalidInput, NotFound), match=message):
        set_budget(tenant=acme, actor="root", **values)
    assert not Budget.objects.unscoped().filter(tenant=acme).exists()
    assert not AuditEntry.objects.unscoped().filter(action="budget.set").exists()


def test_a_limit_below_this_months_spend_is_refused(priced) -> None:
    call, acme = priced
    set_budget(tenant=acme, business_unit=None, monthly_limit="1.00", currency="USD", actor="r")
    for _ in range(3):
        assert call().status_code == 200
    with pytest.raises(InvalidInput, match=r"0\.195 is already spent.*at least 0\.20"):
        set_budget(tenant=acme, business_unit=None, monthly_limit="0.19", currency="USD",
                   actor="r")  # fmt: skip
    assert Budget.objects.unscoped().get(tenant=acme).monthly_limit == Decimal("1.00")
    changed = set_budget(tenant=acme, business_unit=None, monthly_limit="0.20", currency="USD",
                         actor="r")  # fmt: skip
    assert changed.monthly_limit == Decimal("0.20")
    entries = (
        AuditEntry.objects.unscoped().filter(action="budget.set", tenant_id=acme.pk).order_by("id")
    )
    assert [e.after["monthly_limit"] for e in entries] == ["1.00", "0.20"]
    assert entries.last().before["monthly_limit"] == "1.00"
