"""The built-in provider's errors (#15): userinfo asked with a token issued to a client (no
person behind it) is Bearer's 401 invalid_token, not a 500; introspection without credentials is
RFC 7662's 401 with OAuth's JSON error, not an empty 403."""

from __future__ import annotations

import base64

import pytest
from django.test import Client

from identity.services import create_service_account

pytestmark = pytest.mark.django_db


def client_token(client_id: str, secret: str) -> str:
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    response = Client().post(
        "/idp/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=f"Basic {basic}"
    )
    assert response.status_code == 200, response.content
    return str(response.json()["access_token"])


def test_userinfo_with_a_client_credentials_token_is_401_invalid_token(make_tenant) -> None:
    account, secret = create_service_account(tenant=make_tenant("acme"), name="ci-bot")
    token = client_token(account.client_id, secret)
    for method in ("get", "post"):
        response = getattr(Client(), method)("/idp/userinfo/", HTTP_AUTHORIZATION=f"Bearer {token}")
        assert response.status_code == 401
        assert 'error="invalid_token"' in response["WWW-Authenticate"]
        assert "issued to a client" in response["WWW-Authenticate"]


@pytest.mark.parametrize(
    "authorization",
    [None, "Basic " + base64.b64encode(b"nobody:wrong").decode(), "Bearer not-a-token"],
)
def test_introspection_without_valid_credentials_is_401_with_a_json_error(authorization) -> None:
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization else {}
    response = Client().post("/idp/introspect/", {"token": "anything"}, **headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"]
    body = response.json()
    assert body["error"] in {"invalid_client", "invalid_token"} and body["error_description"]


def test_introspection_by_a_client_still_answers(make_tenant) -> None:
    account, secret = create_service_account(tenant=make_tenant("acme"), name="ci-bot")
    token = client_token(account.client_id, secret)
    basic = base64.b64encode(f"{account.client_id}:{secret}".encode()).decode()
    response = Client().post(
        "/idp/introspect/", {"token": token}, HTTP_AUTHORIZATION=f"Basic {basic}"
    )
    assert response.status_code == 200
    assert response.json()["active"] is True
