"""The playground's refusals name a parameter as its field is labelled on the page
("Max tokens: ..."), not by the API's name for it; a provider without credentials says who must
act, not to wait."""

from __future__ import annotations

import pytest

from models_catalog.services.access import grant_model
from playground.chat import explain
from providers.aws import AwsClient
from providers.errors import ProviderNotConfigured
from tests.playground.test_chat_stream import CHAT, browser


@pytest.mark.django_db(transaction=True)
def test_a_bad_parameter_is_named_by_its_label(asgi_url, make_tenant, make_user) -> None:
    acme = make_tenant("acme")
    grant_model(model_name=CHAT, tenants=[acme], actor="test")
    client = browser(asgi_url, make_user("nina", roles={acme: "member"}))

    refused = client.post(
        f"/t/{acme.slug}/playground/chat", json={"prompt": "Hi", "model": CHAT, "max_tokens": -5}
    )

    assert refused.status_code == 400
    message = refused.json()["error"]["message"]
    assert message.startswith("Max tokens: ")
    assert "max_tokens" not in message


def test_a_provider_without_credentials_says_the_platform_team_must_set_them(
    monkeypatch,
) -> None:
    monkeypatch.delenv("ATRIUM_TEST_UNSET_ACCESS_KEY_ID", raising=False)
    client = AwsClient(
        "bedrock-runtime", region="", endpoint_url="", credentials_env="ATRIUM_TEST_UNSET"
    )
    with pytest.raises(ProviderNotConfigured) as refused:
        client.get()

    shown = explain(refused.value)

    assert shown["title"] == "This model's provider is not set up yet"
    assert "The platform team must set the provider's credentials" in shown["message"]
    assert "Try again" not in shown["message"]
    assert "ATRIUM_TEST_UNSET" not in shown["message"]
