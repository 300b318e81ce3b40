"""An independent OpenID provider for the tests, made here with its own keys: discovery and JWKS
served over real HTTP on loopback, tokens signed with keys only it holds (the `idp` fixture)."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.test import Client
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from tests.identity.tokens import new_rsa_pem


class FakeIdP:
    """Discovery + JWKS over real HTTP; it signs tokens with keys only it holds."""

    def __init__(self) -> None:
        self.keys: dict[str, Any] = {}
        self.jwks_requests = 0
        self.jwks_down = False  # its key set answers 503
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
                    if idp.jwks_down:
                        self.send_error(503)
                        return
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


def whoami(slug: str, token: str) -> Any:
    """Our API's answer to `token` on tenant `slug`: who it is and with which role."""
    return Client().get(f"/t/{slug}/v1/whoami", HTTP_AUTHORIZATION=f"Bearer {token}")
