"""Reads for identity."""

from __future__ import annotations

from django.db.models import QuerySet

from tenants.models import Membership, ServiceAccount, Tenant


def active_service_accounts(tenant: Tenant) -> QuerySet[ServiceAccount]:
    return ServiceAccount.objects.filter(tenant=tenant, revoked_at__isnull=True)


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
    """One of the tenant's memberships (None: no such membership, or another tenant's)."""
    return Membership.objects.filter(pk=membership_id, tenant=tenant).first()
