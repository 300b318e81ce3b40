"""DRF authentication for the tenant API: `Authorization: Bearer <JWT>`, nothing else."""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from identity.business_units import UNIT_HEADER_META, charged_principal
from identity.principals import NO_ACCESS, AccessDenied, Principal, resolve_principal
from identity.roles import PLATFORM_ADMIN
from identity.verification import InvalidToken, verify_access_token
from kernel.errors import DomainError, NotAllowed
from tenants.models import Role, Tenant

REALM = 'Bearer realm="atrium"'
ASK_FOR_BEARER = "Authenticate with 'Authorization: Bearer <token>' (an OIDC access token)."
MALFORMED_HEADER = "Send the token as 'Authorization: Bearer <token>'."


def challenge(description: str | None = None) -> str:
    """The WWW-Authenticate value (RFC 6750): bare for a missing token, else invalid_token."""
    if description is None:
        return REALM
    safe = description.replace('"', "'")
    return f'{REALM}, error="invalid_token", error_description="{safe}"'


def bearer_from_header(header: str) -> str:
    """The token of an `Authorization: Bearer <token>` header, or InvalidToken."""
    scheme, _, raw = header.partition(" ")
    raw = raw.strip()
    if scheme.lower() != "bearer" or not raw or " " in raw:
        raise InvalidToken(MALFORMED_HEADER)
    return raw


class TokenRefused(DomainError):
    """401: no token, or one that proves nothing; carries its RFC 6750 challenge."""

    status_code = 401
    code = "invalid_token"

    def __init__(self, description: str | None) -> None:
        super().__init__(description or ASK_FOR_BEARER)
        self.challenge = challenge(description)
        if description is None:
            self.code = "missing_token"

    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": self.challenge}


def authenticate_bearer(header: str, tenant: Tenant | None, business_unit: str = "") -> Principal:
    """The principal an `Authorization` header proves in `tenant` (None: no such tenant), or
    TokenRefused (401) / NotAllowed (403). An unknown tenant is refused exactly like one the
    caller may not use, so that probing does not reveal which tenants exist. `business_unit`:
    the X-Atrium-Business-Unit header: the unit this call is charged to
    (identity.business_units)."""
    if not header:
        raise TokenRefused(None)
    try:
        token = verify_access_token(bearer_from_header(header))
        if tenant is None:
            raise AccessDenied(NO_ACCESS)
        principal = resolve_principal(token, tenant)
    except InvalidToken as error:
        raise TokenRefused(str(error)) from error
    except AccessDenied as error:
        raise NotAllowed(str(error)) from error
    return charged_principal(principal, tenant, business_unit)


class TokenRejected(exceptions.AuthenticationFailed):
    """401 with RFC 6750's `error="invalid_token"` and a description."""

    def __init__(self, description: str) -> None:
        super().__init__(description, code="invalid_token")
        self.description = description


class BearerTokenAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[Principal, str] | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        try:
            principal = authenticate_bearer(
                header,
                request._request.tenant,  # type: ignore[attr-defined]
                request.META.get(UNIT_HEADER_META, ""),
            )
        except TokenRefused as error:
            raise TokenRejected(error.message) from error
        except NotAllowed as error:
            raise exceptions.PermissionDenied(error.message) from error
        return principal, header.partition(" ")[2].strip()

    def authenticate_header(self, request: Request) -> str:
        return REALM


class IsTenantPrincipal(BasePermission):
    """Every API call needs a principal of the URL's tenant (resolved by the authentication)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.user, Principal)


class IsPlatformAdmin(BasePermission):
    """Platform-wide API (catalogue, approvals, registry): platform administrators only."""

    message = "Only platform administrators may do this."

    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.user, Principal) and request.user.role == PLATFORM_ADMIN


class IsTenantAdminToChange(BasePermission):
    """Any principal of the tenant reads; its administrators change."""

    message = "Only this tenant's administrators may do this."

    def has_permission(self, request: Request, view: Any) -> bool:
        if not isinstance(request.user, Principal):
            return False
        return request.method in SAFE_METHODS or request.user.has_role(Role.ADMIN)


class IsTenantAdmin(BasePermission):
    """Writes a tenant administrator decides (requests, service accounts, budgets, policies)."""

    message = "Only this tenant's administrators may do this."

    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.user, Principal) and request.user.has_role(Role.ADMIN)
