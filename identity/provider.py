"""The built-in OpenID provider (django-oauth-toolkit), as Atrium needs it."""

from __future__ import annotations

from typing import Any

from oauth2_provider.oauth2_validators import OAuth2Validator
from oauthlib.oauth2.rfc6749.errors import InvalidTokenError

from tenants.models import ServiceAccount


class AtriumOAuth2Validator(OAuth2Validator):
    oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, "groups": "groups"}

    def get_additional_claims(self, request: Any) -> dict[str, Any]:
        user = request.user
        return {
            "name": user.get_full_name() or user.get_username(),
            "given_name": user.first_name,
            "family_name": user.last_name,
            "preferred_username": user.get_username(),
            "email": user.email,
            "groups": sorted(user.groups.values_list("name", flat=True)),
        }

    def get_userinfo_claims(self, request: Any) -> dict[str, Any]:
        """Claims about the person the token was issued to; a token issued to a client alone
        (client credentials) describes no one: 401 with Bearer's invalid_token (OIDC Core
        5.3.3), not a crash."""
        if request.user is None:
            raise InvalidTokenError(
                description="This access token was issued to a client, not to a person: "
                "there is no one to describe."
            )
        return dict(super().get_userinfo_claims(request))

    def validate_grant_type(
        self, client_id: str, grant_type: str, client: Any, request: Any, *args: Any, **kw: Any
    ) -> bool:
        """Client credentials only for a live service account: revoked means no new tokens."""
        if not super().validate_grant_type(client_id, grant_type, client, request, *args, **kw):
            return False
        if grant_type == "client_credentials":
            return ServiceAccount.objects.filter(
                client_id=client_id, revoked_at__isnull=True
            ).exists()
        return True
