"""Group mappings become roles; tenant admins manage service accounts; members cannot."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from identity.models import GroupMapping
from identity.services import (
    builtin_identity,
    create_service_account,
    grant_membership,
    sync_group_roles,
)
from tenants.models import Membership, ServiceAccount

pytestmark = pytest.mark.django_db


def test_group_sync_adds_changes_and_removes_idp_roles_only(module_tenants, make_user) -> None:
    acme, globex = module_tenants["acme"], module_tenants["globex"]
    GroupMapping.objects.create(group="acme-admins", grant="admin", tenant=acme)
    GroupMapping.objects.create(group="acme-users", grant="member", tenant=acme)
    GroupMapping.objects.create(group="platform", grant="platform_admin")
    user = make_user("gina")
    grant_membership(user=user, tenant=globex, role="member")  # by hand: never touched by sync
    identity = builtin_identity(user)

    sync_group_roles(user=user, identity=identity, groups=["acme-users", "acme-admins"])
    assert Membership.objects.get(user=user, tenant=acme).role == "admin"  # the higher role

    sync_group_roles(user=user, identity=identity, groups=["acme-users", "platform"])
    user.refresh_from_db()
    assert Membership.objects.get(user=user, tenant=acme).role == "member"
    assert user.is_superuser and user.is_staff

    sync_group_roles(user=user, identity=identity, groups=[])
    user.refresh_from_db()
    assert not Membership.objects.filter(user=user, tenant=acme).exists()
    assert Membership.objects.get(user=user, tenant=globex).source == "manual"
    assert not user.is_superuser


def test_tenant_admin_registers_and_revokes_a_service_account(module_tenants, make_user) -> None:
    acme = module_tenants["acme"]
    client = Client()
    client.force_login(make_user("hana", roles={acme: "admin"}))
    page = client.post(
        f"/t/{acme.slug}/service-accounts/", {"name": "nightly-eval", "role": "member"}
    )
    assert page.status_code == 200
    text = page.content.decode()
    account = ServiceAccount.objects.get(tenant=acme, name="nightly-eval")
    secret = re.search(r'<textarea class="secret" rows="2" readonly>([^<]+)<', text).group(1)
    assert len(secret) > 40
    assert secret not in client.get(f"/t/{acme.slug}/service-accounts/").content.decode()

    duplicate = client.post(f"/t/{acme.slug}/service-accounts/", {"name": "nightly-eval"})
    assert duplicate.status_code == 400
    assert "already has a service account" in duplicate.content.decode()

    revoked = client.post(f"/t/{acme.slug}/service-accounts/{account.pk}/revoke")
    assert revoked.status_code == 302
    account.refresh_from_db()
    assert account.revoked_at is not None and account.application is None


def test_members_and_other_tenants_admins_cannot_manage_service_accounts(
    module_tenants, make_user
) -> None:
    acme, globex = module_tenants["acme"], module_tenants["globex"]
    member = Client()
    member.force_login(make_user("ivan", roles={acme: "member"}))
    assert member.get(f"/t/{acme.slug}/service-accounts/").status_code == 404
    assert member.get(f"/t/{acme.slug}/api-access/").status_code == 200

    account, _ = create_service_account(tenant=globex, name="globex-bot")
    intruder = Client()
    intruder.force_login(make_user("judy", roles={acme: "admin"}))
    assert intruder.get(f"/t/{globex.slug}/service-accounts/").status_code == 404
    assert (
        intruder.post(f"/t/{globex.slug}/service-accounts/{account.pk}/revoke").status_code == 404
    )
    # Through her own tenant's URL, another tenant's account is simply not there.
    assert intruder.post(f"/t/{acme.slug}/service-accounts/{account.pk}/revoke").status_code == 404
    account.refresh_from_db()
    assert account.revoked_at is None


def test_anonymous_visitor_is_sent_to_sign_in(module_tenants) -> None:
    response = Client().get(f"/t/{module_tenants['acme'].slug}/api-access/")
    assert response.status_code == 302
    assert response["Location"].startswith("/oidc/authenticate/?next=")


def test_create_service_account_command_prints_credentials(module_tenants) -> None:
    acme = module_tenants["acme"]
    out = io.StringIO()
    call_command("create_service_account", "--tenant", acme.slug, "--name", "ci-bot", stdout=out)
    credentials = json.loads(out.getvalue())
    assert set(credentials) == {"client_id", "client_secret", "token_url", "api_base"}
    assert credentials["token_url"].endswith("/idp/token/")
    assert credentials["api_base"].endswith(f"/t/{acme.slug}/v1")
    with pytest.raises(CommandError, match="No tenant"):
        call_command("create_service_account", "--tenant", "nope", "--name", "x")
    with pytest.raises(CommandError, match="already has"):
        call_command("create_service_account", "--tenant", acme.slug, "--name", "ci-bot")
