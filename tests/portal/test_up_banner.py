"""What `up` prints once ready is true for how people sign in: the demo passwords with the
built-in provider, the external provider (and its claim) when OIDC_ISSUER is set; and it links
only to tenants that exist."""

from __future__ import annotations

from types import SimpleNamespace

from portal.management.commands.up import banner_lines

ALICE = SimpleNamespace(username="alice", description="acme admin")
URL = "http://127.0.0.1:9000"
DEMO_TENANTS = ["acme", "globex"]


def test_the_built_in_provider_shows_the_demo_sign_ins() -> None:
    text = "\n".join(banner_lines(URL, 1.0, [(ALICE, "s3cret")], "", DEMO_TENANTS))
    assert "alice / s3cret" in text and "http://127.0.0.1:9000/t/acme/" in text


def test_an_external_provider_shows_no_password(settings) -> None:
    settings.OIDC_GROUPS_CLAIM = "roles"
    issuer = "https://login.example.com/realms/corp"
    text = "\n".join(banner_lines(URL, 1.0, [(ALICE, "s3cret")], issuer, DEMO_TENANTS))
    assert issuer in text and "'roles' claim" in text
    assert "s3cret" not in text and "alice" not in text


def test_without_tenants_no_tenant_is_linked() -> None:
    text = "\n".join(banner_lines(URL, 1.0, [], "", []))
    assert "/t/" not in text and "none yet: manage.py create_tenant adds one" in text


def test_many_tenants_are_counted_past_the_first_few() -> None:
    slugs = [f"t{number:02}" for number in range(12)]
    text = "\n".join(banner_lines(URL, 1.0, [], "", slugs))
    assert f"{URL}/t/t04/" in text and "/t/t05/" not in text and "and 7 more" in text
