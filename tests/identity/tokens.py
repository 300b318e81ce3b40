"""Helpers to forge tokens for the tests: signed by our own keys, by strangers, or not at all."""

from __future__ import annotations

import time
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from oauth2_provider.settings import oauth2_settings

from identity.signing_keys import new_private_key_pem
from identity.tokens import builtin_issuer, key_id


def builtin_claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "iss": builtin_issuer(),
        "aud": "atrium",
        "sub": "1",
        "iat": now,
        "exp": now + 900,
        "principal": "user",
    }
    claims.update(overrides)
    return {key: value for key, value in claims.items() if value is not None}


def sign_with_builtin_key(claims: dict[str, Any], **header: Any) -> str:
    pem = str(oauth2_settings.OIDC_RSA_PRIVATE_KEY)
    return jwt.encode(claims, pem, algorithm="RS256", headers={"kid": key_id(pem), **header})


new_rsa_pem = new_private_key_pem


def public_pem_of(private_pem: str) -> bytes:
    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
