"""Every page of a tenant, found in the URL configuration itself (so a new page is covered the
day it lands): a person signed in as another tenant's administrator gets 403 or 404 — never
the page, never a change. The workspace's landing page (where people sign in) is the one page
for everyone, and shows an outsider nothing of the tenant's."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver

from audit.models import AuditEntry
from portal import urls_tenant

pytestmark = pytest.mark.django_db

SAMPLE = {"uuid": "00000000-0000-4000-8000-000000000001", "int": "1", "slug": "x", "str": "1",
          "path": "1"}  # fmt: skip


def page_paths() -> list[str]:
    def sample(route: str) -> str:
        return re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLE[m.group(1) or "str"], route)

    def walk(patterns: list, prefix: str = "") -> list[str]:
        found: list[str] = []
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                found += walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern) and not route.startswith("v1/"):
                found.append(sample(route.lstrip("^").rstrip("$")))
        return found

    return walk(urls_tenant.urlpatterns)


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
    audited = AuditEntry.objects.count()
    for method in ("get", "post"):
        response = getattr(client, method)(f"/t/{globex.slug}/{path}")
        assert response.status_code in (403, 404, 405), (method, response.status_code)
    assert AuditEntry.objects.count() == audited  # nothing changed on globex's behalf
