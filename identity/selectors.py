"""Reads for identity."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, F, Q, QuerySet

from identity.models import ExternalClient
from identity.roles import PLATFORM_ADMIN, is_platform_admin, role_label
from identity.tokens import builtin_issuer
from kernel.form_values import whole_number
from tenants.models import BusinessUnit, Membership, ServiceAccount, Tenant
from tenants.selectors import business_units_of, customer_tenants


def active_service_accounts(tenant: Tenant) -> QuerySet[ServiceAccount]:
    return (
        ServiceAccount.objects.filter(tenant=tenant, revoked_at__isnull=True)
        .select_related("external_client", "business_unit")
        .prefetch_related("extra_business_units")
    )


def business_units_with_principals(tenant: Tenant) -> QuerySet[BusinessUnit]:
    """The tenant's units (open first), each with how many people and active service accounts
    have it as their default unit."""
    return (
        business_units_of(tenant)
        .annotate(
            people=Count("membership", distinct=True),
            programs=Count(
                "serviceaccount", filter=Q(serviceaccount__revoked_at__isnull=True), distinct=True
            ),
        )
        .order_by(F("archived_at").asc(nulls_first=True), "name")
    )


def external_client_of(account: ServiceAccount) -> ExternalClient | None:
    """The enterprise IdP's client whose tokens act as `account` (None: one of ours)."""
    return getattr(account, "external_client", None)


def client_of(account: ServiceAccount) -> tuple[str, str]:
    """(issuer, client id) of the tokens that act as `account`."""
    external = external_client_of(account)
    if external is not None:
        return external.issuer, external.client_id
    return builtin_issuer(), account.client_id


def revoked_service_accounts(tenant: Tenant) -> QuerySet[ServiceAccount]:
    return ServiceAccount.objects.filter(tenant=tenant, revoked_at__isnull=False).order_by(
        "-revoked_at"
    )[:20]


def members_of(tenant: Tenant) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(tenant=tenant).select_related("user").order_by("user__username")
    )


def service_account_of(tenant: Tenant, account_id: int) -> ServiceAccount | None:
    """One of the tenant's service accounts (None: no such account, or another tenant's)."""
    return ServiceAccount.objects.filter(pk=account_id, tenant=tenant).first()


def membership_of(tenant: Tenant, membership_id: object) -> Membership | None:
    """One of the tenant's memberships (None: no such membership, or another tenant's, or an
    id that is not a number)."""
    if (key := whole_number(str(membership_id))) is None:
        return None
    return Membership.objects.filter(pk=key, tenant=tenant).first()


@dataclass(frozen=True)
class Workspace:
    """A tenant a person can open, with the role they hold there."""

    name: str
    slug: str
    role: str

    @property
    def url(self) -> str:
        return f"/t/{self.slug}/"

    @property
    def role_label(self) -> str:
        return role_label(self.role)


def workspaces_of(user: AbstractBaseUser | AnonymousUser) -> list[Workspace]:
    """The tenants `user` can open, by name: every one for a platform administrator, their
    memberships for anyone else (none when signed out)."""
    if not user.is_authenticated or not user.is_active:
        return []
    if is_platform_admin(user):
        tenants = customer_tenants().order_by("name").values_list("name", "slug")
        return [Workspace(name, slug, PLATFORM_ADMIN) for name, slug in tenants]
    rows = (
        Membership.objects.filter(user_id=user.pk)
        .order_by("tenant__name")
        .values_list("tenant__name", "tenant__slug", "role")
    )
    return [Workspace(name, slug, role) for name, slug, role in rows]
