"""An independent OpenID provider (tests.identity.external_idp: its own keys, discovery and JWKS
over HTTP): configuring OIDC_ISSUER is all it takes for its tokens to work on our API."""

from __future__ import annotations

import time

import jwt
import pytest
from django.test import Client

from identity import issuers
from identity.models import ExternalIdentity, GroupMapping
from tenants.models import Membership
from tests.identity.external_idp import whoami
from tests.identity.tokens import new_rsa_pem

pytestmark = pytest.mark.django_db


def test_enterprise_token_signs_a_person_in_with_roles_from_groups(idp, module_tenants) -> None:
    acme = module_tenants["acme"]
    GroupMapping.objects.create(group="lob-retail-admins", grant="admin", tenant=acme)
    token = idp.token(
        "k1", sub="f3a9-77", email="pat@corp.example", preferred_username="pat",
        groups=["lob-retail-admins", "unrelated"],
    )  # fmt: skip
    response = whoami(acme.slug, token)
    assert response.status_code == 200, response.content
    assert response.json()["role"] == "admin"
    identity = ExternalIdentity.objects.get(issuer=idp.issuer, subject="f3a9-77")
    assert identity.user.email == "pat@corp.example"
    assert Membership.objects.get(user=identity.user, tenant=acme).source == "idp"


def test_enterprise_person_without_a_mapped_group_gets_403(idp, module_tenants) -> None:
    token = idp.token("k1", sub="nobody-1", groups=["canteen"])
    assert whoami(module_tenants["acme"].slug, token).status_code == 403


def test_groups_leaving_the_token_remove_the_role(idp, module_tenants) -> None:
    acme = module_tenants["acme"]
    GroupMapping.objects.create(group="acme-users", grant="member", tenant=acme)
    assert whoami(acme.slug, idp.token("k1", sub="u-2", groups=["acme-users"])).status_code == 200
    assert whoami(acme.slug, idp.token("k1", sub="u-2", groups=[])).status_code == 403


def test_a_token_without_the_groups_claim_leaves_the_roles_alone(idp, module_tenants) -> None:
    acme = module_tenants["acme"]
    GroupMapping.objects.create(group="acme-admins", grant="admin", tenant=acme)
    assert whoami(acme.slug, idp.token("k1", sub="u-6", groups=["acme-admins"])).json()["role"] == (
        "admin"
    )
    # Entra ID leaves groups out past 200 of them, Keycloak and Okta when no mapper or scope
    # adds them to this token: it says nothing about the person's groups.
    response = whoami(acme.slug, idp.token("k1", sub="u-6"))
    assert response.status_code == 200 and response.json()["role"] == "admin"
    assert Membership.objects.get(tenant=acme, user__identities__subject="u-6").source == "idp"


def test_an_older_token_cannot_restore_a_removed_role(idp, module_tenants) -> None:
    acme = module_tenants["acme"]
    GroupMapping.objects.create(group="acme-admins", grant="admin", tenant=acme)
    now = int(time.time())
    before_removal = idp.token("k1", sub="u-7", groups=["acme-admins"], iat=now - 60)
    after_removal = idp.token("k1", sub="u-7", groups=[], iat=now - 30)
    assert whoami(acme.slug, before_removal).json()["role"] == "admin"
    assert whoami(acme.slug, after_removal).status_code == 403
    # Still valid for minutes, but older than the groups already applied: it changes nothing.
    assert whoami(acme.slug, before_removal).status_code == 403
    assert not Membership.objects.filter(tenant=acme, user__identities__subject="u-7").exists()


def test_key_rotated_in_at_the_idp_is_fetched_once(idp, module_tenants, settings) -> None:
    settings.OIDC_JWKS_MIN_REFETCH_SECONDS = 0
    acme = module_tenants["acme"]
    GroupMapping.objects.create(group="acme-users", grant="member", tenant=acme)
    assert whoami(acme.slug, idp.token("k1", sub="u-3", groups=["acme-users"])).status_code == 200
    fetched = idp.jwks_requests
    idp.add_ec_key("k2")  # a new key, in a new algorithm the issuer publishes
    token = idp.token("k2", sub="u-3", groups=["acme-users"])
    assert whoami(acme.slug, token).status_code == 200
    assert idp.jwks_requests == fetched + 1
    assert whoami(acme.slug, token).status_code == 200
    assert idp.jwks_requests == fetched + 1  # cached now


def test_token_signed_with_an_unpublished_key_is_refused(idp, module_tenants) -> None:
    idp.add_rsa_key("secret-key")
    token = idp.token("secret-key", sub="u-4")
    del idp.keys["secret-key"]
    response = whoami(module_tenants["acme"].slug, token)
    assert response.status_code == 401
    assert "does not publish" in response.json()["error"]["message"]


def test_a_key_replaced_under_the_same_kid_refuses_tokens_verified_before(
    idp, module_tenants, monkeypatch
) -> None:  # fmt: skip
    acme = module_tenants["acme"]
    GroupMapping.objects.create(group="acme-users", grant="member", tenant=acme)
    token = idp.token("k1", sub="u-5", groups=["acme-users"])
    assert whoami(acme.slug, token).status_code == 200  # verified, and kept as verified
    idp.keys.clear()
    idp.add_rsa_key("k1")  # the key withdrawn (leaked?): a new one published under its kid
    monkeypatch.setattr(issuers, "JWKS_TTL_SECONDS", 0)  # the JWKS is read again
    response = whoami(acme.slug, token)
    assert response.status_code == 401
    assert "does not verify" in response.json()["error"]["message"]


def test_an_idp_whose_keys_cannot_be_read_is_not_asked_again_per_token(
    idp, module_tenants, settings, monkeypatch
) -> None:  # fmt: skip
    settings.OIDC_JWKS_MIN_REFETCH_SECONDS = 60
    acme = module_tenants["acme"]
    GroupMapping.objects.create(group="acme-users", grant="member", tenant=acme)
    assert whoami(acme.slug, idp.token("k1", sub="u-6", groups=["acme-users"])).status_code == 200
    idp.jwks_down = True
    monkeypatch.setattr(issuers, "JWKS_TTL_SECONDS", 0)  # every new token re-reads the keys
    asked = idp.jwks_requests
    for n in range(5):
        response = whoami(acme.slug, idp.token("k1", sub=f"u-{n}", groups=["acme-users"]))
        assert response.status_code == 401 and "cannot be reached" in response.text
    assert idp.jwks_requests == asked + 1  # one try, then not again for a minute


def test_cognito_style_audience_in_client_id(idp, module_tenants, settings) -> None:
    settings.OIDC_API_AUDIENCE_CLAIM = "client_id"
    acme = module_tenants["acme"]
    GroupMapping.objects.create(group="acme-users", grant="member", tenant=acme)
    good = idp.token("k1", sub="u-5", client_id="atrium", groups=["acme-users"], aud=None)
    wrong = idp.token("k1", sub="u-5", client_id="other-app", groups=["acme-users"])
    assert whoami(acme.slug, good).status_code == 200
    assert whoami(acme.slug, wrong).status_code == 401


def test_unreachable_idp_is_a_clear_401(settings, module_tenants) -> None:
    settings.OIDC_ISSUER = "http://127.0.0.1:9/nowhere"
    token = jwt.encode(
        {"iss": "http://127.0.0.1:9/nowhere", "sub": "x", "aud": "atrium", "exp": 2**31,
         "iat": 0},
        new_rsa_pem(), algorithm="RS256", headers={"kid": "k"},
    )  # fmt: skip
    response = whoami(module_tenants["acme"].slug, token)
    assert response.status_code == 401
    assert "cannot be reached" in response.json()["error"]["message"]


def test_admin_site_refuses_a_signed_in_person_who_is_not_staff(idp, module_tenants) -> None:
    assert whoami(module_tenants["acme"].slug, idp.token("k1", sub="u-8")).status_code == 403
    browser = Client()
    browser.force_login(ExternalIdentity.objects.get(subject="u-8").user)
    response = browser.get("/admin/", follow=True)
    # Once to the admin's sign-in, which answers: no detour through the IdP, and no loop.
    assert [url for url, _ in response.redirect_chain] == ["/admin/login/?next=/admin/"]
    assert response.status_code == 403
    assert "No access to administration" in response.content.decode()
    assert '<a href="/">Back to Atrium</a>' in response.content.decode()
