"""Roles, in one place: platform administrator, tenant administrator, member."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from tenants.models import Membership, Role, Tenant

PLATFORM_ADMIN = "platform_admin"
ROLE_RANK = {Role.MEMBER.value: 1, Role.ADMIN.value: 2, PLATFORM_ADMIN: 3}


def is_platform_admin(user: AbstractBaseUser | AnonymousUser) -> bool:
    return bool(user.is_authenticated and user.is_active and getattr(user, "is_superuser", False))


def role_in_tenant(user: AbstractBaseUser | AnonymousUser, tenant: Tenant) -> str | None:
    """The user's role in `tenant`, or None: platform admins hold every tenant."""
    if not user.is_authenticated or not user.is_active:
        return None
    if is_platform_admin(user):
        return PLATFORM_ADMIN
    role = (
        Membership.objects.filter(user_id=user.pk, tenant_id=tenant.pk)
        .values_list("role", flat=True)
        .first()
    )
    return role


def units_in_tenant(user_id: int, tenant: Tenant) -> tuple[int | None, frozenset[int]]:
    """A person's default unit in `tenant` and the extra units they may charge per call."""
    rows = Membership.objects.filter(user_id=user_id, tenant_id=tenant.pk).values_list(
        "business_unit_id", "extra_business_units"
    )
    default = rows[0][0] if rows else None
    return default, frozenset(extra for _, extra in rows if extra is not None)


def at_least(role: str | None, required: str) -> bool:
    return role is not None and ROLE_RANK[role] >= ROLE_RANK[required]


def role_label(role: str) -> str:
    if role == PLATFORM_ADMIN:
        return "Platform administrator"
    return str(Role(role).label)
