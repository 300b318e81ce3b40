"""JWT access tokens of the built-in provider: RS256, signed with the active key, 15 minutes."""

from __future__ import annotations

import functools
import time
import uuid
from typing import Any

import jwt
from django.conf import settings
from oauth2_provider.settings import oauth2_settings
from oauth2_provider.utils import jwk_from_pem

SERVICE_ACCOUNT = "service_account"
USER = "user"


def builtin_issuer() -> str:
    return str(oauth2_settings.OIDC_ISS_ENDPOINT)


@functools.cache
def key_id(pem: str) -> str:
    """The JWK thumbprint (RFC 7638), as django-oauth-toolkit publishes it in the JWKS."""
    return str(jwk_from_pem(pem).thumbprint())


def sign_access_token(*, subject: str, extra_claims: dict[str, Any]) -> str:
    """Sign an access token for our API with the built-in provider's active key."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": builtin_issuer(),
        "aud": settings.OIDC_API_AUDIENCE,
        "sub": subject,
        "iat": now,
        "nbf": now,
        "exp": now + int(oauth2_settings.ACCESS_TOKEN_EXPIRE_SECONDS),
        "jti": uuid.uuid4().hex,
        **extra_claims,
    }
    pem = str(oauth2_settings.OIDC_RSA_PRIVATE_KEY)
    return jwt.encode(claims, pem, algorithm="RS256", headers={"kid": key_id(pem), "typ": "at+jwt"})


def generate_access_token(request: Any, refresh_token: bool = False) -> str:
    """django-oauth-toolkit's ACCESS_TOKEN_GENERATOR: the token endpoint issues JWTs.

    A person's token (authorization code) names the person; a service account's (client
    credentials) also names its tenant and role. The validator has already refused clients that
    may not use the grant.
    """
    from tenants.models import ServiceAccount

    client_id = request.client.client_id
    scope = " ".join(request.scopes or [])
    if request.user is not None and request.user.is_authenticated:
        return sign_access_token(
            subject=str(request.user.pk),
            extra_claims={"client_id": client_id, "scope": scope, "principal": USER},
        )
    account = ServiceAccount.objects.select_related("tenant").get(
        client_id=client_id, revoked_at__isnull=True
    )
    return sign_access_token(
        subject=client_id,
        extra_claims={
            "client_id": client_id,
            "scope": scope,
            "principal": SERVICE_ACCOUNT,
            "tenant": account.tenant.slug,
            "role": account.role,
        },
    )
