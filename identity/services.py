"""Writes for identity: people signing in, group-to-role sync, service accounts, tokens."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from oauth2_provider.models import Application

from activity.services import record_activity
from identity.account_cache import forget_external_client, forget_service_account
from identity.business_units import mapped_units, sync_group_units
from identity.models import ExternalClient, ExternalIdentity, GroupMapping
from identity.roles import ROLE_RANK, role_in_tenant
from identity.selectors import client_of, external_client_of
from identity.signals import (
    membership_changed,
    service_account_registered,
    service_account_revoked,
)
from identity.tokens import USER, builtin_issuer, sign_access_token
from kernel.errors import InvalidInput
from tenants.models import Membership, Role, ServiceAccount, Tenant
from tenants.schemas import in_tenant_schema
from tenants.selectors import active_business_units

PORTAL_CLIENT_ID = "atrium-portal"


class IdentityError(InvalidInput):
    """Refused, with a message a person can act on (a 400 on the API)."""


# --- People -----------------------------------------------------------------------------------


BUILTIN_ISSUER_KEY = "builtin"  # the built-in provider's URL follows PUBLIC_URL; its users don't


def sign_in_identity(*, issuer: str, subject: str, claims: dict[str, Any]) -> AbstractBaseUser:
    """The user for (issuer, subject), created on first sight; profile and roles from claims.

    The built-in provider's subjects are our own user ids; an enterprise IdP's people get a user
    of their own on first sign-in (or first API call). Group mappings are re-applied when the
    claims carry the groups claim and come from a token no older than the last one applied: a
    token without the claim, or an older still-valid one, leaves the roles as they are.
    """
    user_model = get_user_model()
    builtin = issuer == builtin_issuer()
    issuer_key = BUILTIN_ISSUER_KEY if builtin else issuer
    with transaction.atomic():
        identity = (
            ExternalIdentity.objects.select_for_update()
            .select_related("user")
            .filter(issuer=issuer_key, subject=subject)
            .first()
        )
        if identity is None:
            if builtin:
                user = user_model.objects.filter(pk=int(subject)).first()
                if user is None:
                    raise IdentityError("This account does not exist any more.")
            else:
                user = user_model.objects.create_user(username=_free_username(claims, subject))
                user.set_unusable_password()
                user.save()
            identity = ExternalIdentity.objects.create(
                user=user, issuer=issuer_key, subject=subject
            )
        user = identity.user
        if not user.is_active:
            raise IdentityError("This account is disabled.")
        if not builtin:
            _update_profile(user, claims)
        groups = _groups_in(claims)
        issued_at = _issued_at(claims)
        if groups is not None and _not_older(issued_at, identity.groups_synced_at):
            digest = hashlib.sha256(json.dumps(sorted(groups)).encode()).hexdigest()
            if digest != identity.groups_digest:
                sync_group_roles(user=user, identity=identity, groups=groups)
                identity.groups_digest = digest
            identity.groups_synced_at = issued_at or identity.groups_synced_at
        identity.save()
    return user


def _groups_in(claims: dict[str, Any]) -> list[str] | None:
    """The groups in the configured claim; None when the token does not carry it (some IdPs
    leave it out of some tokens, which says nothing about the person's groups)."""
    groups = claims.get(settings.OIDC_GROUPS_CLAIM)
    if isinstance(groups, str):
        return [groups]
    if isinstance(groups, list):
        return [group for group in groups if isinstance(group, str)]
    return None


def _issued_at(claims: dict[str, Any]) -> datetime | None:
    """When the IdP wrote these claims: `iat`, else `auth_time`."""
    for name in ("iat", "auth_time"):
        value = claims.get(name)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return datetime.fromtimestamp(value, tz=UTC)
    return None


def _not_older(issued_at: datetime | None, last_synced: datetime | None) -> bool:
    if last_synced is None:
        return True
    return issued_at is not None and issued_at >= last_synced


def builtin_identity(user: Any) -> ExternalIdentity:
    """The identity record of a local user at the built-in provider."""
    identity, _ = ExternalIdentity.objects.get_or_create(
        issuer=BUILTIN_ISSUER_KEY, subject=str(user.pk), defaults={"user": user}
    )
    return identity


def _free_username(claims: dict[str, Any], subject: str) -> str:
    base = str(claims.get("preferred_username") or claims.get("email") or subject)[:140]
    user_model = get_user_model()
    candidate, suffix = base, 1
    while user_model.objects.filter(username=candidate).exists():
        suffix += 1
        candidate = f"{base}-{suffix}"
    return candidate


def _update_profile(user: Any, claims: dict[str, Any]) -> None:
    updates = {
        "email": claims.get("email") or user.email,
        "first_name": (claims.get("given_name") or user.first_name)[:150],
        "last_name": (claims.get("family_name") or user.last_name)[:150],
    }
    if any(getattr(user, field) != value for field, value in updates.items()):
        for field, value in updates.items():
            setattr(user, field, value)
        user.save(update_fields=list(updates))


def sync_group_roles(*, user: Any, identity: ExternalIdentity, groups: Iterable[str]) -> None:
    """Make the user's IdP-managed roles and units match the group mappings of `groups`.

    Memberships an administrator added by hand are left alone; IdP-managed ones are created,
    changed or removed; platform administration follows its mapping too. Units mapped from
    groups apply to every membership of the tenant (identity.business_units.sync_group_units).
    """
    mappings = list(
        GroupMapping.objects.filter(group__in=list(groups)).select_related("business_unit")
    )
    wanted: dict[int, str] = {}
    platform_admin = False
    for mapping in mappings:
        if mapping.grant == GroupMapping.Grant.PLATFORM_ADMIN:
            platform_admin = True
        elif mapping.grant != GroupMapping.Grant.BUSINESS_UNIT and mapping.tenant_id is not None:
            current = wanted.get(mapping.tenant_id)
            if current is None or ROLE_RANK[mapping.grant] > ROLE_RANK[current]:
                wanted[mapping.tenant_id] = mapping.grant

    existing = {m.tenant_id: m for m in Membership.objects.filter(user=user)}
    for tenant_id, role in wanted.items():
        membership = existing.get(tenant_id)
        if membership is None:
            Membership.objects.create(
                user=user, tenant_id=tenant_id, role=role, source=Membership.Source.IDP
            )
        elif membership.source == Membership.Source.IDP and membership.role != role:
            membership.role = role
            membership.save(update_fields=["role"])
    for tenant_id, membership in existing.items():
        if membership.source == Membership.Source.IDP and tenant_id not in wanted:
            membership.delete()
    units = (mapping.business_unit for mapping in mappings if mapping.business_unit is not None)
    sync_group_units(user=user, unit_ids_by_tenant=mapped_units(units))

    if platform_admin != identity.grants_platform_admin:
        user.is_staff = user.is_superuser = platform_admin
        user.save(update_fields=["is_staff", "is_superuser"])
        identity.grants_platform_admin = platform_admin


# --- Tokens for people ------------------------------------------------------------------------


def mint_member_token(*, user: Any, tenant: Tenant) -> str:
    """A short-lived API token for a signed-in person, bound to one tenant."""
    role = role_in_tenant(user, tenant)
    if role is None:
        raise IdentityError("You are not a member of this tenant.")
    return sign_access_token(
        subject=str(user.pk),
        extra_claims={
            "client_id": PORTAL_CLIENT_ID,
            "scope": "api",
            "principal": USER,
            "tenant": tenant.slug,
            "role": role,
        },
    )


# --- Service accounts -------------------------------------------------------------------------


def create_service_account(
    *,
    tenant: Tenant,
    name: str,
    role: str = Role.MEMBER,
    business_unit_id: int | None = None,
    actor: str = "",
) -> tuple[ServiceAccount, str]:
    """Register a program of `tenant`'s. Returns the account and its secret, shown only now."""
    secret = secrets.token_urlsafe(40)
    client_id = f"sa-{tenant.slug}-{secrets.token_hex(8)}"
    with transaction.atomic():
        application = Application.objects.create(
            name=f"{tenant.slug}: {name.strip()}",
            client_id=client_id,
            client_secret=secret,  # hashed by the model on save
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
            hash_client_secret=True,
        )
        account = _new_service_account(
            tenant=tenant, name=name, role=role, business_unit_id=business_unit_id,
            client_id=client_id, application=application, actor=actor,
        )  # fmt: skip
    return account, secret


def register_external_client(
    *,
    tenant: Tenant,
    name: str,
    client_id: str,
    role: str = Role.MEMBER,
    business_unit_id: int | None = None,
    actor: str = "",
) -> ServiceAccount:
    """Make a client-credentials client of the enterprise IdP one of `tenant`'s service
    accounts: its tokens (`client_id` claim, else `sub`) then act as this account here."""
    issuer = settings.OIDC_ISSUER
    if not issuer:
        raise IdentityError(
            "No enterprise identity provider is configured (OIDC_ISSUER): register the program "
            "as a service account of Atrium's own provider instead."
        )
    client_id = client_id.strip()
    if not client_id or len(client_id) > 255:
        raise IdentityError("An external client id is 1 to 255 characters.")
    if client_id in _ids_in_peoples_tokens():
        raise IdentityError(
            f"{client_id!r} is in every person's token (Atrium's own client or audience): "
            "register the program's own client instead."
        )
    with transaction.atomic():
        registered = ExternalClient.objects.filter(tenant=tenant, issuer=issuer)
        if registered.filter(client_id=client_id).exists():
            raise IdentityError(f"The client {client_id!r} is already a service account here.")
        account = _new_service_account(
            tenant=tenant, name=name, role=role, business_unit_id=business_unit_id,
            client_id=f"ext-{tenant.slug}-{secrets.token_hex(8)}", actor=actor,
            external=ExternalClient(tenant=tenant, issuer=issuer, client_id=client_id),
        )  # fmt: skip
        transaction.on_commit(lambda: forget_external_client(tenant.pk, issuer, client_id))
    return account


def _ids_in_peoples_tokens() -> set[str]:
    ids = {settings.OIDC_RP_CLIENT_ID}
    if settings.OIDC_API_AUDIENCE_CLAIM == "client_id":
        ids.add(settings.OIDC_API_AUDIENCE)
    return ids


def _new_service_account(
    *,
    tenant: Tenant,
    name: str,
    role: str,
    business_unit_id: int | None,
    client_id: str,
    actor: str,
    application: Application | None = None,
    external: ExternalClient | None = None,
) -> ServiceAccount:
    """Checks shared by both kinds of service account, the row, its activity and audit entry."""
    name = name.strip()
    if not name:
        raise IdentityError("A service account needs a name.")
    if len(name) > 100:
        raise IdentityError("A service account's name is at most 100 characters.")
    if role not in Role.values:
        raise IdentityError(f"Unknown role {role!r}: use one of {', '.join(Role.values)}.")
    if (
        business_unit_id is not None
        and not active_business_units(tenant).filter(pk=business_unit_id).exists()
    ):
        raise IdentityError(f"This tenant has no business unit {business_unit_id} open to use.")
    if ServiceAccount.objects.filter(tenant=tenant, name=name, revoked_at__isnull=True).exists():
        raise IdentityError(f"This tenant already has a service account called {name!r}.")
    account = ServiceAccount.objects.create(
        tenant=tenant,
        name=name,
        role=role,
        business_unit_id=business_unit_id,
        client_id=client_id,
        application=application,
        created_by=actor,
    )
    if external is not None:
        external.service_account = account
        external.save()
    with in_tenant_schema(tenant):
        record_activity(
            kind="service_account.created",
            message=f"Service account {name} ({role}) registered.",
            actor=actor,
        )
    service_account_registered.send(
        ServiceAccount, account=account, actor=actor, state=service_account_state(account)
    )
    return account


def service_account_state(account: ServiceAccount) -> dict[str, Any]:
    """What the audit log keeps of a service account: who it is, what it may do, where it is
    charged, and which client's tokens act as it."""
    issuer, client_id = client_of(account)
    return {
        "name": account.name,
        "role": account.role,
        "business_unit_id": account.business_unit_id,
        "issuer": issuer,
        "client_id": client_id,
        "revoked_at": account.revoked_at.isoformat() if account.revoked_at else None,
    }


def revoke_service_account(*, account: ServiceAccount, actor: str = "") -> None:
    """No new tokens at once (ours: the OAuth client is deleted; an external client: its
    registration is); outstanding tokens refused within the principal cache's lifetime."""
    if account.revoked_at is not None:
        return
    with transaction.atomic():
        before = service_account_state(account)
        application, external = account.application, external_client_of(account)
        account.revoked_at = timezone.now()
        account.application = None
        account.save(update_fields=["revoked_at", "application"])
        if application is not None:
            application.delete()  # its outstanding token rows go with it
        transaction.on_commit(lambda: forget_service_account(account.client_id))
        if external is not None:
            external.delete()  # the client id may be registered again
            key = (external.tenant_id, external.issuer, external.client_id)
            transaction.on_commit(lambda: forget_external_client(*key))
        with in_tenant_schema(account.tenant):
            record_activity(
                kind="service_account.revoked",
                message=f"Service account {account.name} revoked.",
                actor=actor,
            )
        service_account_revoked.send(
            ServiceAccount, account=account, actor=actor, before=before,
            after={**before, "revoked_at": account.revoked_at.isoformat()},
        )  # fmt: skip


# --- The portal as a client of the built-in provider ------------------------------------------


def portal_client_secret() -> str:
    """Derived from SECRET_KEY, so every process knows it and it is stored nowhere."""
    return hmac.new(
        settings.SECRET_KEY.encode(), b"atrium-portal-oidc-client", hashlib.sha256
    ).hexdigest()


def ensure_portal_client() -> Application:
    """The portal's own OAuth client at the built-in provider, redirecting to this PUBLIC_URL."""
    redirect_uri = f"{builtin_issuer().removesuffix('/idp')}/oidc/callback/"
    secret = portal_client_secret()
    application = Application.objects.filter(client_id=PORTAL_CLIENT_ID).first()
    if application is None:
        return Application.objects.create(
            name="Atrium portal",
            client_id=PORTAL_CLIENT_ID,
            client_secret=secret,
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            redirect_uris=redirect_uri,
            skip_authorization=True,
            algorithm=Application.RS256_ALGORITHM,
            hash_client_secret=True,
        )
    changed = application.redirect_uris != redirect_uri
    if not check_password(secret, application.client_secret):
        application.client_secret = secret
        changed = True
    if changed:
        application.redirect_uris = redirect_uri
        application.save()
    return application


def grant_membership(*, user: Any, tenant: Tenant, role: str) -> Membership:
    """Give a person a role in a tenant by hand (kept across IdP syncs)."""
    if role not in Role.values:
        raise IdentityError(f"Unknown role {role!r}: use one of {', '.join(Role.values)}.")
    membership, _ = Membership.objects.update_or_create(
        user=user, tenant=tenant, defaults={"role": role, "source": Membership.Source.MANUAL}
    )
    return membership


def add_member(*, tenant: Tenant, login: str, role: str, actor: str) -> Membership:
    """A tenant administrator adds a person (by user name or email) to the tenant."""
    user = _person_called(login.strip())
    if Membership.objects.filter(user=user, tenant=tenant).exists():
        raise IdentityError(f"{user.get_username()} is already a member; change the role instead.")
    with transaction.atomic():
        membership = grant_membership(user=user, tenant=tenant, role=role)
        _announce(membership, "added", actor, before=None)
    with in_tenant_schema(tenant):
        record_activity(kind="member.added", actor=actor,
                        message=f"{user.get_username()} added as {role}.")  # fmt: skip
    return membership


def _person_called(login: str) -> Any:
    """The person a user name or an email names. People are told apart by issuer and subject,
    not by email: an address that several accounts share names none of them."""
    user_model = get_user_model()
    if not login:
        raise IdentityError("Name the person to add: their user name or email.")
    user = user_model.objects.filter(username=login).first()
    if user is not None:
        return user
    matches = list(user_model.objects.filter(email__iexact=login)[:2])
    if len(matches) > 1:
        raise IdentityError(
            f"Several people sign in with {login!r}: add the one you mean by user name."
        )
    if not matches:
        raise IdentityError(
            f"Nobody called {login!r} has signed in to Atrium yet: ask them to sign in once."
        )
    return matches[0]


def change_member_role(*, membership: Membership, role: str, actor: str) -> Membership:
    """Roles from the IdP's groups are changed there (they would come back at the next sign-in)."""
    if membership.source == Membership.Source.IDP:
        raise IdentityError("This role comes from the identity provider's groups: change it there.")
    if role not in Role.values:
        raise IdentityError(f"Unknown role {role!r}: use one of {', '.join(Role.values)}.")
    with transaction.atomic():
        before = _member_state(membership)
        if role != Role.ADMIN:
            _keep_an_administrator(membership, "no longer an administrator")
        membership.role = role
        membership.save(update_fields=["role"])
        _announce(membership, "role_changed", actor, before=before)
    with in_tenant_schema(membership.tenant):
        record_activity(kind="member.role_changed", actor=actor,
                        message=f"{membership.user.get_username()} is now {role}.")  # fmt: skip
    return membership


def remove_member(*, membership: Membership, actor: str) -> None:
    if membership.source == Membership.Source.IDP:
        raise IdentityError("This role comes from the identity provider's groups: change it there.")
    name = membership.user.get_username()
    with transaction.atomic():
        _keep_an_administrator(membership, "removed")
        _announce(membership, "removed", actor, before=_member_state(membership))
        membership.delete()
    with in_tenant_schema(membership.tenant):
        record_activity(kind="member.removed", actor=actor, message=f"{name} removed.")


def _keep_an_administrator(membership: Membership, change: str) -> None:
    """Refuses a change that would leave the tenant with no administrator (nobody in it could
    manage members, units or budgets again). The tenant's administrators are locked, so two
    administrators demoting each other at once cannot both pass."""
    administrators = list(
        Membership.objects.select_for_update()
        .filter(tenant_id=membership.tenant_id, role=Role.ADMIN)
        .values_list("pk", flat=True)
    )
    if administrators == [membership.pk]:
        raise IdentityError(
            f"{membership.user.get_username()} is the tenant's only administrator and cannot be "
            f"{change}: make someone else an administrator first."
        )


def _member_state(membership: Membership) -> dict[str, Any]:
    return {"user": membership.user.get_username(), "role": membership.role}


def _announce(membership: Membership, action: str, actor: str, *, before: Any) -> None:
    """Tells the floors above (the audit log) of a change of membership, in its transaction."""
    after = None if action == "removed" else _member_state(membership)
    membership_changed.send(
        Membership, membership=membership, action=action, actor=actor, before=before, after=after
    )
