"""Every page of a tenant, found in the URL configuration itself (so a new page is covered the
day it lands): a person signed in as another tenant's administrator gets 403 or 404 — never
the page, never a change. The workspace's landing page (where people sign in) is the one page
for everyone, and shows an outsider nothing of the tenant's."""

from __future__ import annotations

import pytest
from django.test import Client

from audit.models import AuditEntry
from portal import urls_tenant
from tests.url_routes import sample_paths

pytestmark = pytest.mark.django_db


def page_paths() -> list[str]:
    return [
        path
        for path in sample_paths(urls_tenant.urlpatterns, lambda route: True)
        if not path.startswith("v1/")
    ]


def test_the_workspace_landing_page_shows_an_outsider_nothing_but_its_name(
    module_tenants, make_user
) -> None:
    """The one page for everyone: where people sign in to the workspace."""
    acme, globex = module_tenants["acme"], module_tenants["globex"]
    client = Client()
    client.force_login(make_user("mallory", roles={acme: "admin"}))
    shown = client.get(f"/t/{globex.slug}/").content.decode()
    assert "no role in this workspace" in shown
    assert "Business units" not in shown and "Activity" not in shown


def test_there_are_pages_to_check() -> None:
    paths = page_paths()
    assert "playground/" in paths and "budgets/" in paths and len(paths) > 20


@pytest.mark.parametrize("path", [path for path in page_paths() if path])
def test_another_tenants_admin_gets_nothing(path, module_tenants, make_user) -> None:
    acme, globex = module_tenants["acme"], module_tenants["globex"]
    client = Client()
    client.force_login(make_user("mallory", roles={acme: "admin"}))
    audited = AuditEntry.objects.unscoped().count()
    for method in ("get", "post"):
        response = getattr(client, method)(f"/t/{globex.slug}/{path}")
        assert response.status_code in (403, 404, 405), (method, response.status_code)
    assert AuditEntry.objects.unscoped().count() == audited  # nothing changed on globex's behalf
