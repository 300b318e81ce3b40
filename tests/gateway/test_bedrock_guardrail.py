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

from guardrails.services import set_tenant_policy
from identity.services import mint_member_token
from kernel.errors import InvalidInput
from models_catalog.models import Provider
from models_catalog.services.access import grant_model
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
