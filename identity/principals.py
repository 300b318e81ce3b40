"""From a verified token and the tenant of the URL to a principal with a role, or a refusal.

A token never reaches past its tenant: a tenant claim that names another tenant, a person with no
membership, a service account of another tenant — all get the same refusal, which does not say
whether that other tenant or person exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model

from identity.account_cache import AccountState, active_external_client, active_service_account
from identity.roles import ROLE_RANK, role_in_tenant, units_in_tenant
from identity.services import IdentityError, sign_in_identity
from identity.tokens import SERVICE_ACCOUNT
from identity.verification import InvalidToken, VerifiedToken
from kernel.hot_cache import cached
from tenants.models import Tenant


class AccessDenied(Exception):
    """A valid token that grants nothing here."""


NO_ACCESS = "This token does not grant access to this tenant."


@dataclass(frozen=True)
class Principal:
    kind: str  # "user" or "service_account"
    id: int
    name: str
    role: str  # "platform_admin", "admin" or "member"
    tenant_slug: str
    business_unit_id: int | None = None  # where the usage is charged
    # Units it may also charge, one call at a time (X-Atrium-Business-Unit).
    extra_business_unit_ids: frozenset[int] = frozenset()

    is_authenticated = True

    @property
    def unit_ids(self) -> frozenset[int]:
        """Every unit it works for (default and extra): their granted models are its models."""
        default = {self.business_unit_id} if self.business_unit_id is not None else set()
        return self.extra_business_unit_ids | default

    def has_role(self, required: str) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[required]


def resolve_principal(token: VerifiedToken, tenant: Tenant) -> Principal:
    claimed_tenant = token.claims.get("tenant")
    if claimed_tenant is not None and claimed_tenant != tenant.slug:
        raise AccessDenied(NO_ACCESS)
    if token.builtin and token.claims.get("principal") == SERVICE_ACCOUNT:
        account = active_service_account(token.subject)
        if account is None:
            raise InvalidToken("The service account behind this token has been revoked.")
        if account.tenant_id != tenant.pk:
            raise AccessDenied(NO_ACCESS)
        return _service_account(account, tenant)
    if not token.builtin:
        registered = _registered_client(token, tenant)
        if registered is not None:
            return _service_account(registered, tenant)

    if token.builtin:
        user_id = _int_or_none(token.subject)
        known = cached(("principal", user_id, tenant.pk), lambda: _user_role(user_id, tenant))
        if known is None:
            raise InvalidToken("The account behind this token is disabled.")
        pk, username, role, (business_unit_id, extra_units) = known
        if role is None:
            raise AccessDenied(NO_ACCESS)
    else:
        try:
            user = sign_in_identity(issuer=token.issuer, subject=token.subject, claims=token.claims)
        except IdentityError as error:
            raise InvalidToken(str(error)) from error
        pk, username, role = user.pk, user.get_username(), role_in_tenant(user, tenant)
        business_unit_id, extra_units = units_in_tenant(user.pk, tenant)
        if role is None:
            raise AccessDenied(NO_ACCESS)
    claimed_role = token.claims.get("role")
    if token.builtin and claimed_role in ROLE_RANK and ROLE_RANK[claimed_role] < ROLE_RANK[role]:
        role = claimed_role  # a token minted for a lesser role does not grow with the person
    return Principal("user", pk, username, role, tenant.slug, business_unit_id, extra_units)


def _service_account(account: AccountState, tenant: Tenant) -> Principal:
    return Principal(
        SERVICE_ACCOUNT, account.id, account.name, account.role, tenant.slug,
        account.business_unit_id, account.extra_business_unit_ids,
    )  # fmt: skip


def _registered_client(token: VerifiedToken, tenant: Tenant) -> AccountState | None:
    """The service account this tenant registered for the token's client (its `client_id`
    claim or its `sub`). Only this tenant's registrations count: another tenant's cannot turn a
    person's token into a program here, nor lock anyone out of this tenant."""
    issuer = token.issuer.rstrip("/")
    for candidate in (token.claims.get("client_id"), token.subject):
        if isinstance(candidate, str) and candidate:
            account = active_external_client(tenant.pk, issuer, candidate)
            if account is not None:
                return account
    return None


def _user_role(
    user_id: int | None, tenant: Tenant
) -> tuple[int, str, str | None, tuple[int | None, frozenset[int]]] | None:
    """(id, user name, role here, (default unit, extra units) here) of an active user, or None."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return None
    role = role_in_tenant(user, tenant)
    return user.pk, user.get_username(), role, units_in_tenant(user.pk, tenant)


def _int_or_none(value: str) -> int | None:
    try:
        return int(value)
    except ValueError:
        return None


def person_in_tenant(user: Any, tenant: Tenant, role: str | None = None) -> Principal | None:
    """A signed-in person as a principal of `tenant` (for pages calling the services as the API
    would), or None if they hold no role there. `role`: already known by the caller."""
    role = role or role_in_tenant(user, tenant)
    if role is None:
        return None
    unit, extra_units = units_in_tenant(user.pk, tenant)
    return Principal("user", user.pk, user.get_username(), role, tenant.slug, unit, extra_units)
