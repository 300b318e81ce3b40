"""The gateway's clients: the official `openai` SDK against the real ASGI server (`asgi_url`)."""

from __future__ import annotations

from collections.abc import Iterator

import openai
import pytest
from openai import OpenAI

from identity.services import mint_member_token
from models_catalog.models import Provider
from models_catalog.services.access import grant_model
from models_catalog.services.registry import deploy, register_custom_model, register_version
from tests.gateway.aws_servers import AwsLoopback

LOCAL_CHAT = "local/gemma-3-270m"
LOCAL_EMBEDDINGS = "local/all-minilm-l6-v2"


@pytest.fixture
def acme_client(asgi_url, make_tenant, make_user):  # type: ignore[no-untyped-def]
    """The `openai` SDK pointed at acme's API, as a member of acme with the local models."""
    acme = make_tenant("acme")
    grant_model(model_name=LOCAL_CHAT, tenants=[acme], actor="test")
    grant_model(model_name=LOCAL_EMBEDDINGS, tenants=[acme], actor="test")
    token = mint_member_token(user=make_user("yuri", roles={acme: "member"}), tenant=acme)
    client = OpenAI(base_url=f"{asgi_url}/t/{acme.slug}/v1", api_key=token, max_retries=0)
    client.tenant = acme  # type: ignore[attr-defined]
    client.token = token  # type: ignore[attr-defined]
    return client


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
def aws_client(asgi_url, aws, make_tenant, make_user) -> openai.OpenAI:
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
