"""What `up` prints once ready is true for how people sign in: the demo passwords with the
built-in provider, the external provider (and its claim) when OIDC_ISSUER is set."""

from __future__ import annotations

from types import SimpleNamespace

from portal.management.commands.up import banner_lines

ALICE = SimpleNamespace(username="alice", description="acme admin")


def test_the_built_in_provider_shows_the_demo_sign_ins() -> None:
    text = "\n".join(banner_lines("http://127.0.0.1:9000", 1.0, [(ALICE, "s3cret")], ""))
    assert "alice / s3cret" in text and "http://127.0.0.1:9000/t/acme/" in text


def test_an_external_provider_shows_no_password(settings) -> None:
    settings.OIDC_GROUPS_CLAIM = "roles"
    issuer = "https://login.example.com/realms/corp"
    text = "\n".join(banner_lines("http://127.0.0.1:9000", 1.0, [(ALICE, "s3cret")], issuer))
    assert issuer in text and "'roles' claim" in text
    assert "s3cret" not in text and "alice" not in text
