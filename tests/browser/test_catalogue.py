"""The catalogue in a real browser: a tenant admin finds a model in the searchable list and asks
for it for one business unit; a platform admin approves it in the grant matrix, in place, and
the tenant sees the unit's grant."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot
from tests.browser.test_sign_in import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"


def test_request_and_approval_in_the_grant_matrix(
    browser, portal_url, make_tenant, make_user
) -> None:
    acme = make_tenant("acme")
    make_user("xena", roles={acme: "admin"})
    make_user("root", is_superuser=True, is_staff=True)

    tenant_admin: Page = browser.new_page()
    sign_in(tenant_admin, portal_url, acme.slug, "xena", "pw-xena-123")
    tenant_admin.get_by_role("link", name="Models", exact=True).click()
    choices = tenant_admin.get_by_test_id("model-choice")
    tenant_admin.get_by_test_id("model-search").fill("claude 3 haiku")
    expect(choices.filter(has_text="amazon.nova-pro-v1:0")).to_be_hidden()
    haiku = choices.filter(has=tenant_admin.locator(f'input[value="{HAIKU}"]'))
    expect(haiku).to_be_visible()
    expect(haiku.get_by_test_id("capabilities")).to_contain_text("tools")
    tenant_admin.get_by_test_id("model-capability").select_option("images")
    expect(haiku).to_be_visible()
    haiku.get_by_role("radio").check()
    tenant_admin.locator("select[name=business_unit]").select_option(label="Operations")
    tenant_admin.get_by_label("Why").fill("Customer FAQ assistant")
    tenant_admin.get_by_role("button", name="Request").click()
    expect(tenant_admin.get_by_test_id("request-row")).to_contain_text("pending")
    screenshot(tenant_admin, "tenant-models")

    platform: Page = browser.new_page()
    sign_in(platform, portal_url, acme.slug, "root", "pw-root-123")
    platform.goto(f"{portal_url}/catalog/grants/")
    cell = platform.locator(f'[data-row="{acme.slug} / Operations"] [data-model="{HAIKU}"]')
    expect(cell).to_have_attribute("data-state", "requested")
    cell.get_by_role("button", name="Approve").click()
    expect(platform.get_by_role("status")).to_contain_text(
        f"people of Operations in {acme.name} can use {HAIKU} now"
    )
    expect(cell).to_have_attribute("data-state", "granted")
    whole = platform.locator(f'[data-row="{acme.slug}"] [data-model="{HAIKU}"]')
    expect(whole).to_have_attribute("data-state", "none")
    screenshot(platform, "grant-matrix")

    tenant_admin.reload()
    expect(tenant_admin.get_by_test_id("request-row")).to_contain_text("approved")
    expect(tenant_admin.get_by_test_id("unit-grant")).to_contain_text(HAIKU)

    cell.get_by_role("button", name="Revoke").click()
    expect(platform.get_by_role("status")).to_contain_text("can no longer use")
    expect(cell).to_have_attribute("data-state", "none")
    platform.goto(f"{portal_url}/audit/?action=model_grant.revoked")
    expect(platform.get_by_test_id("audit-target").first).to_contain_text(
        f"grant: {acme.slug} / Operations → {HAIKU}"
    )
    expect(platform.get_by_test_id("audit-diff").first).to_contain_text("revoked")
