"""The playground's refusals name a parameter as its field is labelled on the page
("Max tokens: ..."), not by the API's name for it."""

from __future__ import annotations

import pytest

from models_catalog.services.access import grant_model
from tests.playground.test_chat_stream import CHAT, browser

pytestmark = pytest.mark.django_db(transaction=True)


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
