"""Accessibility in a real browser: axe-core (the script axe-playwright-python ships) scans the
pages people live in, as a tenant administrator (light mode) and a platform administrator (dark
mode), and finds nothing serious or critical; the skip link comes first; the favicon is served."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from activity.services import record_activity
from budgets.services import set_budget
from tenants.schemas import in_tenant_schema
from tests.browser.conftest import csp_violations, screenshot
from tests.browser.test_sign_in import sign_in
from tests.metering.events import save_events, usage_event

pytestmark = pytest.mark.django_db(transaction=True)

BLOCKING = {"serious", "critical"}

# Violations on pages other engineers own, allowed here until their templates or styles are
# fixed: page -> (rule id, selector). Remove an entry once it is fixed; the test then holds it.
ALLOWED: dict[str, set[tuple[str, str]]] = {}

TENANT_PAGES = {
    "home": "",
    "models": "models/",
    "billing": "billing/",
    "budgets": "budgets/",
    "audit": "audit/",
    "api-access": "api-access/",
    "knowledge": "knowledge/",
    "playground": "playground/",
    "evaluations": "evaluations/",
    "invocations": "invocations/",
    "guardrails": "guardrails/",
}
# A platform administrator (in dark mode) sees a tenant's pages with more on them.
TENANT_PAGES_DARK = {
    f"dark-{name}": TENANT_PAGES[name]
    for name in ("home", "budgets", "knowledge", "playground", "evaluations")
}
PLATFORM_PAGES = {
    "platform-home": "/",
    "platform-models": "/catalog/",
    "platform-billing": "/billing/",
    "platform-audit": "/audit/",
    "platform-api-access": "/api-access/",
}


def blocking_violations(page: Page, name: str) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now, one line per node
    (rule, selector, page), less those allowed for pages other engineers own."""
    results = Axe().run(page)
    allowed = ALLOWED.get(name, set())
    return [
        f"{violation['id']} ({violation['impact']}) {target} on {name}"
        for violation in results.response["violations"]
        if violation["impact"] in BLOCKING
        for target in (", ".join(map(str, node["target"])) for node in violation["nodes"])
        if (violation["id"], target) not in allowed
    ]


def scan(page: Page, pages: dict[str, str], base: str) -> list[str]:
    found: list[str] = []
    for name, path in pages.items():
        response = page.goto(f"{base}{path}")
        assert response is not None and response.status == 200, (name, response)
        found += blocking_violations(page, name)
        screenshot(page, f"a11y-{name}")
    return found


@pytest.fixture
def lived_in(make_tenant, make_user) -> Any:
    """A workspace in use: calls this month, a budget (audited), some activity."""
    acme = make_tenant("acme")
    make_user("ada", roles={acme: "admin"})
    make_user("root", is_superuser=True, is_staff=True)
    now = timezone.now()
    save_events([
        usage_event(acme, now - timedelta(minutes=m), model_name=model, cost=Decimal(cost))
        for m, (model, cost) in enumerate([("big-model", "1.25"), ("small-model", "0.0031")] * 3)
    ])  # fmt: skip
    set_budget(tenant=acme, business_unit=None, monthly_limit="50", currency="USD", actor="ada")
    with in_tenant_schema(acme):
        record_activity(kind="note", message="Budget set to USD 50", actor="ada")
    return acme


def test_pages_have_no_serious_accessibility_violations(
    browser: Browser, portal_url: str, lived_in: Any
) -> None:
    acme = lived_in
    light = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="light")
    admin = light.new_page()
    refused = csp_violations(admin)
    sign_in(admin, portal_url, acme.slug, "ada", "pw-ada-123")
    expect(admin.get_by_test_id("tenant-role")).to_have_text("Tenant administrator")

    # The skip link is the first thing the keyboard reaches, and it lands on the content.
    admin.keyboard.press("Tab")
    expect(admin.locator(":focus")).to_have_text("Skip to content")
    admin.keyboard.press("Enter")
    expect(admin.locator(":focus")).to_have_id("content")

    icon = admin.locator("link[rel=icon]").get_attribute("href")
    assert icon is not None
    served = httpx.get(f"{portal_url}{icon}")
    assert served.status_code == 200 and served.headers["content-type"] == "image/svg+xml"
    assert served.text.startswith("<svg")

    found = scan(admin, TENANT_PAGES, f"{portal_url}/t/{acme.slug}/")
    light.close()

    dark = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="dark")
    root = dark.new_page()
    refused += csp_violations(root)
    sign_in(root, portal_url, acme.slug, "root", "pw-root-123")
    expect(root.get_by_test_id("tenant-role")).to_have_text("Platform administrator")
    found += scan(root, TENANT_PAGES_DARK, f"{portal_url}/t/{acme.slug}/")
    found += scan(root, PLATFORM_PAGES, portal_url)
    dark.close()

    assert found == [], "\n".join(found)
    assert refused == [], refused


def test_the_accent_keeps_its_contrast_in_dark_mode(browser: Browser, portal_url: str) -> None:
    """Accent text (the brand) against the page, and button text against the accent: 4.5:1."""
    context = browser.new_context(color_scheme="dark")
    page = context.new_page()
    page.goto(f"{portal_url}/")
    ratios = page.evaluate(CONTRAST)
    context.close()
    assert ratios["brand"] >= 4.5, ratios
    assert ratios["button"] >= 4.5, ratios


CONTRAST = """() => {
    const rgb = (css) => css.match(/[\\d.]+/g).slice(0, 3).map(Number);
    const luminance = ([r, g, b]) => {
        const [R, G, B] = [r, g, b].map((c) => {
            c /= 255;
            return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
        });
        return 0.2126 * R + 0.7152 * G + 0.0722 * B;
    };
    const ratio = (a, b) => {
        const [x, y] = [luminance(rgb(a)), luminance(rgb(b))].sort((p, q) => q - p);
        return (x + 0.05) / (y + 0.05);
    };
    const page = getComputedStyle(document.body).backgroundColor;
    const canvas = page === "rgba(0, 0, 0, 0)" ? "rgb(18, 18, 18)" : page;
    const brand = getComputedStyle(document.querySelector(".brand")).color;
    const probe = document.createElement("button");
    document.body.append(probe);
    const style = getComputedStyle(probe);
    return {brand: ratio(brand, canvas), button: ratio(style.color, style.backgroundColor)};
}"""
