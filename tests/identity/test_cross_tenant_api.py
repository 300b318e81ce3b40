"""Every endpoint of the tenant API, found in the URL configuration itself (so a new endpoint is
covered the day it lands): another tenant's token is refused with 403, no token with 401."""

from __future__ import annotations

import pytest
from django.test import Client

from identity.services import create_service_account, mint_member_token
from identity.tokens import SERVICE_ACCOUNT, sign_access_token
from portal import urls_tenant
from tests.url_routes import sample_paths

pytestmark = pytest.mark.django_db


def api_paths() -> list[str]:
    return [
        path
        for path in sample_paths(urls_tenant.urlpatterns, lambda route: True)
        if path.startswith("v1/")
    ]


# Tenant URLs that only platform administrators may use (a tenant's own admin gets 403 too).
PLATFORM_ONLY = {"v1/knowledge-bases/1/shares"}


def test_the_api_has_endpoints_to_check() -> None:
    assert "v1/whoami" in api_paths()


@pytest.mark.parametrize("path", api_paths())
@pytest.mark.parametrize("method", ["get", "post"])
def test_another_tenants_person_is_refused(path, method, module_tenants, make_user) -> None:
    acme, globex = module_tenants["acme"], module_tenants["globex"]
    token = mint_member_token(user=make_user("mallory", roles={acme: "admin"}), tenant=acme)
    response = getattr(Client(), method)(
        f"/t/{globex.slug}/{path}", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == 403
    assert response.json()["error"]["type"] == "permission_error"


@pytest.mark.parametrize("path", api_paths())
def test_another_tenants_service_account_is_refused(path, module_tenants) -> None:
    acme, globex = module_tenants["acme"], module_tenants["globex"]
    # An administrator account: on its own tenant, admin-only endpoints answer too.
    account, _ = create_service_account(tenant=acme, name="robot", role="admin")
    token = sign_access_token(
        subject=account.client_id,
        extra_claims={"principal": SERVICE_ACCOUNT, "client_id": account.client_id},
    )  # no tenant claim: the account's own tenant still decides
    response = Client().get(f"/t/{globex.slug}/{path}", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 403
    own = Client().get(f"/t/{acme.slug}/{path}", HTTP_AUTHORIZATION=f"Bearer {token}")
    if path in PLATFORM_ONLY:
        assert (
            own.status_code == 403 and "platform administrators" in own.json()["error"]["message"]
        )
    else:
        assert own.status_code in {200, 400, 404, 405}  # 404: the id "1" names nothing of acme's


@pytest.mark.parametrize("path", api_paths())
def test_no_token_is_401(path, module_tenants) -> None:
    response = Client().get(f"/t/{module_tenants['acme'].slug}/{path}")
    assert response.status_code == 401


def test_platform_admin_reaches_every_tenant(module_tenants, make_user) -> None:
    admin = make_user("root", is_superuser=True, is_staff=True)
    for tenant in module_tenants.values():
        token = sign_access_token(subject=str(admin.pk), extra_claims={"principal": "user"})
        response = Client().get(f"/t/{tenant.slug}/v1/whoami", HTTP_AUTHORIZATION=f"Bearer {token}")
        assert response.json()["role"] == "platform_admin"
