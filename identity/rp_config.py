"""Settings of the portal as an OpenID relying party: the enterprise IdP's (from its discovery
document) when OIDC_ISSUER is set, else the built-in provider's."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from mozilla_django_oidc.utils import import_from_settings

from identity.issuers import provider_metadata
from identity.services import PORTAL_CLIENT_ID, portal_client_secret
from identity.tokens import builtin_issuer

_ENDPOINT_FIELDS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": ("authorization_endpoint", "/authorize/"),
    "OIDC_OP_TOKEN_ENDPOINT": ("token_endpoint", "/token/"),
    "OIDC_OP_USER_ENDPOINT": ("userinfo_endpoint", "/userinfo/"),
    "OIDC_OP_JWKS_ENDPOINT": ("jwks_uri", "/.well-known/jwks.json"),
}


def sign_in_issuer() -> str:
    return settings.OIDC_ISSUER or builtin_issuer()


def rp_setting(attr: str, *default: Any) -> Any:
    """mozilla-django-oidc's `get_settings`, resolving what depends on the provider."""
    if attr in _ENDPOINT_FIELDS:
        field, builtin_path = _ENDPOINT_FIELDS[attr]
        if settings.OIDC_ISSUER:
            return provider_metadata().get(field)
        return builtin_issuer() + builtin_path
    if not settings.OIDC_ISSUER and attr == "OIDC_RP_CLIENT_ID":
        return PORTAL_CLIENT_ID
    if not settings.OIDC_ISSUER and attr == "OIDC_RP_CLIENT_SECRET":
        return portal_client_secret()
    return import_from_settings(attr, *default)
