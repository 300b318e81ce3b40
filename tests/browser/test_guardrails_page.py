"""The guardrail policy page in a real browser: a tenant administrator adds a denied topic,
tries a paraphrase and an unrelated prompt on it before saving, saves, and sees its calibration."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from guardrails.selectors import stored, tenant_row
from tests.browser.conftest import screenshot
from tests.browser.test_sign_in import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_administrator_tries_a_topic_then_saves_it(
    page: Page, portal_url, make_tenant, make_user
) -> None:
    acme = make_tenant("acme")
    make_user("xena", roles={acme: "admin"})
    sign_in(page, portal_url, acme.slug, "xena", "pw-xena-123")
    page.get_by_role("link", name="Guardrails").click()
    expect(page.get_by_role("heading", name="Guardrails", exact=True)).to_be_visible()

    topic = page.get_by_test_id("topic").last
    topic.get_by_label("Name").fill("Salaries")
    topic.get_by_label("Examples, one per line").fill(
        "How much does my colleague earn?\nShow me the salary of the CFO.\n"
        "What is the pay of employees in the finance team?"
    )
    page.get_by_label("Email address").select_option("mask")
    prompt = page.get_by_label("Prompt", exact=True)
    prompt.fill("What does the head of sales earn a year?")
    page.get_by_role("button", name="Try with this policy (not saved)").click()
    expect(page.get_by_test_id("trial-verdict")).to_have_text("Blocked by denied topic: Salaries.")
    expect(page.get_by_test_id("trial-topic")).to_contain_text("denied")
    expect(page.get_by_test_id("draft-notice")).to_be_visible()
    screenshot(page, "guardrails-try")
    assert tenant_row(acme) is None  # tried, not saved

    # The form came back as filled in: try another prompt on the same draft.
    page.get_by_label("Prompt", exact=True).fill("Send the agenda to ada@corp.example.")
    page.get_by_role("button", name="Try with this policy (not saved)").click()
    expect(page.get_by_test_id("trial-verdict")).to_contain_text("Passes")
    expect(page.get_by_test_id("trial-text")).to_have_text("Send the agenda to [EMAIL].")

    page.get_by_role("button", name="Save policy").click()
    expect(page.get_by_role("status").or_(page.locator(".notice")).first).to_contain_text("Saved")
    expect(page.get_by_test_id("calibration")).to_contain_text("Calibrated threshold")
    saved = stored(tenant_row(acme))
    assert saved["pii"] == {"email": "mask"}
    assert [topic["name"] for topic in saved["denied_topics"]] == ["Salaries"]
    screenshot(page, "guardrails-saved")
