"""Billing pages: the numbers shown and downloaded are the events' sums, and a tenant's
administrators see their own tenant's costs only."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from metering.models import UsageEvent
from metering.rollups import roll_up_usage
from tenants.models import BusinessUnit, Tenant
from tests.metering.events import save_events, usage_event

pytestmark = pytest.mark.django_db

FIRST_DAY = datetime(2026, 10, 5, tzinfo=UTC)
RANGE = {"start": "2026-10-05", "end": "2026-10-07"}
GLOBEX_MODEL = "globex-secret-model"
GLOBEX_PERSON = "gustav-of-globex"


@pytest.fixture
def usage(module_tenants) -> dict[str, Tenant]:
    """Three days of both tenants' calls: several models, people, a service account, a business
    unit, a failed unpriced call, and calls just outside the range."""
    acme, globex = module_tenants["acme"], module_tenants["globex"]
    unit = BusinessUnit.objects.get(tenant=acme)
    people = [
        {"principal_id": 1, "principal_name": "alice"},
        {"principal_id": 2, "principal_name": "bob", "business_unit_id": unit.pk},
        {"principal_type": "service_account", "principal_id": 7, "principal_name": "nightly"},
    ]
    events = [
        usage_event(acme, FIRST_DAY + timedelta(hours=2 * n),
                    model_name=("acme-chat", "acme-embed")[n % 2],
                    provider_name=("bedrock-eu", "azure-eu")[n % 2],
                    cost=Decimal("0.012345") * (n + 1), **people[n % 3])
        for n in range(36)
    ]  # fmt: skip
    events += [
        usage_event(globex, FIRST_DAY + timedelta(hours=n * 5), model_name=GLOBEX_MODEL,
                    principal_name=GLOBEX_PERSON, principal_id=99, cost=Decimal("1.5"))
        for n in range(10)
    ]  # fmt: skip
    events += [
        usage_event(acme, FIRST_DAY + timedelta(hours=30), status="error", cost=None, currency="",
                    input_price_per_million=None, output_price_per_million=None),
        usage_event(acme, FIRST_DAY - timedelta(seconds=1), cost=Decimal(1000)),  # the day before
        usage_event(acme, FIRST_DAY + timedelta(days=3), cost=Decimal(1000)),  # the day after
    ]  # fmt: skip
    save_events(events)
    roll_up_usage(until=timezone.now())
    return {"acme": acme, "globex": globex}


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def in_range(**filters: object) -> list[UsageEvent]:
    return list(
        UsageEvent.objects.unscoped().filter(
            started_at__gte=FIRST_DAY, started_at__lt=FIRST_DAY + timedelta(days=3), **filters
        )
    )


def event_costs(events: Iterable[UsageEvent], key: Callable[[UsageEvent], str]) -> dict:
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for event in events:
        if event.currency:
            sums[key(event)] += event.cost
    return dict(sums)


def download(client: Client, path: str, **query: str) -> list[dict[str, str]]:
    response = client.get(path, {**RANGE, **query, "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment; filename=")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def csv_costs(rows: list[dict[str, str]], column: str) -> dict[str, Decimal]:
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        if row["Currency"] != "unpriced":
            sums[row[column]] += Decimal(row["Cost"])
    return dict(sums)


@pytest.mark.parametrize(
    ("group", "column", "key"),
    [
        ("tenant", "Tenant", lambda e: Tenant.objects.get(pk=e.tenant_id).name),
        ("provider", "Provider", lambda e: e.provider_name),
        ("model", "Model", lambda e: e.model_name),
    ],
)
def test_platform_csv_sums_equal_the_events(usage, make_user, group, column, key) -> None:
    root = signed_in(make_user("root", is_superuser=True, is_staff=True))
    rows = download(root, "/billing/", group=group)
    assert csv_costs(rows, column) == event_costs(in_range(), key)
    assert sum(int(row["Calls"]) for row in rows) == len(in_range())


def test_platform_page_shows_totals_chart_data_and_the_csvs_rows(usage, make_user) -> None:
    root = signed_in(make_user("root", is_superuser=True, is_staff=True))
    response = root.get("/billing/", {**RANGE, "group": "business_unit"})
    assert response.status_code == 200
    page = response.content.decode()
    events = in_range()
    total = sum(e.cost for e in events if e.currency)
    assert total == Decimal("23.22177")  # 0.012345 x (1 + ... + 36) + 10 x 1.5
    assert '<div class="value" data-testid="total-cost">23.22177 <span' in page
    assert f'data-testid="total-calls">{len(events)}<' in page
    assert "1 calls had no price" in page
    assert 'id="billing-data"' in page and "chart-4.5.1.umd.min.js" in page
    chart = response.context["chart"]
    assert chart["days"] == ["2026-10-05", "2026-10-06", "2026-10-07"]
    drawn = sum(Decimal(cost) for series in chart["series"] for cost in series["costs"])
    assert drawn == total
    rows = download(root, "/billing/", group="business_unit")
    assert page.count('data-testid="daily-row"') == len(rows)
    for row in rows:
        assert f"<td>{row['Business unit']}</td>" in page
    assert {row["Business unit"] for row in rows} == {
        "Acme Ltd / Operations", "Acme Ltd / No business unit", "Globex Ltd / No business unit",
    }  # fmt: skip
    assert 'href="?start=2026-10-05&amp;end=2026-10-07&amp;group=business_unit&amp;format=csv"' in (
        page
    )


def test_platform_page_reads_a_bounded_number_of_queries(
    usage, make_user, django_assert_max_num_queries
) -> None:
    root = signed_in(make_user("root", is_superuser=True, is_staff=True))
    with django_assert_max_num_queries(9):
        assert root.get("/billing/", {**RANGE, "group": "business_unit"}).status_code == 200


@pytest.mark.parametrize(
    ("group", "column", "key"),
    [
        ("model", "Model", lambda e: e.model_name),
        ("person", "Person", lambda e: e.principal_name
         + (" (service account)" if e.principal_type != "user" else "")),
        ("business_unit", "Business unit", lambda e: "Operations" if e.business_unit_id
         else "No business unit"),
    ],
)  # fmt: skip
def test_tenant_admin_sees_own_costs_by_model_person_and_day(
    usage, make_user, group, column, key
) -> None:
    acme = usage["acme"]
    admin = signed_in(make_user("ada", roles={acme: "admin"}))
    rows = download(admin, f"/t/{acme.slug}/billing/", group=group)
    acme_events = in_range(tenant_id=acme.pk)
    assert csv_costs(rows, column) == event_costs(acme_events, key)
    assert csv_costs(rows, "Day") == event_costs(acme_events, lambda e: f"{e.started_at:%Y-%m-%d}")
    page = admin.get(f"/t/{acme.slug}/billing/", {**RANGE, "group": group}).content.decode()
    total = sum(e.cost for e in acme_events if e.currency)
    assert f'data-testid="total-cost">{total.normalize()} <span' in page
    assert page.count('data-testid="daily-row"') == len(rows)
    for text in (page, str(rows)):
        assert GLOBEX_MODEL not in text and GLOBEX_PERSON not in text


def test_tenant_admin_cannot_see_another_tenants_costs(usage, make_user) -> None:
    acme, globex = usage["acme"], usage["globex"]
    admin = signed_in(make_user("ada", roles={acme: "admin"}))
    # Refused as the project refuses every page a person has no role for: the same 404 as
    # for a page that does not exist, so tenants' existence does not leak either.
    for query in ({}, {**RANGE, "format": "csv"}, {**RANGE, "group": "person"}):
        refused = admin.get(f"/t/{globex.slug}/billing/", query)
        assert refused.status_code == 404
        assert GLOBEX_MODEL not in refused.content.decode()
        assert admin.get("/billing/", query).status_code == 404


def test_members_and_strangers_are_refused(usage, make_user) -> None:
    acme = usage["acme"]
    member = signed_in(make_user("max", roles={acme: "member"}))
    assert member.get(f"/t/{acme.slug}/billing/").status_code == 404
    assert member.get(f"/t/{acme.slug}/billing/", {**RANGE, "format": "csv"}).status_code == 404
    assert member.get("/billing/").status_code == 404
    assert Client().get(f"/t/{acme.slug}/billing/").status_code == 302  # to sign-in
    assert Client().get("/billing/").status_code == 302


def test_platform_admin_may_open_a_tenants_billing(usage, make_user) -> None:
    root = signed_in(make_user("root", is_superuser=True, is_staff=True))
    page = root.get(f"/t/{usage['acme'].slug}/billing/", RANGE).content.decode()
    assert "acme-chat" in page and GLOBEX_MODEL not in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"start": "2026-10-07", "end": "2026-10-05"}, "on or before the end date"),
        ({"start": "2025-01-01", "end": "2026-01-02"}, "at most 366 days"),
        ({"start": "yesterday", "end": "2026-10-05"}, "From: Enter a valid date."),
        ({"start": "2026-02-30", "end": "2026-03-05"}, "From: Enter a valid date."),
        ({"start": "", "end": "2026-10-05"}, "From: This field is required."),
        ({"group": "weather"}, "Select a valid choice"),
    ],
)
def test_a_bad_range_is_explained_on_the_page(usage, make_user, query, message) -> None:
    acme = usage["acme"]
    admin = signed_in(make_user("ada", roles={acme: "admin"}))
    root = signed_in(make_user("root", is_superuser=True, is_staff=True))
    for client, path in ((root, "/billing/"), (admin, f"/t/{acme.slug}/billing/")):
        for fmt in ({}, {"format": "csv"}):
            response = client.get(path, {**query, **fmt})
            assert response.status_code == 400
            assert message in response.content.decode()
            assert 'data-testid="billing-error"' in response.content.decode()


def test_a_whole_leap_year_is_allowed(usage, make_user) -> None:
    root = signed_in(make_user("root", is_superuser=True, is_staff=True))
    assert root.get("/billing/", {"start": "2028-01-01", "end": "2028-12-31"}).status_code == 200


def test_the_default_range_is_this_month_to_date(usage, make_user) -> None:
    acme = usage["acme"]
    today = timezone.now().date()
    early_today = datetime.combine(today, datetime.min.time(), tzinfo=UTC) + timedelta(seconds=1)
    save_events([usage_event(acme, early_today, cost=Decimal("0.5"))])
    roll_up_usage(until=timezone.now())
    root = signed_in(make_user("root", is_superuser=True, is_staff=True))
    for path in ("/billing/", f"/t/{acme.slug}/billing/"):
        page = root.get(path).content.decode()
        assert f'value="{today.replace(day=1).isoformat()}"' in page
        assert f'value="{today.isoformat()}"' in page
        assert 'data-testid="total-cost">0.50 <span' in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"format": "xlsx"}, "Format: Select a valid choice"),
        ({"grop": "model"}, "Unknown parameter grop: this page reads start, end, group, format."),
    ],
)
def test_a_format_or_parameter_the_page_does_not_offer_is_refused(
    usage, make_user, query, message
) -> None:
    """Not a silently different answer: xlsx asked for and the HTML page given instead."""
    acme = usage["acme"]
    admin = signed_in(make_user("ada", roles={acme: "admin"}))
    root = signed_in(make_user("root", is_superuser=True, is_staff=True))
    for client, path in ((root, "/billing/"), (admin, f"/t/{acme.slug}/billing/")):
        response = client.get(path, {**RANGE, **query})
        assert response.status_code == 400
        assert message in response.content.decode()
