"""Retries with backoff on throttling and 5xx, then the model's fallback chain."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import openai
import pytest
from django.core.exceptions import ValidationError

from guardrails.services import set_tenant_policy
from identity.services import mint_member_token
from models_catalog.models import FoundationModel, Provider
from models_catalog.services.access import grant_model
from tenants.models import Tenant
from tests.gateway.recorded import event_of
from tests.gateway.upstreams import Upstream

pytestmark = pytest.mark.django_db(transaction=True)
HELLO = [{"role": "user", "content": "Hi"}]


@dataclass
class Regions:
    primary: Upstream
    secondary: Upstream
    client: openai.OpenAI
    tenant: Tenant


@pytest.fixture
def regions(asgi_url, make_tenant, make_user, settings) -> Iterator[Regions]:
    """One model in two regions: the primary falls back on the secondary."""
    settings.GATEWAY_BACKOFF_SECONDS = 0.01
    primary, secondary = Upstream(), Upstream()
    for name, upstream in (("east", primary), ("west", secondary)):
        provider = Provider.objects.create(name=name, kind="openai_compatible",
                                           endpoint_url=upstream.url)  # fmt: skip
        FoundationModel.objects.create(
            name=f"llama-{name}", provider=provider, provider_model_id="llama",
            display_name=f"Llama {name}", modality="chat",
            fallbacks=["llama-west"] if name == "east" else [],
        )  # fmt: skip
    acme = make_tenant("acme")
    grant_model(model_name="llama-east", tenants=[acme], actor="test")  # only the primary
    token = mint_member_token(user=make_user("cy", roles={acme: "member"}), tenant=acme)
    client = openai.OpenAI(base_url=f"{asgi_url}/t/{acme.slug}/v1", api_key=token, max_retries=0)
    yield Regions(primary, secondary, client, acme)
    primary.server.shutdown()
    secondary.server.shutdown()


def test_a_5xx_is_retried_and_then_succeeds(regions) -> None:
    primary, secondary = regions.primary, regions.secondary
    primary.status, primary.failures_left = 503, 2
    answer = regions.client.chat.completions.with_raw_response.create(
        model="llama-east", messages=HELLO
    )
    assert answer.parse().choices[0].message.content == "Hello there"
    assert len(primary.requests) == 3 and secondary.requests == []
    assert answer.headers["X-Atrium-Served-By"] == "llama-east"


def test_when_retries_run_out_the_fallback_answers_and_is_charged(regions) -> None:
    primary, secondary = regions.primary, regions.secondary
    primary.status = 429  # throttled for good
    answer = regions.client.chat.completions.with_raw_response.create(
        model="llama-east", messages=HELLO
    )
    assert answer.headers["X-Atrium-Served-By"] == "llama-west"
    assert len(primary.requests) == 3 and len(secondary.requests) == 1
    event = event_of(answer.parse().id)
    assert event.model_name == "llama-west" and event.provider_name == "west"


def test_streams_fall_back_before_the_first_piece(regions) -> None:
    primary, secondary = regions.primary, regions.secondary
    primary.status = 500
    chunks = list(regions.client.chat.completions.create(
        model="llama-east", messages=HELLO, stream=True
    ))  # fmt: skip
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == (
        "w0 w1 w2 w3 w4 "
    )
    assert len(secondary.requests) == 1


def test_a_fallback_stream_cut_by_a_guardrail_is_charged_as_the_fallback(regions) -> None:
    primary, secondary = regions.primary, regions.secondary
    primary.status = 500
    secondary.pieces = ["Hello ", "from ", "Project Falcon ", "again "]
    set_tenant_policy(tenant=regions.tenant, raw={"word_filters": [
        {"name": "codename", "pattern": "Project Falcon"}]}, actor="ada")  # fmt: skip
    # Blocked before any of it was sent: a 400, as the same answer unstreamed.
    with pytest.raises(openai.BadRequestError, match="codename") as blocked:
        regions.client.chat.completions.create(model="llama-east", messages=HELLO, stream=True)
    event = event_of(blocked.value.response.headers["X-Request-Id"])
    assert (event.status, event.model_name, event.provider_name) == ("error", "llama-west", "west")


def test_a_refusal_is_not_retried(regions) -> None:
    primary, secondary = regions.primary, regions.secondary
    primary.status, primary.error_message = 400, "stop: at most 4 sequences"
    with pytest.raises(openai.BadRequestError, match="stop: at most 4 sequences"):
        regions.client.chat.completions.create(model="llama-east", messages=HELLO)
    assert len(primary.requests) == 1 and secondary.requests == []


def test_everything_down_is_a_clear_error(regions) -> None:
    primary, secondary = regions.primary, regions.secondary
    primary.status = secondary.status = 502
    with pytest.raises(openai.InternalServerError) as caught:
        regions.client.chat.completions.create(model="llama-east", messages=HELLO)
    assert caught.value.status_code == 502
    assert len(primary.requests) == 3 and len(secondary.requests) == 3


def test_fallbacks_must_name_catalogue_models() -> None:
    model = FoundationModel.objects.get(name="amazon.nova-lite-v1:0")
    model.fallbacks = ["nowhere-model"]
    with pytest.raises(ValidationError, match="Not in the catalogue: nowhere-model"):
        model.full_clean()
