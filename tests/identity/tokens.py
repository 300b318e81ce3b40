"""Helpers to forge tokens for the tests: signed by our own keys, by strangers, or not at all."""

from __future__ import annotations

import time
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from oauth2_provider.settings import oauth2_settings

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


def new_rsa_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def public_pem_of(private_pem: str) -> bytes:
    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
