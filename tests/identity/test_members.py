"""Tenant administrators manage their own tenant's people, and only theirs."""

from __future__ import annotations

import pytest
from django.test import Client

from audit.models import AuditEntry
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


def test_membership_changes_are_in_the_audit_log_with_before_and_after(
    module_tenants, make_user
) -> None:
    acme = module_tenants["acme"]
    client = admin_of(acme, make_user)
    make_user("jon")
    client.post(f"/t/{acme.slug}/members/", {"action": "add", "login": "jon", "role": "member"})
    membership = Membership.objects.get(user__username="jon", tenant=acme)
    client.post(
        f"/t/{acme.slug}/members/", {"action": "role", "membership": membership.pk, "role": "admin"}
    )
    client.post(f"/t/{acme.slug}/members/", {"action": "remove", "membership": membership.pk})
    entries = AuditEntry.objects.unscoped().filter(
        target_type="tenants.Membership", target_id=str(membership.pk)
    ).order_by("pk")
    assert [(e.action, e.actor, e.tenant_id, e.before, e.after) for e in entries] == [
        ("membership.added", "ivy", acme.pk, None, {"user": "jon", "role": "member"}),
        ("membership.role_changed", "ivy", acme.pk, {"user": "jon", "role": "member"},
         {"user": "jon", "role": "admin"}),
        ("membership.removed", "ivy", acme.pk, {"user": "jon", "role": "admin"}, None),
    ]  # fmt: skip


def test_the_only_administrator_can_neither_step_down_nor_leave(module_tenants, make_user) -> None:
    acme = module_tenants["acme"]
    client = admin_of(acme, make_user)
    own = Membership.objects.get(user__username="ivy", tenant=acme)
    for form in ({"action": "role", "role": "member"}, {"action": "remove"}):
        refused = client.post(f"/t/{acme.slug}/members/", {**form, "membership": own.pk})
        assert refused.status_code == 400
        assert "only administrator" in refused.content.decode()
        own.refresh_from_db()
        assert own.role == "admin"
    assert (
        not AuditEntry.objects.unscoped()
        .filter(target_id=str(own.pk), target_type="tenants.Membership")
        .exists()
    )
    # With a second administrator, the first may step down.
    make_user("jon", roles={acme: "admin"})
    assert client.post(
        f"/t/{acme.slug}/members/", {"action": "role", "membership": own.pk, "role": "member"}
    ).status_code == 302  # fmt: skip
    own.refresh_from_db()
    assert own.role == "member"


def test_an_email_several_accounts_share_names_none_of_them(module_tenants, make_user) -> None:
    acme = module_tenants["acme"]
    client = admin_of(acme, make_user)
    for name, email in (("jon", "shared@example.com"), ("jon-at-partner", "Shared@example.com")):
        person = make_user(name)
        person.email = email
        person.save(update_fields=["email"])
    refused = client.post(
        f"/t/{acme.slug}/members/", {"action": "add", "login": "shared@example.com"}
    )
    assert refused.status_code == 400 and "by user name" in refused.content.decode()
    assert not Membership.objects.filter(tenant=acme, user__username__startswith="jon").exists()


@pytest.mark.parametrize("value", ["\u00b2", "\u0663", "9" * 25])
def test_ids_that_are_not_plain_numbers_are_refused_on_the_forms(
    module_tenants, make_user, value
) -> None:
    """'²' and '٣' are digits to str.isdigit(); int() refuses the first and reads the second."""
    acme = module_tenants["acme"]
    client = admin_of(acme, make_user)
    jon = Membership.objects.get(user=make_user("jon", roles={acme: "member"}))
    form = {"action": "units", "membership": jon.pk, "business_unit": value}
    units = client.post(f"/t/{acme.slug}/members/", form)
    assert units.status_code == 400 and "from the list" in units.content.decode()
    form = {"name": "nightly", "role": "member", "business_unit": value}
    created = client.post(f"/t/{acme.slug}/service-accounts/", form)
    assert created.status_code == 400 and "from the list" in created.content.decode()
    assert client.post(f"/t/{acme.slug}/service-accounts/",
                       {"action": "units", "account": value}).status_code == 404  # fmt: skip
    assert client.post(f"/t/{acme.slug}/members/",
                       {"action": "remove", "membership": value}).status_code == 404  # fmt: skip
