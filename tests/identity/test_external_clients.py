"""Client-credentials clients of an enterprise IdP registered as a tenant's service accounts:
their tokens act as that account (role, business unit, revocation), in that tenant only."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from audit.models import AuditEntry
from identity.models import ExternalClient
from identity.services import mint_member_token
from tenants.models import ServiceAccount, Tenant
from tenants.services import add_business_unit
from tests.identity.external_idp import whoami

pytestmark = pytest.mark.django_db


def api(method: str, where: Tenant, path: str, token: str, **body: Any) -> Any:
    return getattr(Client(), method)(
        f"/t/{where.slug}/v1/{path}", body, content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )  # fmt: skip


def admin_token(tenant: Tenant, make_user: Any, name: str) -> str:
    return mint_member_token(user=make_user(name, roles={tenant: "admin"}), tenant=tenant)


def test_registered_client_acts_as_the_service_account_until_revoked(
    idp, module_tenants, make_user, django_capture_on_commit_callbacks
) -> None:
    acme = module_tenants["acme"]
    unit = add_business_unit(tenant=acme, name="Billing")
    admin = admin_token(acme, make_user, "olga")
    # Keycloak's client-credentials token: `sub` is the client's service-account user.
    token = idp.token("k1", sub="5d1c-0b7e", client_id="billing-bot", azp="billing-bot")
    assert whoami(acme.slug, token).status_code == 403  # a nameless person, with no role

    with django_capture_on_commit_callbacks(execute=True):
        created = api(
            "post",
            acme,
            "service-accounts",
            admin,
            name="billing",
            external_client_id="billing-bot",
            role="admin",
            business_unit_id=unit.pk,
        )
    assert created.status_code == 201, created.content
    account = created.json()
    assert (account["issuer"], account["client_id"]) == (idp.issuer, "billing-bot")
    assert "client_secret" not in account

    me = whoami(acme.slug, token).json()
    assert me["principal"] == {"type": "service_account", "id": account["id"], "name": "billing"}
    assert me["role"] == "admin"
    assert me["business_unit"] == {"id": unit.pk, "name": "Billing"}
    listed = api("get", acme, "service-accounts", admin).json()
    assert [a["client_id"] for a in listed if a["id"] == account["id"]] == ["billing-bot"]

    with django_capture_on_commit_callbacks(execute=True):
        assert api("delete", acme, f"service-accounts/{account['id']}", admin).status_code == 204
    assert whoami(acme.slug, token).status_code == 403
    audited = AuditEntry.objects.unscoped().filter(
        target_type=ServiceAccount._meta.label, target_id=str(account["id"]), tenant_id=acme.pk
    )  # an id alone may also be a business unit's
    assert {(e.action, e.actor) for e in audited} == {
        ("service_account.registered", "olga"),
        ("service_account.revoked", "olga"),
    }
    assert audited.get(action="service_account.registered").after["client_id"] == "billing-bot"


def test_a_tenant_admin_cannot_register_a_client_into_another_tenant(
    idp, module_tenants, make_user, django_capture_on_commit_callbacks
) -> None:
    acme, globex = module_tenants["acme"], module_tenants["globex"]
    globex_unit = add_business_unit(tenant=globex, name="Research")
    admin = admin_token(acme, make_user, "mallory")
    through_globex = api("post", globex, "service-accounts", admin, name="spy",
                         external_client_id="spy-bot", role="admin")  # fmt: skip
    assert through_globex.status_code == 403
    globex_unit_from_acme = api(
        "post",
        acme,
        "service-accounts",
        admin,
        name="spy",
        external_client_id="spy-bot",
        business_unit_id=globex_unit.pk,
    )
    assert globex_unit_from_acme.status_code == 400
    assert "no business unit" in globex_unit_from_acme.json()["error"]["message"]
    assert not ExternalClient.objects.filter(client_id="spy-bot").exists()

    elsewhere = api("post", acme, "service-accounts", admin, name="spy",
                    external_client_id="spy-bot", role="admin", tenant=globex.slug)  # fmt: skip
    assert (elsewhere.status_code, elsewhere.json()["error"]["param"]) == (400, "tenant")
    with django_capture_on_commit_callbacks(execute=True):
        own = api("post", acme, "service-accounts", admin, name="spy",
                  external_client_id="spy-bot", role="admin")  # fmt: skip
    assert own.status_code == 201
    token = idp.token("k1", sub="spy-bot")  # Okta, Cognito: `sub` is the client id
    assert whoami(acme.slug, token).json()["role"] == "admin"
    assert whoami(globex.slug, token).status_code == 403


def test_tenant_admin_registers_a_client_on_the_service_accounts_page(
    idp, module_tenants, make_user, django_capture_on_commit_callbacks
) -> None:
    acme = module_tenants["acme"]
    unit = add_business_unit(tenant=acme, name="Claims")
    browser = Client()
    browser.force_login(make_user("petra", roles={acme: "admin"}))
    form = browser.get(f"/t/{acme.slug}/service-accounts/").content.decode()
    assert 'name="external_client_id"' in form and ">Claims</option>" in form
    with django_capture_on_commit_callbacks(execute=True):
        page = browser.post(
            f"/t/{acme.slug}/service-accounts/",
            {"name": "claims-etl", "role": "member", "business_unit": unit.pk,
             "external_client_id": "claims-etl@clients"},
        )  # fmt: skip
    assert page.status_code == 200
    assert "<code>claims-etl@clients</code> now act as" in page.content.decode()
    me = whoami(acme.slug, idp.token("k1", sub="claims-etl@clients", gty="client-credentials"))
    assert (me.json()["role"], me.json()["business_unit"]["name"]) == ("member", "Claims")
