"""Amazon Bedrock and SageMaker behind the gateway, through boto3 against loopback servers that
speak their REST protocols and event-stream framing."""

from __future__ import annotations

import json
from collections.abc import Iterator

import openai
import pytest

from identity.services import mint_member_token
from models_catalog.models import Provider
from models_catalog.services.access import grant_model
from models_catalog.services.registry import deploy, register_custom_model, register_version
from tests.gateway.aws_servers import AwsLoopback

pytestmark = pytest.mark.django_db(transaction=True)

HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
TITAN = "amazon.titan-embed-text-v2:0"
COHERE = "cohere.embed-english-v3"


@pytest.fixture
def aws(monkeypatch) -> Iterator[AwsLoopback]:
    monkeypatch.setenv("AWS_TEST_ACCESS_KEY_ID", "AKIDTEST")
    monkeypatch.setenv("AWS_TEST_SECRET_ACCESS_KEY", "secret")
    server = AwsLoopback()
    for name in ("bedrock", "sagemaker"):
        Provider.objects.filter(name=name).update(
            endpoint_url=server.url, credentials_env="AWS_TEST", region="eu-west-1"
        )
    yield server
    server.close()


@pytest.fixture
def client(asgi_url, aws, make_tenant, make_user) -> openai.OpenAI:
    acme = make_tenant("acme")
    for name in (HAIKU, TITAN, COHERE):
        grant_model(model_name=name, tenants=[acme], actor="test")
    claims = register_custom_model(
        name="claims",
        provider=Provider.objects.get(name="sagemaker"),
        display_name="Claims",
        actor="ml",
    )
    register_version(
        custom_model=claims,
        artifact_uri="s3://m/claims/1",
        serving_target="claims-endpoint-1",
        actor="ml",
    )
    deploy(custom_model=claims, alias_name="production", version_number=1, actor="ml")
    grant_model(model_name="custom/claims", tenants=[acme], actor="test")
    token = mint_member_token(user=make_user("ada", roles={acme: "member"}), tenant=acme)
    return openai.OpenAI(base_url=f"{asgi_url}/t/{acme.slug}/v1", api_key=token, max_retries=0)


def test_bedrock_converse(client, aws) -> None:
    answer = client.chat.completions.create(
        model=HAIKU, max_tokens=50, temperature=0.3, stop=["END"],
        messages=[{"role": "system", "content": "Be brief."},
                  {"role": "user", "content": "Say hello in French"}],
    )  # fmt: skip
    assert answer.choices[0].message.content == "Bonjour le monde"
    assert (answer.usage.prompt_tokens, answer.usage.completion_tokens) == (12, 3)
    call = aws.calls[-1]
    assert call["path"] == f"/model/{HAIKU}/converse"
    assert "AWS4-HMAC-SHA256 Credential=AKIDTEST/" in call["auth"]
    assert "/eu-west-1/bedrock/" in call["auth"]
    sent = json.loads(call["body"])
    assert sent["system"] == [{"text": "Be brief."}]
    assert sent["inferenceConfig"] == {
        "maxTokens": 50,
        "temperature": 0.3,
        "stopSequences": ["END"],
    }


def test_bedrock_converse_stream(client) -> None:
    chunks = list(client.chat.completions.create(
        model=HAIKU, stream=True, stream_options={"include_usage": True},
        messages=[{"role": "user", "content": "Say hello in French"}],
    ))  # fmt: skip
    texts = [c.choices[0].delta.content for c in chunks if c.choices and c.choices[0].delta.content]
    assert texts == ["Bonjour", " le", " monde"]
    finish = [
        c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason
    ]
    assert finish == ["length"]  # Bedrock's max_tokens
    assert chunks[-1].usage.completion_tokens == 3


def test_error_in_the_middle_of_a_bedrock_stream_reaches_the_client(client, aws) -> None:
    aws.mid_stream_error = "modelStreamErrorException"
    with pytest.raises(openai.APIError, match="modelStreamErrorException"):
        list(client.chat.completions.create(
            model=HAIKU, stream=True, messages=[{"role": "user", "content": "Hi"}],
        ))  # fmt: skip


def test_bedrock_throttling_is_429(client, aws) -> None:
    aws.error = (400, "ThrottlingException")
    with pytest.raises(openai.RateLimitError):
        client.chat.completions.create(model=HAIKU, messages=[{"role": "user", "content": "Hi"}])


def test_bedrock_validation_error_is_502_with_its_reason(client, aws) -> None:
    aws.error = (400, "ValidationException")
    with pytest.raises(openai.InternalServerError, match="ValidationException"):
        client.chat.completions.create(model=HAIKU, messages=[{"role": "user", "content": "Hi"}])


def test_client_leaving_a_bedrock_stream_closes_it(client, aws) -> None:
    aws.words, aws.piece_delay = ["word "] * 300, 0.03
    stream = client.chat.completions.create(
        model=HAIKU, stream=True, messages=[{"role": "user", "content": "Talk"}]
    )
    for _ in zip(range(3), stream, strict=False):
        pass
    stream.close()
    assert aws.stopped_early.wait(10)


def test_titan_and_cohere_embeddings(client, aws) -> None:
    titan = client.embeddings.create(model=TITAN, input=["ab", "abcd"], encoding_format="float")
    assert [item.embedding for item in titan.data] == [[0.2, 0.5], [0.4, 0.5]]
    assert titan.usage.prompt_tokens == 8
    cohere = client.embeddings.create(model=COHERE, input=["x", "y"], encoding_format="float")
    assert len(cohere.data) == 2 and cohere.usage.prompt_tokens > 0  # counted, never zero


def test_custom_model_on_a_sagemaker_endpoint(client, aws) -> None:
    answer = client.chat.completions.create(
        model="custom/claims", messages=[{"role": "user", "content": "Water damage, ceiling"}]
    )
    assert answer.choices[0].message.content == "triaged: urgent"
    assert aws.calls[-1]["path"] == "/endpoints/claims-endpoint-1/invocations"
    chunks = list(client.chat.completions.create(
        model="custom/claims@production", stream=True, stream_options={"include_usage": True},
        messages=[{"role": "user", "content": "Water damage"}],
    ))  # fmt: skip
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "Bonjour le monde"
    assert chunks[-1].usage.prompt_tokens == 20
    assert aws.calls[-1]["path"] == "/endpoints/claims-endpoint-1/invocations-response-stream"


def test_missing_credentials_are_named(client, aws) -> None:
    Provider.objects.filter(name="bedrock").update(credentials_env="NOT_SET_ANYWHERE")
    with pytest.raises(openai.InternalServerError, match="NOT_SET_ANYWHERE_ACCESS_KEY_ID"):
        client.chat.completions.create(model=HAIKU, messages=[{"role": "user", "content": "Hi"}])
