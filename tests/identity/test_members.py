"""Tenant administrators manage their own tenant's people, and only theirs."""

from __future__ import annotations

import pytest
from django.test import Client

from identity.models import GroupMapping
from identity.services import builtin_identity, sync_group_roles
from tenants.models import Membership

pytestmark = pytest.mark.django_db


def admin_of(tenant, make_user) -> Client:
    client = Client()
    client.force_login(make_user("ivy", roles={tenant: "admin"}))
    return client


def test_admin_adds_changes_and_removes_a_member(module_tenants, make_user) -> None:
    acme = module_tenants["acme"]
    client = admin_of(acme, make_user)
    make_user("jon")
    assert (
        client.post(
            f"/t/{acme.slug}/members/",
            {"action": "add", "login": "jon@example.com", "role": "member"},
        ).status_code
        == 302
    )
    membership = Membership.objects.get(user__username="jon", tenant=acme)
    client.post(
        f"/t/{acme.slug}/members/", {"action": "role", "membership": membership.pk, "role": "admin"}
    )
    membership.refresh_from_db()
    assert membership.role == "admin"
    client.post(f"/t/{acme.slug}/members/", {"action": "remove", "membership": membership.pk})
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_unknown_people_and_idp_managed_roles_are_explained(module_tenants, make_user) -> None:
    acme = module_tenants["acme"]
    client = admin_of(acme, make_user)
    unknown = client.post(f"/t/{acme.slug}/members/", {"action": "add", "login": "ghost"})
    assert unknown.status_code == 400 and "sign in once" in unknown.content.decode()
    GroupMapping.objects.create(group="acme-users", grant="member", tenant=acme)
    kim = make_user("kim")
    sync_group_roles(user=kim, identity=builtin_identity(kim), groups=["acme-users"])
    from_idp = Membership.objects.get(user=kim, tenant=acme)
    refused = client.post(
        f"/t/{acme.slug}/members/", {"action": "remove", "membership": from_idp.pk}
    )
    assert refused.status_code == 400 and "identity provider" in refused.content.decode()
    assert Membership.objects.filter(pk=from_idp.pk).exists()


def test_members_page_is_for_this_tenants_admins_only(module_tenants, make_user) -> None:
    acme, globex = module_tenants["acme"], module_tenants["globex"]
    outsider = make_user("lou", roles={globex: "member"})
    victim = Membership.objects.get(user=outsider, tenant=globex)
    client = admin_of(acme, make_user)
    assert client.get(f"/t/{globex.slug}/members/").status_code == 404
    # Naming another tenant's membership through one's own tenant finds nothing.
    response = client.post(
        f"/t/{acme.slug}/members/", {"action": "remove", "membership": victim.pk}
    )
    assert response.status_code == 404
    assert Membership.objects.filter(pk=victim.pk).exists()
    member = Client()
    member.force_login(make_user("max", roles={acme: "member"}))
    assert member.get(f"/t/{acme.slug}/members/").status_code == 404
