"""Every kind of bad bearer token gets 401 with RFC 6750's challenge and a reason; a good token
of another tenant gets 403, the same as for a tenant that does not exist."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import jwt
import pytest
from django.test import Client
from oauth2_provider.settings import oauth2_settings

from identity.services import grant_membership, mint_member_token
from identity.tokens import key_id
from tests.identity.tokens import (
    builtin_claims,
    new_rsa_pem,
    public_pem_of,
    sign_with_builtin_key,
)

pytestmark = pytest.mark.django_db


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unsigned(claims: dict) -> str:
    header = b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    return f"{header}.{b64(json.dumps(claims).encode())}."


def hs256_with_public_key(claims: dict) -> str:
    """The classic confusion attack: HMAC keyed with the issuer's public key."""
    secret = public_pem_of(str(oauth2_settings.OIDC_RSA_PRIVATE_KEY))
    header = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = b64(json.dumps(claims).encode())
    signature = hmac.new(secret, f"{header}.{body}".encode(), hashlib.sha256).digest()
    return f"{header}.{body}.{b64(signature)}"


@pytest.fixture
def acme_member(module_tenants, make_user):
    acme = module_tenants["acme"]
    return acme, make_user("erin", roles={acme: "member"})


def call(tenant_slug: str, authorization: str | None) -> object:
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization is not None else {}
    return Client().get(f"/t/{tenant_slug}/v1/whoami", **headers)


BAD_TOKENS = {
    "expired": (
        lambda uid: sign_with_builtin_key(
            builtin_claims(sub=uid, iat=int(time.time()) - 3600, exp=int(time.time()) - 600)
        ),
        "expired",
    ),
    "not yet valid": (
        lambda uid: sign_with_builtin_key(builtin_claims(sub=uid, nbf=int(time.time()) + 600)),
        "not valid yet",
    ),
    "wrong issuer": (
        lambda uid: sign_with_builtin_key(builtin_claims(sub=uid, iss="https://evil.example")),
        "issuer is not trusted",
    ),
    "wrong audience": (
        lambda uid: sign_with_builtin_key(builtin_claims(sub=uid, aud="someone-else")),
        "audience",
    ),
    "no audience": (
        lambda uid: sign_with_builtin_key(builtin_claims(sub=uid, aud=None)),
        "audience",
    ),
    "bad signature": (
        lambda uid: jwt.encode(
            builtin_claims(sub=uid),
            new_rsa_pem(),
            algorithm="RS256",
            headers={"kid": key_id(str(oauth2_settings.OIDC_RSA_PRIVATE_KEY))},
        ),
        "signature does not verify",
    ),
    "alg none": (lambda uid: unsigned(builtin_claims(sub=uid)), "'none' is not accepted"),
    "HS256 with the public key": (
        lambda uid: hs256_with_public_key(builtin_claims(sub=uid)),
        "'HS256' is not accepted",
    ),
    "unknown kid": (
        lambda uid: sign_with_builtin_key(builtin_claims(sub=uid), kid="no-such-key"),
        "key the issuer does not publish",
    ),
    "malformed": (lambda uid: "not.a.jwt", "malformed"),
    "garbage": (lambda uid: "x" * 40, "malformed"),
    "no expiry": (
        lambda uid: sign_with_builtin_key(builtin_claims(sub=uid, exp=None)),
        "lacks the 'exp' claim",
    ),
}


@pytest.mark.parametrize("kind", list(BAD_TOKENS))
def test_bad_token_is_401_with_a_reason(acme_member, kind: str) -> None:
    acme, user = acme_member
    make, reason = BAD_TOKENS[kind]
    response = call(acme.slug, f"Bearer {make(str(user.pk))}")
    assert response.status_code == 401
    challenge = response["WWW-Authenticate"]
    assert challenge.startswith('Bearer realm="atrium", error="invalid_token", error_description="')
    assert reason in challenge
    body = response.json()["error"]
    assert body["type"] == "authentication_error"
    assert body["code"] == "invalid_token"
    assert reason in body["message"]


@pytest.mark.parametrize(
    "header", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer a b", "Token abc", "bearer"]
)
def test_malformed_authorization_header_is_401(acme_member, header: str) -> None:
    acme, _ = acme_member
    response = call(acme.slug, header)
    assert response.status_code == 401
    assert 'error="invalid_token"' in response["WWW-Authenticate"]


def test_missing_token_is_401_with_a_bare_challenge(acme_member) -> None:
    acme, _ = acme_member
    response = call(acme.slug, None)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="atrium"'
    assert "Authorization: Bearer" in response.json()["error"]["message"]


def test_good_token_is_accepted(acme_member) -> None:
    acme, user = acme_member
    response = call(acme.slug, f"Bearer {sign_with_builtin_key(builtin_claims(sub=str(user.pk)))}")
    assert response.status_code == 200
    assert response.json()["role"] == "member"


def test_token_of_a_disabled_person_is_refused(acme_member) -> None:
    acme, user = acme_member
    token = mint_member_token(user=user, tenant=acme)
    user.is_active = False
    user.save()
    assert call(acme.slug, f"Bearer {token}").status_code == 401


def test_other_tenant_and_unknown_tenant_answer_alike(acme_member, module_tenants) -> None:
    acme, user = acme_member
    globex = module_tenants["globex"]
    token = mint_member_token(user=user, tenant=acme)
    other = call(globex.slug, f"Bearer {token}")
    missing = call("no-such-tenant", f"Bearer {token}")
    assert other.status_code == missing.status_code == 403
    assert other.json() == missing.json()
    assert "does not grant access to this tenant" in other.json()["error"]["message"]
    # Without a token, an unknown tenant looks like any other: 401, not 404.
    assert call("no-such-tenant", None).status_code == 401


def test_person_token_without_tenant_claim_needs_membership(acme_member, module_tenants) -> None:
    acme, user = acme_member
    globex = module_tenants["globex"]
    token = sign_with_builtin_key(builtin_claims(sub=str(user.pk)))
    assert call(acme.slug, f"Bearer {token}").status_code == 200
    assert call(globex.slug, f"Bearer {token}").status_code == 403


def test_token_minted_for_a_role_does_not_grow_with_the_person(acme_member) -> None:
    acme, user = acme_member
    token = mint_member_token(user=user, tenant=acme)
    grant_membership(user=user, tenant=acme, role="admin")
    assert call(acme.slug, f"Bearer {token}").json()["role"] == "member"
