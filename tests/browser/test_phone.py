"""The portal on a phone (390 px wide): the menu folds behind a real button, no page scrolls
sideways, and the billing and audit tables keep their cost and target within reach."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from budgets.services import set_budget
from tests.browser.conftest import csp_violations, screenshot
from tests.browser.test_sign_in import sign_in
from tests.metering.events import save_events, usage_event

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
LONG_MODEL = "anthropic.claude-3-5-sonnet-20240620-v1:0-with-a-very-long-deployment-name"
PAGES = [
    "",
    "billing/",
    "budgets/",
    "audit/",
    "evaluations/",
    "invocations/",
    "members/",
    "guardrails/",
]

# Elements past the screen's right edge, but for those inside a region that scrolls or clips
# them (a wide table's region, a <pre>): the page itself must not scroll sideways.
OVERFLOW = """() => {
  const clipped = (e) => {
    for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== "visible") return true;
    }
    return false;
  };
  return {
    page: document.documentElement.scrollWidth,
    viewport: window.innerWidth,
    wider: [...document.querySelectorAll("body *")]
        .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1 && !clipped(e))
        .map((e) => e.tagName + (e.className ? "." + e.className : "")).slice(0, 5),
  };
}"""


def within_screen(page: Page, selector: str) -> bool:
    """Whether the element is wholly on screen once scrolled to (its own region scrolling)."""
    element = page.locator(selector).first
    element.scroll_into_view_if_needed()
    box = element.bounding_box()
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]


def test_a_phone_gets_a_menu_button_and_nothing_wider_than_the_screen(
    browser: Browser, portal_url: str, make_tenant, make_user
) -> None:
    acme = make_tenant("acme")
    make_user("ada", roles={acme: "admin"})
    now = timezone.now()
    save_events([
        usage_event(acme, now - timedelta(minutes=n), model_name=model, cost=Decimal("0.75"))
        for n, model in enumerate([LONG_MODEL, "small-model", LONG_MODEL])
    ])  # fmt: skip
    set_budget(tenant=acme, business_unit=None, monthly_limit="50", currency="USD", actor="ada")

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    refused = csp_violations(page)
    sign_in(page, portal_url, acme.slug, "ada", "pw-ada-123")
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()  # a laptop shows the menu
    page.set_viewport_size(PHONE)

    menu = page.get_by_role("button", name="Menu")
    tenant_nav = page.get_by_role("navigation", name="Tenant")
    expect(menu).to_be_visible()
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(tenant_nav).to_be_hidden()
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(tenant_nav.get_by_role("link", name="Billing")).to_be_visible()
    screenshot(page, "phone-menu-open")
    page.keyboard.press("Escape")
    expect(tenant_nav).to_be_hidden()
    expect(menu).to_be_focused()

    base = f"{portal_url}/t/{acme.slug}/"
    for path in PAGES:
        page.goto(base + path)
        sizes = page.evaluate(OVERFLOW)
        assert sizes["page"] <= sizes["viewport"] and sizes["wider"] == [], (path, sizes)
        screenshot(page, "phone-" + (path.strip("/") or "home"))

    page.goto(base + "billing/")
    for table in ("by-group", "daily"):  # the cost is on screen without scrolling sideways
        box = page.locator(f"[data-testid={table}] th:text-is('Cost')").bounding_box()
        assert box is not None and box["x"] + box["width"] <= PHONE["width"], (table, box)
    expect(page.locator("[data-testid=daily] th:text-is('Input tokens')")).to_be_hidden()
    assert within_screen(page, "[data-testid=daily-row] td:last-child")
    page.goto(base + "audit/")
    expect(page.locator("main table").first).to_be_visible()
    assert within_screen(page, "main th:text-is('Target')")
    region = page.locator(".table-scroll").first
    if page.evaluate("() => { const r = document.querySelector('.table-scroll');"
                     " return r.scrollWidth > r.clientWidth; }"):  # fmt: skip
        expect(region).to_have_attribute("tabindex", "0")  # the keyboard can scroll it too
        expect(region).to_have_attribute("role", "region")
    context.close()
    assert refused == [], refused
