"""An Amazon Bedrock guardrail in a policy: ApplyGuardrail through boto3 against a loopback
server speaking its REST protocol; anonymisation masks, any other intervention blocks, an
unreachable guardrail refuses the call."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import openai
import pytest
from openai import OpenAI

from guardrails.engine import _batch_part
from guardrails.services import set_tenant_policy
from identity.services import mint_member_token
from kernel.errors import InvalidInput
from models_catalog.models import Provider
from models_catalog.services.access import grant_model
from tests.gateway.tools import WEATHER
from tests.gateway.upstreams import Upstream, upstream_model

pytestmark = pytest.mark.django_db(transaction=True)

INTERVENED_BLOCK = {
    "action": "GUARDRAIL_INTERVENED", "outputs": [{"text": "Sorry."}],
    "assessments": [{"topicPolicy": {"topics": [
        {"name": "Investments", "type": "DENY", "action": "BLOCKED"}]}}],
}  # fmt: skip
INTERVENED_MASK = {
    "action": "GUARDRAIL_INTERVENED", "outputs": [{"text": "Call {NAME} tomorrow."}],
    "assessments": [{"sensitiveInformationPolicy": {"piiEntities": [
        {"match": "Maria", "type": "NAME", "action": "ANONYMIZED"}]}}],
}  # fmt: skip


@pytest.fixture
def bedrock_guarded(asgi_url, aws, make_tenant, make_user) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    upstream = Upstream()
    upstream_model("plain-model", upstream)
    acme = make_tenant("acme")
    grant_model(model_name="plain-model", tenants=[acme], actor="test")
    token = mint_member_token(user=make_user("bo", roles={acme: "member"}), tenant=acme)
    client = OpenAI(base_url=f"{asgi_url}/t/{acme.slug}/v1", api_key=token, max_retries=0)
    yield client, upstream, acme
    upstream.server.shutdown()


def use_guardrail(acme: Any, provider: str = "bedrock-guard") -> None:
    set_tenant_policy(tenant=acme, actor="ada", raw={"bedrock_guardrail": {
        "provider": provider, "identifier": "gr-42", "version": "1"}})  # fmt: skip


def test_bedrock_guardrail_blocks_masks_and_fails_closed(bedrock_guarded, aws) -> None:
    client, upstream, acme = bedrock_guarded
    with pytest.raises(InvalidInput, match="no Bedrock provider called 'nowhere'"):
        use_guardrail(acme, "nowhere")
    Provider.objects.create(name="bedrock-guard", kind="bedrock", region="eu-west-1",
                            endpoint_url=aws.url, credentials_env="AWS_TEST")  # fmt: skip
    use_guardrail(acme)
    question = [{"role": "user", "content": "Call Maria tomorrow."}]

    aws.guardrail = INTERVENED_MASK
    client.chat.completions.create(model="plain-model", messages=question)
    assert upstream.requests[-1]["body"]["messages"][0]["content"] == "Call {NAME} tomorrow."
    applied = [c for c in aws.calls if c["path"] == "/guardrail/gr-42/version/1/apply"]
    assert json.loads(applied[0]["body"])["source"] == "INPUT"
    assert json.loads(applied[-1]["body"])["source"] == "OUTPUT"

    aws.guardrail = INTERVENED_BLOCK
    sent = len(upstream.requests)
    with pytest.raises(openai.BadRequestError, match="Amazon Bedrock guardrail gr-42"):
        client.chat.completions.create(model="plain-model", messages=question)
    assert len(upstream.requests) == sent

    aws.error = (500, "InternalServerException")
    with pytest.raises(openai.APIStatusError) as unreachable:
        client.chat.completions.create(model="plain-model", messages=question)
    assert unreachable.value.status_code == 502 and len(upstream.requests) == sent


def test_a_streamed_tool_call_is_held_whole_and_checked_by_the_guardrail(
    asgi_url, aws, make_tenant, make_user
) -> None:  # fmt: skip
    upstream = Upstream()
    upstream_model("tool-model", upstream, supports_tools=True, supports_tool_streaming=True)
    acme = make_tenant("acme")
    grant_model(model_name="tool-model", tenants=[acme], actor="test")
    Provider.objects.create(name="bedrock-guard", kind="bedrock", region="eu-west-1",
                            endpoint_url=aws.url, credentials_env="AWS_TEST")  # fmt: skip
    use_guardrail(acme)
    token = mint_member_token(user=make_user("bo", roles={acme: "member"}), tenant=acme)
    client = OpenAI(base_url=f"{asgi_url}/t/{acme.slug}/v1", api_key=token, max_retries=0)
    try:
        chunks = list(client.chat.completions.create(
            model="tool-model", messages=[{"role": "user", "content": "Weather in Oslo?"}],
            tools=[WEATHER], stream=True,
        ))  # fmt: skip
    finally:
        upstream.server.shutdown()
    calls = [call for chunk in chunks if chunk.choices
             for call in chunk.choices[0].delta.tool_calls or []]  # fmt: skip
    (call,) = calls  # held whole, checked, then sent
    assert call.function.name == "get_weather" and json.loads(call.function.arguments)["city"]
    applied = [json.loads(c["body"]) for c in aws.calls if c["path"].endswith("/apply")]
    assert applied[-1]["source"] == "OUTPUT"
    assert applied[-1]["content"][0]["text"]["text"] == call.function.arguments


def _reads_like_bedrock(text: str) -> dict[str, Any] | None:
    """A guardrail that denies a topic and anonymises a name, each only where it is whole."""
    if "index funds" in text:
        return INTERVENED_BLOCK
    if "Maria Keller" in text:
        return {**INTERVENED_MASK, "outputs": [{"text": text.replace("Maria Keller", "{NAME}")}]}
    return None


FILLER = "The weather stays mild over the weekend, with some sun on Sunday afternoon. " * 3


def test_a_stream_is_read_by_the_guardrail_in_whole_sentences(bedrock_guarded, aws) -> None:
    client, upstream, acme = bedrock_guarded
    Provider.objects.create(name="bedrock-guard", kind="bedrock", region="eu-west-1",
                            endpoint_url=aws.url, credentials_env="AWS_TEST")  # fmt: skip
    use_guardrail(acme)
    aws.guardrail = _reads_like_bedrock
    question = [{"role": "user", "content": "Any news?"}]

    def streamed() -> str:
        chunks = client.chat.completions.create(model="plain-model", messages=question,
                                                stream=True)  # fmt: skip
        return "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)

    # A name that comes in three fragments is masked: the guardrail reads it whole.
    words = [f"{word} " for word in FILLER.split()]
    upstream.pieces = [*words, "Call Ma", "ria Kel", "ler tomorrow. ", "Thanks."]
    before = len(aws.calls)
    assert streamed() == FILLER + "Call {NAME} tomorrow. Thanks."
    applied = [json.loads(c["body"]) for c in aws.calls[before:] if c["path"].endswith("/apply")]
    # The question, then the answer in batches of whole sentences, not one call per fragment.
    outputs = [a["content"][0]["text"]["text"] for a in applied if a["source"] == "OUTPUT"]
    assert 1 <= len(outputs) <= 3 < len(upstream.pieces)
    assert all(text.rstrip().endswith(".") for text in outputs)

    # A denied topic spread over fragments is blocked before any of its sentence is sent.
    upstream.pieces = [FILLER, "My tip: put it all in ind", "ex fu", "nds today. ", "Bye."]
    sent: list[str] = []
    with pytest.raises(openai.APIError, match="Amazon Bedrock guardrail gr-42"):
        for chunk in client.chat.completions.create(model="plain-model", messages=question,
                                                    stream=True):  # fmt: skip
            sent += [chunk.choices[0].delta.content or ""] if chunk.choices else []
    assert "index" not in "".join(sent) and "ind" not in "".join(sent).split()


def test_a_rewrite_that_reaches_into_the_context_never_passes_what_the_batch_adds() -> None:
    # "Maria" went out with the batch before; " Keller" is this batch's: it must not pass.
    assert _batch_part("call {NAME} tomorrow.", "call Maria", " Keller tomorrow.") == (
        "{NAME} tomorrow."
    )
    assert _batch_part("ok. {NAME} x", "ok. ", "Maria Keller x") == "{NAME} x"
    # A rewrite of the context alone leaves the batch as it is (no mask repeated).
    assert _batch_part("{NAME} tomorrow.", "Maria", " tomorrow.") == " tomorrow."
