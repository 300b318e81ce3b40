"""Identity with a maintained OpenID provider as its own process (node `oidc-provider`), its
tokens from its real grants: group memberships follow only tokens that carry the groups and are
no older than the last applied, and a client registered as a service account is that account."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
from django.test import Client

from identity.models import GroupMapping
from identity.services import mint_member_token
from tenants.services import add_business_unit
from tests.identity.external_idp import whoami
from tests.identity.maintained_idp import BOT_CLIENT, WEB_CLIENT, MaintainedIdP, wait_a_second

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MaintainedIdP]:
    """One provider process for the module (starting node costs a second or two)."""
    idp = MaintainedIdP(tmp_path_factory.mktemp("oidc-provider"))
    yield idp
    idp.stop()


@pytest.fixture
def oidc(provider: MaintainedIdP, settings: Any) -> MaintainedIdP:
    """Atrium configured for the provider: its issuer, and its web client as Atrium's own."""
    settings.OIDC_ISSUER = provider.issuer
    settings.OIDC_RP_CLIENT_ID = WEB_CLIENT[0]
    return provider


def claims(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})


def test_a_token_without_the_groups_claim_leaves_memberships_alone(oidc, module_tenants) -> None:
    acme = module_tenants["acme"]
    wealth = add_business_unit(tenant=acme, name="Wealth", actor="test")
    GroupMapping.objects.create(group="acme-users", grant="member", tenant=acme)
    GroupMapping.objects.create(
        group="dept-wealth", grant="business_unit", tenant=acme, business_unit=wealth
    )
    oidc.set_accounts({"ana": ["acme-users", "dept-wealth"]})

    with_groups = oidc.person_token("ana")
    me = whoami(acme.slug, with_groups).json()
    assert (me["role"], me["business_unit"]["name"]) == ("member", "Wealth")

    wait_a_second()
    without_groups = oidc.person_token("ana", scope="openid api")
    assert "groups" not in claims(without_groups)
    me = whoami(acme.slug, without_groups).json()
    assert (me["role"], me["business_unit"]["name"]) == ("member", "Wealth")


def test_an_older_token_does_not_restore_a_role_removed_at_the_provider(
    oidc, module_tenants
) -> None:
    acme = module_tenants["acme"]
    GroupMapping.objects.create(group="acme-admins", grant="admin", tenant=acme)
    oidc.set_accounts({"ben": ["acme-admins"]})
    older = oidc.person_token("ben")
    assert whoami(acme.slug, older).json()["role"] == "admin"

    wait_a_second()
    oidc.set_accounts({"ben": []})
    newer = oidc.person_token("ben")
    assert claims(newer)["groups"] == []
    assert whoami(acme.slug, newer).status_code == 403

    assert claims(older)["exp"] > time.time()  # still valid, and it still says acme-admins
    assert whoami(acme.slug, older).status_code == 403


def test_a_registered_client_gets_its_role_and_unit_from_a_real_grant(
    oidc, module_tenants, make_user, django_capture_on_commit_callbacks
) -> None:
    acme = module_tenants["acme"]
    unit = add_business_unit(tenant=acme, name="Collections", actor="test")
    token = oidc.client_token()
    assert claims(token)["client_id"] == BOT_CLIENT[0]
    assert whoami(acme.slug, token).status_code == 403  # nobody's client yet

    admin = mint_member_token(user=make_user("ida", roles={acme: "admin"}), tenant=acme)
    with django_capture_on_commit_callbacks(execute=True):
        created = Client().post(
            f"/t/{acme.slug}/v1/service-accounts",
            {"name": "collector", "external_client_id": BOT_CLIENT[0], "role": "admin",
             "business_unit_id": unit.pk},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {admin}",
        )  # fmt: skip
    assert created.status_code == 201, created.content

    me = whoami(acme.slug, oidc.client_token()).json()
    assert me["principal"] == {
        "type": "service_account", "id": created.json()["id"], "name": "collector"
    }  # fmt: skip
    assert (me["role"], me["business_unit"]) == ("admin", {"id": unit.pk, "name": "Collections"})
