"""The catalogue in a real browser: a tenant admin asks, a platform admin decides."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot
from tests.browser.test_sign_in import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"


def test_request_and_approval_in_the_browser(browser, portal_url, make_tenant, make_user) -> None:
    acme = make_tenant("acme")
    make_user("xena", roles={acme: "admin"})
    make_user("root", is_superuser=True, is_staff=True)

    tenant_admin: Page = browser.new_page()
    sign_in(tenant_admin, portal_url, acme.slug, "xena", "pw-xena-123")
    tenant_admin.get_by_role("link", name="Models").click()
    tenant_admin.get_by_label("Model").select_option(HAIKU)
    tenant_admin.get_by_label("Why").fill("Customer FAQ assistant")
    tenant_admin.get_by_role("button", name="Request").click()
    expect(tenant_admin.get_by_test_id("request-row")).to_contain_text("pending")
    screenshot(tenant_admin, "tenant-models")

    platform: Page = browser.new_page()
    sign_in(platform, portal_url, acme.slug, "root", "pw-root-123")
    platform.goto(f"{portal_url}/catalog/requests/")
    request = platform.get_by_test_id("pending-request")
    expect(request).to_contain_text("Customer FAQ assistant")
    request.get_by_label("Comment").fill("Approved for the pilot")
    request.get_by_role("button", name="Approve").click()
    expect(platform.get_by_role("status")).to_contain_text("Approved")
    screenshot(platform, "request-queue")
    platform.goto(f"{portal_url}/catalog/")
    screenshot(platform, "catalogue")

    tenant_admin.reload()
    expect(tenant_admin.get_by_test_id("request-row")).to_contain_text("approved")
    expect(tenant_admin.get_by_role("table").first).to_contain_text(HAIKU)
