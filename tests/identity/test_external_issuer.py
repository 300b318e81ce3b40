"""An independent OpenID provider, made here with its own keys, discovery and JWKS served over
HTTP: configuring OIDC_ISSUER is all it takes for its tokens to work on our API."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.test import Client
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from identity.models import ExternalIdentity, GroupMapping
from tenants.models import Membership
from tests.identity.tokens import new_rsa_pem

pytestmark = pytest.mark.django_db


class FakeIdP:
    """Discovery + JWKS over real HTTP; it signs tokens with keys only it holds."""

    def __init__(self) -> None:
        self.keys: dict[str, Any] = {}
        self.jwks_requests = 0
        idp = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path == "/realms/corp/.well-known/openid-configuration":
                    body = {
                        "issuer": idp.issuer,
                        "authorization_endpoint": f"{idp.issuer}/auth",
                        "token_endpoint": f"{idp.issuer}/token",
                        "jwks_uri": f"{idp.issuer}/certs",
                        "id_token_signing_alg_values_supported": ["RS256", "ES256"],
                    }
                elif self.path == "/realms/corp/certs":
                    idp.jwks_requests += 1
                    body = {"keys": [idp.public_jwk(kid) for kid in idp.keys]}
                else:
                    self.send_error(404)
                    return
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}/realms/corp"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def add_rsa_key(self, kid: str) -> None:
        self.keys[kid] = ("RS256", new_rsa_pem())

    def add_ec_key(self, kid: str) -> None:
        self.keys[kid] = ("ES256", ec.generate_private_key(ec.SECP256R1()))

    def public_jwk(self, kid: str) -> dict[str, Any]:
        alg, private = self.keys[kid]
        if alg == "RS256":
            public = serialization.load_pem_private_key(private.encode(), None).public_key()
            data = json.loads(RSAAlgorithm.to_jwk(public))
        else:
            data = json.loads(ECAlgorithm.to_jwk(private.public_key()))
        return {**data, "kid": kid, "alg": alg, "use": "sig"}

    def token(self, kid: str, **claims: Any) -> str:
        alg, private = self.keys[kid]
        now = int(time.time())
        body = {"iss": self.issuer, "aud": "atrium", "iat": now, "exp": now + 300, **claims}
        return jwt.encode(body, private, algorithm=alg, headers={"kid": kid})


@pytest.fixture
def idp(settings) -> Iterator[FakeIdP]:
    provider = FakeIdP()
    provider.add_rsa_key("k1")
    settings.OIDC_ISSUER = provider.issuer
    yield provider
    provider.server.shutdown()


def whoami(slug: str, token: str) -> Any:
    return Client().get(f"/t/{slug}/v1/whoami", HTTP_AUTHORIZATION=f"Bearer {token}")


def test_enterprise_token_signs_a_person_in_with_roles_from_groups(idp, module_tenants) -> None:
    acme = module_tenants["acme"]
    GroupMapping.objects.create(group="lob-retail-admins", grant="admin", tenant=acme)
    token = idp.token(
        "k1", sub="f3a9-77", email="pat@corp.example", preferred_username="pat",
        groups=["lob-retail-admins", "unrelated"],
    )  # fmt: skip
    response = whoami(acme.slug, token)
    assert response.status_code == 200, response.content
    assert response.json()["role"] == "admin"
    identity = ExternalIdentity.objects.get(issuer=idp.issuer, subject="f3a9-77")
    assert identity.user.email == "pat@corp.example"
    assert Membership.objects.get(user=identity.user, tenant=acme).source == "idp"


def test_enterprise_person_without_a_mapped_group_gets_403(idp, module_tenants) -> None:
    token = idp.token("k1", sub="nobody-1", groups=["canteen"])
    assert whoami(module_tenants["acme"].slug, token).status_code == 403


def test_groups_leaving_the_token_remove_the_role(idp, module_tenants) -> None:
    acme = module_tenants["acme"]
    GroupMapping.objects.create(group="acme-users", grant="member", tenant=acme)
    assert whoami(acme.slug, idp.token("k1", sub="u-2", groups=["acme-users"])).status_code == 200
    assert whoami(acme.slug, idp.token("k1", sub="u-2", groups=[])).status_code == 403


def test_key_rotated_in_at_the_idp_is_fetched_once(idp, module_tenants, settings) -> None:
    settings.OIDC_JWKS_MIN_REFETCH_SECONDS = 0
    acme = module_tenants["acme"]
    GroupMapping.objects.create(group="acme-users", grant="member", tenant=acme)
    assert whoami(acme.slug, idp.token("k1", sub="u-3", groups=["acme-users"])).status_code == 200
    fetched = idp.jwks_requests
    idp.add_ec_key("k2")  # a new key, in a new algorithm the issuer publishes
    token = idp.token("k2", sub="u-3", groups=["acme-users"])
    assert whoami(acme.slug, token).status_code == 200
    assert idp.jwks_requests == fetched + 1
    assert whoami(acme.slug, token).status_code == 200
    assert idp.jwks_requests == fetched + 1  # cached now


def test_token_signed_with_an_unpublished_key_is_refused(idp, module_tenants) -> None:
    idp.add_rsa_key("secret-key")
    token = idp.token("secret-key", sub="u-4")
    del idp.keys["secret-key"]
    response = whoami(module_tenants["acme"].slug, token)
    assert response.status_code == 401
    assert "does not publish" in response.json()["error"]["message"]


def test_cognito_style_audience_in_client_id(idp, module_tenants, settings) -> None:
    settings.OIDC_API_AUDIENCE_CLAIM = "client_id"
    acme = module_tenants["acme"]
    GroupMapping.objects.create(group="acme-users", grant="member", tenant=acme)
    good = idp.token("k1", sub="u-5", client_id="atrium", groups=["acme-users"], aud=None)
    wrong = idp.token("k1", sub="u-5", client_id="other-app", groups=["acme-users"])
    assert whoami(acme.slug, good).status_code == 200
    assert whoami(acme.slug, wrong).status_code == 401


def test_unreachable_idp_is_a_clear_401(settings, module_tenants) -> None:
    settings.OIDC_ISSUER = "http://127.0.0.1:9/nowhere"
    token = jwt.encode(
        {"iss": "http://127.0.0.1:9/nowhere", "sub": "x", "aud": "atrium", "exp": 2**31,
         "iat": 0},
        new_rsa_pem(), algorithm="RS256", headers={"kid": "k"},
    )  # fmt: skip
    response = whoami(module_tenants["acme"].slug, token)
    assert response.status_code == 401
    assert "cannot be reached" in response.json()["error"]["message"]
