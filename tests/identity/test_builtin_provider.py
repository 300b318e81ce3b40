"""The built-in OpenID provider, through its real endpoints over real HTTP."""

from __future__ import annotations

import base64
import hashlib
import re
import time
from urllib.parse import parse_qs, urlparse

import httpx
import jwt
import pytest
from django.contrib.auth.hashers import check_password
from django.db import connection
from django.test import Client

from identity.services import create_service_account, revoke_service_account
from tenants.models import ServiceAccount

pytestmark = pytest.mark.django_db(transaction=True)


def client_credentials_token(portal_url: str, client_id: str, secret: str) -> httpx.Response:
    return httpx.post(
        f"{portal_url}/idp/token/",
        data={"grant_type": "client_credentials"},
        auth=(client_id, secret),
        timeout=30,
    )


def test_discovery_and_jwks_describe_the_provider(portal_url: str) -> None:
    discovery = httpx.get(f"{portal_url}/idp/.well-known/openid-configuration").json()
    assert discovery["issuer"] == f"{portal_url}/idp"
    assert discovery["authorization_endpoint"] == f"{portal_url}/idp/authorize/"
    assert discovery["token_endpoint"] == f"{portal_url}/idp/token/"
    assert "RS256" in discovery["id_token_signing_alg_values_supported"]
    assert discovery["code_challenge_methods_supported"] == ["S256"]

    jwks = httpx.get(discovery["jwks_uri"]).json()
    # The active key and the next one, published before it signs anything.
    assert len(jwks["keys"]) >= 2
    assert {key["kty"] for key in jwks["keys"]} == {"RSA"}
    assert all("d" not in key for key in jwks["keys"])  # public halves only


def test_service_account_gets_a_signed_jwt_and_calls_the_api(portal_url, make_tenant) -> None:
    acme = make_tenant("acme")
    account, secret = create_service_account(tenant=acme, name="ci-bot", role="member")

    response = client_credentials_token(portal_url, account.client_id, secret)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 900
    token = body["access_token"]

    header = jwt.get_unverified_header(token)
    assert header["alg"] == "RS256"
    jwks = httpx.get(f"{portal_url}/idp/.well-known/jwks.json").json()
    key = next(k for k in jwks["keys"] if k["kid"] == header["kid"])
    claims = jwt.decode(
        token, jwt.PyJWK(key).key, algorithms=["RS256"], audience="atrium",
        issuer=f"{portal_url}/idp",
    )  # fmt: skip
    assert claims["sub"] == account.client_id
    assert claims["tenant"] == acme.slug
    assert claims["role"] == "member"
    assert claims["exp"] - claims["iat"] == 900

    whoami = httpx.get(
        f"{portal_url}/t/{acme.slug}/v1/whoami", headers={"Authorization": f"Bearer {token}"}
    )
    assert whoami.status_code == 200, whoami.text
    assert whoami.json() == {
        "tenant": {"slug": acme.slug, "name": acme.name},
        "principal": {"type": "service_account", "id": account.pk, "name": "ci-bot"},
        "role": "member",
        "business_unit": None,
    }


def test_wrong_client_secret_gets_no_token(portal_url, make_tenant) -> None:
    acme = make_tenant("acme")
    account, _ = create_service_account(tenant=acme, name="ci-bot")
    response = client_credentials_token(portal_url, account.client_id, "not-the-secret")
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_secret_is_stored_hashed(make_tenant) -> None:
    account, secret = create_service_account(tenant=make_tenant("acme"), name="ci-bot")
    stored = ServiceAccount.objects.get(pk=account.pk).application.client_secret
    assert secret not in stored
    assert check_password(secret, stored)


def test_revoked_service_account_gets_no_token_and_its_tokens_stop_working(
    portal_url, make_tenant
) -> None:
    acme = make_tenant("acme")
    account, secret = create_service_account(tenant=acme, name="ci-bot")
    token = client_credentials_token(portal_url, account.client_id, secret).json()["access_token"]
    url = f"{portal_url}/t/{acme.slug}/v1/whoami"
    assert httpx.get(url, headers={"Authorization": f"Bearer {token}"}).status_code == 200

    revoke_service_account(account=account, actor="test")

    refused = client_credentials_token(portal_url, account.client_id, secret)
    assert refused.status_code == 401
    response = httpx.get(url, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    assert "revoked" in response.json()["error"]["message"]


def test_revocation_by_another_replica_reaches_this_one_within_the_cache_time(
    portal_url, make_tenant, settings
) -> None:
    settings.ATRIUM_PRINCIPAL_CACHE_SECONDS = 1
    acme = make_tenant("acme")
    account, secret = create_service_account(tenant=acme, name="ci-bot")
    token = client_credentials_token(portal_url, account.client_id, secret).json()["access_token"]
    url = f"{portal_url}/t/{acme.slug}/v1/whoami"
    headers = {"Authorization": f"Bearer {token}"}
    assert httpx.get(url, headers=headers).status_code == 200
    # Another replica revokes: this process hears nothing, it only re-reads after the cache time.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE tenants_serviceaccount SET revoked_at = now() WHERE id = %s", [account.pk]
        )
    deadline = time.monotonic() + 10
    status = 200
    while status == 200 and time.monotonic() < deadline:
        status = httpx.get(url, headers=headers).status_code
        time.sleep(0.2)
    assert status == 401


def pkce_pair() -> tuple[str, str]:
    verifier = base64.urlsafe_b64encode(b"v" * 48).rstrip(b"=").decode()
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return verifier, challenge.rstrip(b"=").decode()


def test_browser_sign_in_through_the_portal_and_the_provider(
    portal_url, make_tenant, make_user
) -> None:
    """Authorization code + PKCE, driven over HTTP as a browser would (cookies, redirects)."""
    acme = make_tenant("acme")
    make_user("carol", roles={acme: "admin"})
    with httpx.Client(base_url=portal_url, follow_redirects=False, timeout=30) as browser:
        start = browser.get(f"/oidc/authenticate/?next=/t/{acme.slug}/")
        assert start.status_code == 302
        authorize = urlparse(start.headers["location"])
        params = parse_qs(authorize.query)
        assert params["code_challenge_method"] == ["S256"]
        assert params["client_id"] == ["atrium-portal"]

        to_login = browser.get(start.headers["location"])
        assert to_login.status_code == 302
        assert to_login.headers["location"].startswith("/idp/login/")
        form = browser.get(to_login.headers["location"])
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
        next_url = re.search(r'name="next" value="([^"]+)"', form.text).group(1)

        wrong = browser.post(
            to_login.headers["location"],
            data={"csrfmiddlewaretoken": csrf, "username": "carol", "password": "nope",
                  "next": next_url.replace("&amp;", "&")},
        )  # fmt: skip
        assert wrong.status_code == 200
        assert "do not match" in wrong.text

        signed_in = browser.post(
            to_login.headers["location"],
            data={"csrfmiddlewaretoken": csrf, "username": "carol", "password": "pw-carol-123",
                  "next": next_url.replace("&amp;", "&")},
        )  # fmt: skip
        assert signed_in.status_code == 302
        callback = browser.get(signed_in.headers["location"])  # authorize -> callback with code
        assert callback.status_code == 302
        assert "/oidc/callback/" in callback.headers["location"]
        landing = browser.get(callback.headers["location"])  # callback exchanges the code
        assert landing.status_code == 302, landing.text
        assert landing.headers["location"] == f"/t/{acme.slug}/"
        home = browser.get(f"/t/{acme.slug}/")
        assert "Tenant administrator" in home.text
        assert "carol" in home.text


def test_signed_in_member_takes_a_token_from_the_api_access_page(
    portal_url, make_tenant, make_user
) -> None:
    acme = make_tenant("acme")
    user = make_user("dave", roles={acme: "member"})
    page_client = Client()
    page_client.force_login(user)
    page = page_client.post(f"/t/{acme.slug}/api-access/token")
    assert page.status_code == 200
    token = re.search(r'data-testid="token">([^<]+)<', page.content.decode()).group(1)
    whoami = httpx.get(
        f"{portal_url}/t/{acme.slug}/v1/whoami", headers={"Authorization": f"Bearer {token}"}
    )
    assert whoami.status_code == 200
    assert whoami.json()["principal"] == {"type": "user", "id": user.pk, "name": "dave"}
    assert whoami.json()["role"] == "member"

    env_file = page_client.post(f"/t/{acme.slug}/api-access/token", {"format": "env"})
    assert env_file["Content-Disposition"] == 'attachment; filename="atrium.env"'
    lines = dict(
        line.split("=", 1) for line in env_file.content.decode().splitlines() if "=" in line
    )
    assert lines["OPENAI_BASE_URL"].endswith(f"/t/{acme.slug}/v1")
    claims = jwt.decode(lines["OPENAI_API_KEY"], options={"verify_signature": False})
    assert claims["tenant"] == acme.slug
