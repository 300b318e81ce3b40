"""Prompt caching is charged at its own price, never at nothing: the tokens a provider reports as
read from its cache are kept on the usage event, shown in the answer's usage, and priced at the
catalogue's cached-input price (or the input price where none is set)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import openai
import pytest
from django.utils import timezone

from identity.services import mint_member_token
from models_catalog.models import ModelPrice
from models_catalog.services.access import grant_model
from tests.gateway.recorded import events_of
from tests.gateway.upstreams import Upstream, upstream_model

pytestmark = pytest.mark.django_db(transaction=True)


def test_cached_prompt_tokens_are_charged_at_the_cached_price(asgi_url, make_tenant, make_user):
    upstream = Upstream()
    upstream.cached_tokens = 8
    model = upstream_model("cachey", upstream)
    start = timezone.now() - timedelta(days=1)
    ModelPrice.objects.create(
        model=model, input_per_million=Decimal("1.00"), output_per_million=Decimal("2.00"),
        cached_input_per_million=Decimal("0.10"), effective_from=start,
    )  # fmt: skip
    acme = make_tenant("acme")
    grant_model(model_name="cachey", tenants=[acme], actor="test")
    token = mint_member_token(user=make_user("cy", roles={acme: "member"}), tenant=acme)
    client = openai.OpenAI(base_url=f"{asgi_url}/t/{acme.slug}/v1", api_key=token, max_retries=0)
    hello = [{"role": "user", "content": "Hi"}]

    answer = client.chat.completions.create(model="cachey", messages=hello)
    assert answer.usage.prompt_tokens == 11
    assert answer.usage.prompt_tokens_details.cached_tokens == 8
    (event,) = events_of(acme.slug, 1)
    assert (event.input_tokens, event.cached_input_tokens, event.output_tokens) == (11, 8, 2)
    assert event.cached_input_price_per_million == Decimal("0.10")
    assert event.cost == (3 * Decimal("1.00") + 8 * Decimal("0.10") + 2 * Decimal("2.00")) / (10**6)

    ModelPrice.objects.create(  # a new price that says nothing of caching
        model=model, input_per_million=Decimal("1.00"), output_per_million=Decimal("2.00"),
        effective_from=timezone.now() - timedelta(seconds=1),
    )  # fmt: skip
    client.chat.completions.create(model="cachey", messages=hello)
    second = events_of(acme.slug, 2)[1]
    assert second.cached_input_tokens == 8 and second.cached_input_price_per_million == 1
    assert second.cost == (11 * Decimal("1.00") + 2 * Decimal("2.00")) / 10**6  # never free
    streamed = list(
        client.chat.completions.create(
            model="cachey", messages=hello, stream=True, stream_options={"include_usage": True}
        )
    )
    assert streamed[-1].usage.prompt_tokens_details.cached_tokens == 8  # the stream says so too
    upstream.server.shutdown()
