"""Billing in a real browser: the chart is drawn, the range changes, the CSV downloads."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from metering.rollups import roll_up_usage
from tests.browser.conftest import csp_violations, screenshot
from tests.browser.test_sign_in import sign_in
from tests.metering.events import save_events, usage_event

pytestmark = pytest.mark.django_db(transaction=True)

MODELS = [
    ("anthropic.claude-3-5-sonnet", "bedrock-eu", Decimal("0.084")),
    ("anthropic.claude-3-haiku", "bedrock-eu", Decimal("0.0061")),
    ("gpt-4o", "azure-eu", Decimal("0.052")),
    ("amazon.titan-embed-text-v2", "bedrock-eu", Decimal("0.000035")),
]
PEOPLE = ["alice", "bob", "carmen", "dmitri"]

CHART = """() => {
    const chart = Chart.getChart("billing-chart");
    const canvas = document.getElementById("billing-chart");
    const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    let painted = 0;
    for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] > 0) painted++; }
    return {
        datasets: chart ? chart.data.datasets.length : 0,
        days: chart ? chart.data.labels.length : 0,
        painted: painted,
    };
}"""


def fortnight_of_usage(tenants: list, today: datetime) -> None:
    """Calls on each of the last 14 days, more on weekdays, for each tenant."""
    events = []
    for days_ago in range(14):
        day = today - timedelta(days=days_ago)
        calls = 3 if day.weekday() < 5 else 1
        for t, tenant in enumerate(tenants):
            for m, (model, provider, cost) in enumerate(MODELS[t:]):
                events += [
                    usage_event(tenant, day + timedelta(hours=1 + n), model_name=model,
                                provider_name=provider, principal_name=PEOPLE[(n + m) % 4],
                                principal_id=(n + m) % 4, cost=cost * (10 + days_ago % 5 + n))
                    for n in range(calls + m)
                ]  # fmt: skip
    save_events(events)
    roll_up_usage(until=timezone.now())


def chart_state(page: Page) -> dict[str, int]:
    page.wait_for_function(
        "() => typeof Chart !== 'undefined' && Chart.getChart('billing-chart') !== undefined"
    )
    return page.evaluate(CHART)


def test_platform_admin_reads_billing_in_the_browser(
    browser, portal_url, make_tenant, make_user, tmp_path: Path
) -> None:
    acme, globex = make_tenant("acme"), make_tenant("globex")
    make_user("root", is_superuser=True, is_staff=True)
    make_user("xena", roles={acme: "admin"})
    today = datetime.combine(timezone.now().date(), datetime.min.time(), tzinfo=UTC)
    fortnight_of_usage([acme, globex], today)
    first = (today - timedelta(days=13)).date().isoformat()

    platform: Page = browser.new_page(viewport={"width": 1280, "height": 900})
    refused = csp_violations(platform)  # the chart library runs under the policy
    sign_in(platform, portal_url, acme.slug, "root", "pw-root-123")
    platform.goto(f"{portal_url}/t/{acme.slug}/")
    platform.get_by_role("link", name="Platform").click()
    platform.get_by_role("link", name="Billing").click()
    expect(platform.get_by_role("heading", name="Billing")).to_be_visible()
    drawn = chart_state(platform)
    assert drawn["datasets"] == 2  # by tenant, the default
    assert drawn["days"] == today.day  # the month to date
    assert drawn["painted"] > 1000

    platform.get_by_label("From", exact=True).fill(first)
    platform.get_by_label("Group by").select_option("model")
    platform.get_by_role("button", name="Show").click()
    expect(platform).to_have_url(f"{portal_url}/billing/?start={first}&end={today:%Y-%m-%d}"
                                 "&group=model")  # fmt: skip
    drawn = chart_state(platform)
    assert drawn == {"datasets": len(MODELS), "days": 14, "painted": drawn["painted"]}
    assert drawn["painted"] > 1000
    shown = platform.get_by_test_id("daily-row").count()
    screenshot(platform, "platform-billing")

    with platform.expect_download() as download_info:
        platform.get_by_test_id("csv-link").click()
    download = download_info.value
    assert download.suggested_filename.endswith(f"-{first}-to-{today:%Y-%m-%d}-by-model.csv")
    saved = tmp_path / "billing.csv"
    download.save_as(saved)
    with saved.open(newline="") as file:
        rows = list(csv.DictReader(file))
    assert len(rows) == shown
    assert {row["Model"] for row in rows} == {model for model, _, _ in MODELS}
    assert sum(Decimal(row["Cost"]) for row in rows) > 0

    tenant_admin: Page = browser.new_page(viewport={"width": 1280, "height": 900})
    refused_too = csp_violations(tenant_admin)
    sign_in(tenant_admin, portal_url, acme.slug, "xena", "pw-xena-123")
    tenant_admin.goto(f"{portal_url}/t/{acme.slug}/billing/?start={first}&group=person")
    drawn = chart_state(tenant_admin)
    assert drawn["datasets"] == len(PEOPLE) and drawn["painted"] > 1000
    expect(tenant_admin.get_by_test_id("by-group")).not_to_contain_text("Globex")
    screenshot(tenant_admin, "tenant-billing")

    tenant_admin.get_by_label("From", exact=True).fill(f"{today:%Y-%m-%d}")
    tenant_admin.get_by_label("To", exact=True).fill(first)
    tenant_admin.get_by_role("button", name="Show").click()
    expect(tenant_admin.get_by_role("alert")).to_contain_text("on or before the end date")
    screenshot(tenant_admin, "tenant-billing-bad-range")
    assert refused + refused_too == []
