"""Rounding (#19): the billing pages and their CSVs show money to the millionth while events keep
9 decimals, so every total they show is the sum of the rows shown (a person re-adding the CSV in
a spreadsheet gets the page's total); the usage API keeps the exact 9-decimal figures."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from metering.rollups import roll_up_usage
from metering.selectors import shown_cost
from tenants.models import Tenant
from tests.metering.events import save_events, usage_event
from tests.metering.test_usage_api import platform_api, tenant_api

pytestmark = pytest.mark.django_db

FIRST_DAY = datetime(2026, 11, 16, tzinfo=UTC)
RANGE = {"start": "2026-11-16", "end": "2026-11-17"}
THIRD = Decimal("0.333333333")
EXACT = "1.666666665"  # 5 x THIRD: shown rounded, 1.666667
SHOWN = Decimal("1.666666")  # day one 4 x THIRD = 1.333333(332), day two 0.333333(333)


@pytest.fixture
def globex(module_tenants) -> Tenant:
    """Globex's calls over two days whose exact total rounds up while its rounded rows add to
    a millionth less: the case seen in a real run."""
    tenant = module_tenants["globex"]
    save_events([
        usage_event(tenant, FIRST_DAY + timedelta(hours=7 * n), model_name="globex-only",
                    cost=THIRD)
        for n in range(5)
    ])  # fmt: skip
    roll_up_usage(until=timezone.now())
    assert shown_cost(Decimal(EXACT)) != SHOWN  # the case this file is about
    return tenant


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def csv_costs(client: Client, path: str, group: str) -> list[Decimal]:
    response = client.get(path, {**RANGE, "group": group, "format": "csv"})
    assert response.status_code == 200
    return [Decimal(row["Cost"]) for row in csv.DictReader(io.StringIO(response.content.decode()))]


def assert_totals_add_the_rows(client: Client, path: str, group: str) -> None:
    """The page's total (the figure at the top, the table's footer, the one group's line) and
    the CSV's column sum are all the sum of the rows shown, never the exact sum rounded."""
    response = client.get(path, {**RANGE, "group": group})
    assert response.status_code == 200
    page, context = response.content.decode(), response.context
    rows = [Decimal(row["cost"]) for row in context["rows"]]
    assert rows == [Decimal("1.333333"), Decimal("0.333333")]
    assert sum(rows) == SHOWN
    assert [total["cost"] for total in context["totals"]] == [f"{SHOWN}"]
    assert [line["cost"] for line in context["by_group"]] == [f"{SHOWN}"]
    assert f'data-testid="total-cost">{SHOWN} <span' in page
    assert f'<td class="num">{SHOWN}</td></tr>' in page  # the footer
    assert "1.666667" not in page
    drawn = [Decimal(cost) for series in context["chart"]["series"] for cost in series["costs"]]
    assert sum(drawn) == SHOWN
    assert sum(csv_costs(client, path, group)) == SHOWN


def test_a_tenants_page_and_csv_total_the_rows_shown(globex, make_user) -> None:
    admin = signed_in(make_user("gus", roles={globex: "admin"}))
    assert_totals_add_the_rows(admin, f"/t/{globex.slug}/billing/", "model")


def test_the_platforms_page_and_csv_total_the_rows_shown(globex, make_user) -> None:
    root = signed_in(make_user("root", is_superuser=True, is_staff=True))
    assert_totals_add_the_rows(root, "/billing/", "tenant")  # from the rollups


def test_the_usage_api_keeps_nine_decimals(globex, make_user) -> None:
    for client, path in (
        (tenant_api(globex, make_user), f"/t/{globex.slug}/v1/usage"),
        (platform_api(make_user), "/api/usage"),
    ):
        body = client.get(path, {**RANGE, "group_by": "day"}).json()
        assert [line["cost"] for line in body["data"]] == ["1.333333332", "0.333333333"]
        assert [total["cost"] for total in body["totals"]] == [EXACT]


@pytest.mark.parametrize(
    ("exact", "shown"),
    [("0.0000005", "0.000001"), ("0.000000499", "0.000000"), ("2.5000015", "2.500002"),
     ("1.666666665", "1.666667"), ("-0.0000005", "-0.000001")],
)  # fmt: skip
def test_money_is_shown_to_the_millionth_half_up(exact: str, shown: str) -> None:
    assert f"{shown_cost(Decimal(exact)):f}" == shown
