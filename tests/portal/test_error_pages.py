"""Refusals on pages (404, 403): a page in the portal's own look that says what happened and
leads back to the person's workspaces, never a bare "Not Found"; another tenant's page answers
exactly as a tenant that does not exist; the APIs keep their JSON errors."""

from __future__ import annotations

import re

import pytest
from django.test import Client, RequestFactory

from portal.views import permission_denied

pytestmark = pytest.mark.django_db


def _signed_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def _without_csrf_token(page: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)


def test_a_member_opening_an_admin_page_is_led_back_to_the_workspace(
    module_tenants, make_user
) -> None:
    acme = module_tenants["acme"]
    bob = make_user("bob", roles={acme: "member"})

    response = _signed_in(bob).get(f"/t/{acme.slug}/budgets/")

    assert response.status_code == 404
    page = response.content.decode()
    assert "<title>Page not found · Atrium</title>" in page
    assert "for the workspace&#x27;s administrators" in page
    assert f'<a class="button" href="/t/{acme.slug}/">Back to Acme Ltd</a>' in page
    assert f'<a href="/t/{acme.slug}/">Acme Ltd</a>' in page  # among their workspaces
    assert 'data-testid="signed-in-user">bob<' in page


def test_another_tenants_page_answers_as_a_tenant_that_does_not_exist(
    module_tenants, make_user
) -> None:
    acme, globex = module_tenants["acme"], module_tenants["globex"]
    client = _signed_in(make_user("mallory", roles={acme: "admin"}))

    theirs = client.get(f"/t/{globex.slug}/budgets/")
    nobodys = client.get("/t/no-such-tenant/budgets/")

    assert theirs.status_code == nobodys.status_code == 404
    page = theirs.content.decode()
    assert _without_csrf_token(page) == _without_csrf_token(nobodys.content.decode())
    assert globex.slug not in page and "Globex" not in page
    assert "There is no such page, or it is not yours to open." in page
    assert f'<a href="/t/{acme.slug}/">Acme Ltd</a>' in page  # the way back to their own
    assert 'data-testid="signed-in-user">mallory<' in page


def test_a_missing_platform_page_is_styled_too(make_user) -> None:
    response = _signed_in(make_user("carol")).get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert '<a class="brand" href="/">Atrium</a>' in page
    assert "not a member of any workspace yet" in page


def test_a_403_is_a_page_with_the_way_back(module_tenants, make_user) -> None:
    acme = module_tenants["acme"]
    request = RequestFactory().get("/somewhere/")
    request.user = make_user("dave", roles={acme: "member"})

    response = permission_denied(request, PermissionError())

    assert response.status_code == 403
    page = response.content.decode()
    assert "Your account may not open this page." in page
    assert f'<a href="/t/{acme.slug}/">Acme Ltd</a>' in page


def test_apis_keep_their_json_errors(module_tenants) -> None:
    acme = module_tenants["acme"]
    for path in ("/api/no-such-endpoint/", f"/t/{acme.slug}/v1/no-such-endpoint"):
        response = Client().get(path)
        assert response.status_code in (401, 404), path
        assert response["Content-Type"].startswith("application/json"), path
        assert "error" in response.json(), path
