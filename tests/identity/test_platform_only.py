"""Every page and API endpoint of the platform's own site, found in its URL configuration (so a
new one is covered the day it lands), refuses a tenant's administrator — signed in, or with a
bearer token — except the few that are for everyone (sign-in, probes, the API's schema)."""

from __future__ import annotations

import pytest
from django.test import Client

from audit.models import AuditEntry
from identity.services import mint_member_token
from portal import urls_public
from tests.url_routes import sample_paths

pytestmark = pytest.mark.django_db

FOR_EVERYONE = ("", "healthz", "readyz", "metrics", "oidc/", "idp/", "api/schema/", "api/docs/")


def platform_paths() -> list[str]:
    def keep(route: str) -> bool:
        return route not in FOR_EVERYONE and not route.startswith(("oidc/", "idp/", "admin/"))

    return sample_paths(urls_public.urlpatterns, keep)


def test_there_are_platform_paths_to_check() -> None:
    paths = platform_paths()
    assert {"billing/", "audit/", "catalog/", "api/guardrails/floor"} <= set(paths)
    assert any(path.startswith("api/registry/") for path in paths)


@pytest.mark.parametrize("path", platform_paths())
def test_a_tenant_admin_is_refused(path, module_tenants, make_user) -> None:
    acme = module_tenants["acme"]
    admin = make_user("tess", roles={acme: "admin"})
    signed_in = Client()
    signed_in.force_login(admin)
    bearer = Client(HTTP_AUTHORIZATION=f"Bearer {mint_member_token(user=admin, tenant=acme)}")
    audited = AuditEntry.objects.unscoped().count()
    for client in (signed_in, bearer):
        answers = [client.get(f"/{path}")] + [
            getattr(client, method)(f"/{path}", "{}", content_type="application/json")
            for method in ("post", "put")
        ]
        for answer in answers:
            if client is bearer and not path.startswith("api/") and answer.status_code != 405:
                assert answer.status_code == 302  # pages know sessions only: sign in first
                assert answer["Location"].startswith("/oidc/authenticate/")
                continue
            assert answer.status_code in (401, 403, 404, 405), (answer.request, answer.status_code)
    assert AuditEntry.objects.unscoped().count() == audited


def test_the_admin_site_sends_a_tenant_admin_to_sign_in(module_tenants, make_user) -> None:
    client = Client()
    client.force_login(make_user("tess", roles={module_tenants["acme"]: "admin"}))
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
