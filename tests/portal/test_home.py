"""The platform's front page, `/`: after signing in, the workspaces a person can open."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

pytestmark = pytest.mark.django_db


def _signed_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_a_member_sees_their_workspaces_with_their_role(module_tenants, make_user) -> None:
    acme, globex = module_tenants["acme"], module_tenants["globex"]
    alice = make_user("alice", roles={acme: "admin"})

    response = _signed_in(alice).get("/")

    assert response.status_code == 200
    page = response.content.decode()
    assert f'<a href="/t/{acme.slug}/">Acme Ltd</a>' in page
    assert "Tenant administrator" in page
    assert globex.slug not in page and "Globex Ltd" not in page
    assert "your-team" not in page


def test_a_platform_administrator_sees_every_workspace(module_tenants) -> None:
    root = get_user_model().objects.create_superuser("root", "root@example.com", "pw-12345-xyz")

    page = _signed_in(root).get("/").content.decode()

    for tenant in module_tenants.values():
        assert f'<a href="/t/{tenant.slug}/">{tenant.name}</a>' in page
    assert "Platform administrator" in page


def test_someone_without_a_workspace_is_told_whom_to_ask(make_user) -> None:
    page = _signed_in(make_user("newcomer")).get("/").content.decode()
    assert "not a member of any workspace yet" in page


def test_a_visitor_is_asked_to_sign_in(module_tenants) -> None:
    page = Client().get("/").content.decode()
    assert "Sign in</a> to see your workspaces" in page
    assert module_tenants["acme"].slug not in page
