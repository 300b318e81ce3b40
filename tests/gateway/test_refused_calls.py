"""A call refused at admission (not granted, retired, over a rate limit, blocked by an input
guardrail) is a failed, uncharged usage event of its caller: it shows in the billing pages'
failed column and the usage API, never in a budget; an unauthenticated call leaves none, and a
flood of refusals queues at most REFUSALS_RECORDED_PER_MINUTE events per caller a minute."""

from __future__ import annotations

from datetime import UTC, timedelta
from decimal import Decimal

import httpx
import openai
import pytest
from django.utils import timezone

from budgets.selectors import budgets_of_tenant
from budgets.services import set_budget
from gateway.usage import REFUSALS_RECORDED_PER_MINUTE
from guardrails.services import set_tenant_policy
from metering.models import UsageEvent
from metering.selectors import TENANT_DIMENSIONS, DateRange, tenant_costs
from metering.usage_queue import record_queued_usage
from models_catalog.models import FoundationModel
from models_catalog.services.catalog import set_lifecycle
from tests.gateway.conftest import HAIKU, LOCAL_CHAT
from tests.gateway.recorded import events_of

pytestmark = pytest.mark.django_db(transaction=True)

HELLO = [{"role": "user", "content": "Hi"}]


def refused(client: openai.OpenAI, model: str, text: str = "Hi") -> int:
    with pytest.raises(openai.APIStatusError) as caught:
        client.chat.completions.create(
            model=model, messages=[{"role": "user", "content": text}], max_tokens=2
        )
    return caught.value.status_code


def test_refusals_are_failed_uncharged_events_of_their_caller(acme_client) -> None:
    acme = acme_client.tenant
    set_budget(tenant=acme, business_unit=None, monthly_limit=Decimal(1), currency="USD",
               actor="root")  # fmt: skip
    set_tenant_policy(tenant=acme, raw={"word_filters": [{"name": "codename",
                                                         "pattern": "Project Falcon"}]},
                      actor="ada")  # fmt: skip
    assert refused(acme_client, HAIKU) == 403  # not granted
    assert refused(acme_client, LOCAL_CHAT, "About Project Falcon") == 400  # guardrail
    acme.requests_per_minute = 1
    acme.save()
    acme_client.chat.completions.create(model=LOCAL_CHAT, messages=HELLO, max_tokens=2)
    assert refused(acme_client, LOCAL_CHAT) == 429
    now = timezone.now()
    set_lifecycle(model=FoundationModel.objects.get(name=LOCAL_CHAT),
                  deprecated_at=now - timedelta(days=2), end_of_life_at=now - timedelta(days=1),
                  actor="root")  # fmt: skip
    assert refused(acme_client, LOCAL_CHAT) == 410
    events = events_of(acme.slug, 5)
    refusals = [event for event in events if event.status == "refused"]
    assert [event.error.split(":")[0] for event in refusals] == [
        "permission_denied", "guardrail_blocked", "rate_limit_exceeded", "gone",
    ]  # fmt: skip
    assert [event.model_name for event in refusals] == [HAIKU, LOCAL_CHAT, LOCAL_CHAT, LOCAL_CHAT]
    for event in refusals:
        assert event.principal_name == "yuri" and event.cost == 0
        assert (event.input_tokens, event.output_tokens) == (0, 0)
    today = timezone.now().astimezone(UTC).date()
    report = tenant_costs(acme, DateRange(today, today), TENANT_DIMENSIONS["model"])
    assert (report.calls, report.failed_calls) == (5, 4)
    (budget,) = budgets_of_tenant(acme, timezone.now())
    assert Decimal(budget.as_dict()["spent_this_month"]) == 0


def test_no_event_without_a_caller_and_a_flood_is_capped(acme_client) -> None:
    base = str(acme_client.base_url).rstrip("/")
    body = {"model": HAIKU, "messages": HELLO}
    assert httpx.post(f"{base}/chat/completions", json=body).status_code == 401
    with httpx.Client(headers={"Authorization": f"Bearer {acme_client.token}"}) as http:
        statuses = {
            http.post(f"{base}/chat/completions", json=body).status_code
            for _ in range(2 * REFUSALS_RECORDED_PER_MINUTE + 10)
        }
    assert statuses == {403}
    record_queued_usage()
    recorded = UsageEvent.objects.unscoped().filter(tenant_id=acme_client.tenant.pk)
    # The calls span at most one turn of the minute: at most twice the cap, never all.
    assert REFUSALS_RECORDED_PER_MINUTE <= recorded.count() <= 2 * REFUSALS_RECORDED_PER_MINUTE
    assert set(recorded.values_list("status", "principal_name")) == {("refused", "yuri")}
