"""Browser sign-in through OpenID Connect (mozilla-django-oidc), keyed by issuer + subject."""

from __future__ import annotations

import logging
from typing import Any

import requests
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from identity.issuers import IssuerUnavailable
from identity.rp_config import rp_setting, sign_in_issuer
from identity.services import IdentityError, sign_in_identity
from identity.verification import InvalidToken, verify_jwt

logger = logging.getLogger(__name__)


def _lazy(name: str, *default: Any) -> property:
    return property(lambda self: rp_setting(name, *default))


class OIDCSignInBackend(OIDCAuthenticationBackend):
    get_settings = staticmethod(rp_setting)

    # Resolved when used, not when Django builds its backends: an unreachable IdP must not break
    # every other kind of authentication.
    OIDC_OP_TOKEN_ENDPOINT = _lazy("OIDC_OP_TOKEN_ENDPOINT")
    OIDC_OP_USER_ENDPOINT = _lazy("OIDC_OP_USER_ENDPOINT")
    OIDC_OP_JWKS_ENDPOINT = _lazy("OIDC_OP_JWKS_ENDPOINT")
    OIDC_RP_CLIENT_ID = _lazy("OIDC_RP_CLIENT_ID")
    OIDC_RP_CLIENT_SECRET = _lazy("OIDC_RP_CLIENT_SECRET")
    OIDC_RP_SIGN_ALGO = _lazy("OIDC_RP_SIGN_ALGO", "RS256")
    OIDC_RP_IDP_SIGN_KEY = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.UserModel = get_user_model()

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> AbstractBaseUser | None:
        try:
            return super().authenticate(request, **kwargs)
        except (IssuerUnavailable, InvalidToken, IdentityError, requests.RequestException) as error:
            logger.warning("OpenID Connect sign-in refused: %s", error)
            return None

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        """The ID token: signature by the provider's published keys, issuer, audience, nonce."""
        verified = verify_jwt(token, audience=self.OIDC_RP_CLIENT_ID)
        if verified.issuer.rstrip("/") != sign_in_issuer():
            raise InvalidToken("The ID token comes from another issuer.")
        nonce = kwargs.get("nonce")
        if self.get_settings("OIDC_USE_NONCE", True) and nonce != verified.claims.get("nonce"):
            raise SuspiciousOperation("JWT Nonce verification failed.")
        return verified.claims

    def get_or_create_user(
        self, access_token: str, id_token: str, payload: dict[str, Any]
    ) -> AbstractBaseUser:
        userinfo: dict[str, Any] = {}
        if self.OIDC_OP_USER_ENDPOINT:
            userinfo = self.get_userinfo(access_token, id_token, payload)
            if userinfo.get("sub", payload["sub"]) != payload["sub"]:
                raise InvalidToken("userinfo describes another subject than the ID token.")
        claims = {**payload, **userinfo, "iss": payload["iss"], "sub": payload["sub"]}
        return sign_in_identity(issuer=payload["iss"], subject=payload["sub"], claims=claims)
