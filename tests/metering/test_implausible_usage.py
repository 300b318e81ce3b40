"""Usage a provider reports that cannot be true (negative, or billions of tokens for a short
prompt) is replaced by the gateway's estimate and flagged: the client still gets its answer, the
call is billed once, and the budget counter settles to the recorded cost."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.utils import timezone
from prometheus_client import REGISTRY

from budgets.reservations import rules_of_tenant, spend_now
from budgets.services import set_budget
from tests.budgets.priced import priced_tenant, recorded_spend
from tests.gateway.recorded import event_of

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(
    ("reported", "charged", "flagged"),
    [
        ({"prompt_tokens": 3_000_000_000, "completion_tokens": 2}, (28, 2), "=3000000000"),
        ({"prompt_tokens": 11, "completion_tokens": -5}, (11, 2), "=-5"),
        # not a count at all: read as -1 by the provider, then the same as a negative count
        ({"prompt_tokens": "lots", "completion_tokens": 2}, (28, 2), "=-1"),
        ({"prompt_tokens": 11, "completion_tokens": [2]}, (11, 2), "=-1"),
    ],
)
def test_implausible_usage_is_charged_at_the_estimate_and_flagged(
    request, asgi_url, make_tenant, make_user, reported, charged, flagged
) -> None:
    priced = priced_tenant(request, asgi_url, make_tenant, make_user)
    acme = priced.tenant
    set_budget(tenant=acme, business_unit=None, monthly_limit="10", currency="USD", actor="r")
    priced.upstream.usage = reported
    labels = {"tenant": acme.slug, "model": "priced-model"}

    answer = priced.call()

    assert answer.status_code == 200
    assert answer.json()["choices"][0]["message"]["content"] == "Hello there"
    event = event_of(answer.json()["id"])
    assert (event.input_tokens, event.output_tokens) == charged
    assert flagged in event.usage_anomaly
    assert event.cost == Decimal(sum(charged)) * 5000 / 1_000_000
    (rule,) = rules_of_tenant(acme.pk)
    assert spend_now(rule, timezone.now()) == recorded_spend(acme.pk) == event.cost
    assert REGISTRY.get_sample_value("atrium_gateway_usage_anomalies_total", labels) == 1


def test_an_answer_without_usage_is_billed_by_count(
    request, asgi_url, make_tenant, make_user
) -> None:
    """Some OpenAI-compatible servers leave `usage` out: the tokens are counted here, shown to
    the client and billed, flagged as counted; never a $0 call."""
    priced = priced_tenant(request, asgi_url, make_tenant, make_user)
    priced.upstream.reports_usage = False
    priced.upstream.answer = "A longer answer than two tokens, " * 5

    answer = priced.call()

    assert answer.status_code == 200
    shown = answer.json()["usage"]
    assert shown["prompt_tokens"] > 0 and shown["completion_tokens"] > 10
    event = event_of(answer.json()["id"])
    assert event.tokens_counted
    assert (event.input_tokens, event.output_tokens) == (
        shown["prompt_tokens"], shown["completion_tokens"],
    )  # fmt: skip
    assert event.cost == Decimal(shown["total_tokens"]) * 5000 / 1_000_000


def test_a_stream_whose_usage_is_zeroed_is_billed_by_count(
    request, asgi_url, make_tenant, make_user
) -> None:
    priced = priced_tenant(request, asgi_url, make_tenant, make_user)
    priced.upstream.reports_usage = False  # the last chunk says 0 and 0

    answer = priced.call(stream=True, stream_options={"include_usage": True}, max_tokens=20)

    assert answer.status_code == 200
    chunks = [json.loads(line[6:]) for line in answer.text.splitlines()
              if line.startswith("data: {")]  # fmt: skip
    shown = chunks[-1]["usage"]
    assert shown["prompt_tokens"] > 0 and shown["completion_tokens"] > 0
    event = event_of(chunks[0]["id"])
    assert (event.input_tokens, event.output_tokens, event.tokens_counted) == (
        shown["prompt_tokens"], shown["completion_tokens"], True,
    )  # fmt: skip


def test_a_completion_count_reported_without_a_prompt_count_is_kept(
    request, asgi_url, make_tenant, make_user
) -> None:
    priced = priced_tenant(request, asgi_url, make_tenant, make_user)
    priced.upstream.usage = {"completion_tokens": 2, "completion_tokens_details": {
        "reasoning_tokens": 1}}  # fmt: skip

    answer = priced.call()

    event = event_of(answer.json()["id"])
    assert event.input_tokens > 0 and event.output_tokens == 2 and event.tokens_counted
