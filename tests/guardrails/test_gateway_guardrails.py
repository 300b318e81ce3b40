"""Guardrails on real gateway calls (the `openai` SDK against the ASGI server, a real upstream):
input masked or blocked before anything is sent or charged, output masked or blocked, streams
included, and the block names the policy without echoing the text."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import openai
import pytest
from openai import OpenAI

from guardrails.services import set_tenant_policy
from identity.services import mint_member_token
from models_catalog.services.access import grant_model
from tests.gateway.upstreams import Upstream, upstream_model

pytestmark = pytest.mark.django_db(transaction=True)
CARD = "4111 1111 1111 1111"


@pytest.fixture
def guarded(asgi_url, make_tenant, make_user) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    upstream = Upstream()
    upstream_model("guarded-model", upstream)
    acme = make_tenant("acme")
    grant_model(model_name="guarded-model", tenants=[acme], actor="test")
    set_tenant_policy(tenant=acme, raw={"pii": {"email": "mask", "card": "block"},
                                        "word_filters": [{"name": "codename",
                                                          "pattern": "Project Falcon"}]},
                      actor="ada")  # fmt: skip
    token = mint_member_token(user=make_user("gil", roles={acme: "member"}), tenant=acme)
    client = OpenAI(base_url=f"{asgi_url}/t/{acme.slug}/v1", api_key=token, max_retries=0)
    yield client, upstream, acme
    upstream.server.shutdown()


def ask(client: OpenAI, text: str, **extra: Any) -> Any:
    return client.chat.completions.create(
        model="guarded-model", messages=[{"role": "user", "content": text}], **extra
    )


def test_input_is_masked_or_blocked_before_it_leaves(guarded) -> None:
    client, upstream, _ = guarded
    ask(client, "Reply to jo.doe@example.com please")
    assert upstream.requests[-1]["body"]["messages"][0]["content"] == "Reply to [EMAIL] please"
    sent = len(upstream.requests)
    with pytest.raises(openai.BadRequestError) as refused:
        ask(client, f"Charge my card {CARD}")
    error = refused.value.body
    assert error["code"] == "guardrail_blocked"
    assert "PII: payment card number" in error["message"] and "4111" not in error["message"]
    assert len(upstream.requests) == sent  # never reached the model


def test_output_is_masked_or_blocked_streams_too(guarded) -> None:
    client, upstream, _ = guarded
    upstream.answer = "Sure, write to help@example.org."
    assert ask(client, "Who do I write to?").choices[0].message.content == (
        "Sure, write to [EMAIL]."
    )
    upstream.pieces = ["Write to he", "lp@exam", "ple.org or ", "call us."]
    streamed = "".join(
        chunk.choices[0].delta.content or ""
        for chunk in ask(client, "Contact?", stream=True)
        if chunk.choices
    )
    assert streamed == "Write to [EMAIL] or call us."
    upstream.pieces = ["The launch of Pro", "ject Fal", "con is on Monday."]
    with pytest.raises(openai.APIError, match="word filter: codename"):
        list(ask(client, "When is the launch?", stream=True))
