"""Signing in through OpenID Connect in a real browser, then taking an API token."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import csp_violations, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page: Page, portal_url: str, slug: str, username: str, password: str) -> None:
    page.goto(f"{portal_url}/t/{slug}/")
    page.get_by_role("link", name="Sign in").first.click()
    expect(page.get_by_role("heading", name="Sign in to Atrium")).to_be_visible()
    screenshot(page, "idp-login")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_person_signs_in_and_takes_an_api_token(page: Page, portal_url, make_tenant, make_user):
    acme = make_tenant("acme")
    make_user("lena", roles={acme: "member"})

    sign_in(page, portal_url, acme.slug, "lena", "pw-lena-123")
    expect(page).to_have_url(f"{portal_url}/t/{acme.slug}/")
    expect(page.get_by_test_id("signed-in-user")).to_have_text("lena")
    expect(page.get_by_test_id("tenant-role")).to_have_text("Member")
    screenshot(page, "tenant-home")

    page.get_by_role("link", name="API access").click()
    expect(page.get_by_test_id("api-base")).to_have_text(f"{portal_url}/t/{acme.slug}/v1")
    refused = csp_violations(page)
    page.get_by_test_id("get-token").click()
    token = page.get_by_test_id("token").input_value()
    screenshot(page, "api-access")
    # The copy button's script runs under the Content-Security-Policy (it carries the nonce).
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=portal_url)
    page.get_by_role("button", name="Copy").click()
    assert page.evaluate("navigator.clipboard.readText()") == token
    assert refused == []

    whoami = httpx.get(
        f"{portal_url}/t/{acme.slug}/v1/whoami", headers={"Authorization": f"Bearer {token}"}
    )
    assert whoami.status_code == 200
    assert whoami.json()["principal"]["name"] == "lena"


def test_wrong_password_is_told_plainly(page: Page, portal_url, make_tenant, make_user) -> None:
    acme = make_tenant("acme")
    make_user("milo", roles={acme: "member"})
    sign_in(page, portal_url, acme.slug, "milo", "wrong")
    expect(page.get_by_role("alert")).to_contain_text("do not match")


def test_tenant_admin_registers_a_service_account(page: Page, portal_url, make_tenant, make_user):
    acme = make_tenant("acme")
    make_user("nora", roles={acme: "admin"})
    sign_in(page, portal_url, acme.slug, "nora", "pw-nora-123")
    expect(page.get_by_test_id("tenant-role")).to_have_text("Tenant administrator")
    page.get_by_role("link", name="Service accounts").click()
    page.get_by_label("Name").fill("nightly-batch")
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_test_id("created-secret")).to_contain_text("never shown again")
    screenshot(page, "service-accounts")
