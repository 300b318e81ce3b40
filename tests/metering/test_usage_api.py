"""The usage API (`GET /t/<slug>/v1/usage`, `GET /api/usage`): the billing pages' numbers and
the export's, grouped, filtered and paged; one tenant's token reads its own tenant only (the
cross-tenant walk in tests/identity covers the route too)."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from identity.services import mint_member_token
from identity.tokens import sign_access_token
from metering.exports import export_usage
from metering.rollups import roll_up_usage
from tenants.models import BusinessUnit, Tenant
from tests.metering.events import save_events, usage_event
from tests.metering.test_export import downloaded, partition

pytestmark = pytest.mark.django_db

FIRST_DAY = datetime(2026, 9, 28, tzinfo=UTC)
RANGE = {"start": "2026-09-28", "end": "2026-09-30"}  # both days included
DAYS = [date(2026, 9, 28), date(2026, 9, 29), date(2026, 9, 30)]


@pytest.fixture
def usage(module_tenants) -> dict[str, Tenant]:
    """Three days of both tenants' calls (costs with 9 decimals), a refused one, and calls
    just outside the range."""
    acme, globex = module_tenants["acme"], module_tenants["globex"]
    unit = BusinessUnit.objects.get(tenant=acme)
    people = [
        {"principal_id": 1, "principal_name": "alice"},
        {"principal_id": 2, "principal_name": "bob", "business_unit_id": unit.pk},
        {"principal_type": "service_account", "principal_id": 7, "principal_name": "nightly"},
    ]
    events = [
        usage_event(acme, FIRST_DAY + timedelta(hours=3 * n), model_name=("chat", "embed")[n % 2],
                    provider_name=("bedrock-eu", "azure-eu")[n % 2],
                    cost=Decimal("0.000123457") * (n + 1), **people[n % 3])
        for n in range(24)
    ]  # fmt: skip
    events += [
        usage_event(globex, FIRST_DAY + timedelta(hours=7 * n), model_name="globex-only",
                    cost=Decimal("0.333333333"))
        for n in range(5)
    ]  # fmt: skip
    events += [
        usage_event(acme, FIRST_DAY + timedelta(hours=5), status="error", cost=Decimal(0),
                    input_tokens=0, output_tokens=0, error="budget_exceeded"),
        usage_event(acme, FIRST_DAY - timedelta(seconds=1), cost=Decimal(1000)),
        usage_event(acme, FIRST_DAY + timedelta(days=3), cost=Decimal(1000)),
    ]  # fmt: skip
    save_events(events)
    roll_up_usage(until=timezone.now())
    return {"acme": acme, "globex": globex}


def tenant_api(tenant: Tenant, make_user: Any, role: str = "admin") -> Client:
    token = mint_member_token(user=make_user(f"ada-{role}", roles={tenant: role}), tenant=tenant)
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def platform_api(make_user: Any) -> Client:
    root = make_user("root", is_superuser=True, is_staff=True)
    token = sign_access_token(subject=str(root.pk), extra_claims={"principal": "user"})
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def all_lines(client: Client, path: str, **query: str) -> tuple[list[dict], list[dict]]:
    """Every page's lines (small pages, to walk them), and the totals."""
    lines: list[dict] = []
    page = 1
    while True:
        answer = client.get(path, {**RANGE, **query, "page": page, "page_size": 5})
        assert answer.status_code == 200, answer.content
        body = answer.json()
        lines += body["data"]
        if not body["has_more"]:
            return lines, body["totals"]
        page += 1


def billing_csv(client: Client, path: str, group: str) -> list[dict[str, str]]:
    response = client.get(path, {**RANGE, "group": group, "format": "csv"})
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def rounded(cost: str) -> str:
    """As the billing pages show a row (to the millionth, half up; no thousands separators)."""
    whole, fraction = f"{Decimal(cost).quantize(Decimal('0.000001'), ROUND_HALF_UP):f}".split(".")
    return f"{whole}.{fraction.rstrip('0').ljust(2, '0')}"


def test_a_tenants_usage_equals_its_billing_page_and_the_export(
    usage, make_user, s3, bucket
) -> None:
    acme = usage["acme"]
    api = tenant_api(acme, make_user)
    lines, totals = all_lines(api, f"/t/{acme.slug}/v1/usage", group_by="day,model")
    admin = Client()
    admin.force_login(make_user("page-admin", roles={acme: "admin"}))
    rows = billing_csv(admin, f"/t/{acme.slug}/billing/", "model")
    assert [
        (line["group"]["day"], line["group"]["model"], line["calls"], line["failed_calls"],
         rounded(line["cost"]))
        for line in lines
    ] == [
        (row["Day"], row["Model"], int(row["Calls"]), int(row["Failed calls"]), row["Cost"])
        for row in rows
    ]  # fmt: skip
    assert "globex-only" not in str(lines)
    exported: dict[str, Decimal] = defaultdict(Decimal)
    for day in DAYS:
        table, _ = downloaded(s3, bucket, export_usage(day).usage.key)
        for tenant_id, cost in zip(table["tenant_id"].to_pylist(), table["cost"].to_pylist(),
                                   strict=True):  # fmt: skip
            exported[tenant_id] += cost or 0
        assert partition(day) in export_usage(day).usage.key
    usd = next(total for total in totals if total["currency"] == "USD")
    assert Decimal(usd["cost"]) == exported[acme.pk] == sum(Decimal(x["cost"]) for x in lines)
    assert usd["cost"] == "0.037037100"  # 0.000123457 x (1 + ... + 24), nine decimals kept
    assert usd["failed_calls"] == 1 and usd["calls"] == 25
    shown = sum(Decimal(row["Cost"]) for row in rows if row["Currency"] == "USD")
    assert shown == sum(Decimal(rounded(line["cost"])) for line in lines if line["currency"])
    assert (
        f'data-testid="total-cost">{rounded(str(shown))} <span'
        in admin.get(f"/t/{acme.slug}/billing/", {**RANGE, "group": "model"}).content.decode()
    )  # the page's total adds its rows (docs/metering.md, "Rounding")


def test_the_platforms_usage_equals_its_billing_page(usage, make_user) -> None:
    lines, totals = all_lines(platform_api(make_user), "/api/usage", group_by="day,tenant")
    root = Client()
    root.force_login(make_user("page-root", is_superuser=True, is_staff=True))
    rows = billing_csv(root, "/billing/", "tenant")  # from the rollups
    assert sorted(
        (x["group"]["day"], x["group"]["tenant"]["name"], x["calls"], rounded(x["cost"]))
        for x in lines
    ) == sorted((row["Day"], row["Tenant"], int(row["Calls"]), row["Cost"]) for row in rows)
    assert sum(line["calls"] for line in lines) == 30
    assert [total["cost"] for total in totals] == ["1.703703765"]  # + 5 x 0.333333333
    shown = sum(Decimal(row["Cost"]) for row in rows)  # Globex's rows lose 0.000000665
    assert shown == Decimal("1.703703") != Decimal(totals[0]["cost"]).quantize(Decimal("1e-6"))
    page = root.get("/billing/", {**RANGE, "group": "tenant"}).content.decode()
    assert f'data-testid="total-cost">{shown} <span' in page  # the sum of the rows shown


def test_groups_and_filters(usage, make_user) -> None:
    acme = usage["acme"]
    unit = BusinessUnit.objects.get(tenant=acme)
    api = tenant_api(acme, make_user)
    path = f"/t/{acme.slug}/v1/usage"
    lines, _ = all_lines(api, path, group_by="business_unit,principal,month")
    assert {(x["group"]["business_unit"]["name"], x["group"]["principal"]["name"],
             x["group"]["month"]) for x in lines} == {
        ("Operations", "bob", "2026-09"), ("No business unit", "alice", "2026-09"),
        ("No business unit", "nightly", "2026-09"),
    }  # fmt: skip
    lines, totals = all_lines(api, path, group_by="provider", business_unit=str(unit.pk))
    assert sum(x["calls"] for x in lines) == 8 and totals[0]["calls"] == 8
    lines, _ = all_lines(api, path, group_by="model", principal="service_account:7")
    assert {x["group"]["model"] for x in lines} == {"chat", "embed"}
    lines, _ = all_lines(api, path, group_by="day", status="error")
    assert [(x["group"]["day"], x["calls"], x["failed_calls"], x["cost"]) for x in lines] == [
        ("2026-09-28", 1, 1, "0.000000000")
    ]
    _, totals = all_lines(api, path, model="embed", provider="azure-eu", business_unit="none")
    assert totals[0]["calls"] == 8
    for refused in (
        {"group_by": "tenant"}, {"start": "2026-10-01", "end": "2026-09-01"},
        {"principal": "robot"}, {"page_size": "5000"}, {"business_unit": "x"},
    ):  # fmt: skip
        answer = api.get(path, refused)
        assert answer.status_code == 400, refused
        assert answer.json()["error"]["type"] == "invalid_request_error"


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ("start=9999-12-31&end=9999-12-31", "end"),
        ("business_unit=%C2%B2", "business_unit"),  # a superscript two: a digit, not a number
        ("principal=user:" + "9" * 30, "principal"),
        ("page=" + "9" * 20, "page"),
        ("business_unit_id=1", "business_unit_id"),  # a misspelt filter
        ("group_by=day&group_by=model", "group_by"),  # only one would be read
    ],
)
def test_a_query_it_cannot_answer_is_refused_by_name(module_tenants, make_user, query, param):
    acme = module_tenants["acme"]
    answer = tenant_api(acme, make_user).get(f"/t/{acme.slug}/v1/usage?{query}")
    assert answer.status_code == 400
    assert answer.json()["error"]["param"] == param


def test_the_billing_page_refuses_a_range_past_the_calendar(make_user) -> None:
    client = Client()
    client.force_login(make_user("root", is_superuser=True, is_staff=True))
    answer = client.get("/billing/", {"start": "9999-12-31", "end": "9999-12-31"})
    assert answer.status_code == 400
    assert b"Choose an end date up to 9999-12-30" in answer.content


def test_the_platform_filters_by_tenant_and_a_tenant_admin_is_refused(usage, make_user) -> None:
    acme, globex = usage["acme"], usage["globex"]
    root = platform_api(make_user)
    lines, totals = all_lines(root, "/api/usage", tenant=globex.slug, group_by="tenant,model")
    assert [(x["group"]["tenant"]["id"], x["group"]["model"]) for x in lines] == [
        (globex.pk, "globex-only")
    ]
    assert totals[0]["cost"] == "1.666666665"
    assert root.get("/api/usage", {"tenant": "nope"}).status_code == 404
    admin = tenant_api(acme, make_user)
    assert admin.get("/api/usage").status_code == 403
    assert admin.get(f"/t/{globex.slug}/v1/usage").status_code == 403
    member = tenant_api(acme, make_user, role="member")
    assert member.get(f"/t/{acme.slug}/v1/usage").status_code == 403


def test_a_page_reads_a_bounded_number_of_queries(
    usage, make_user, django_assert_max_num_queries
) -> None:
    api = platform_api(make_user)
    with django_assert_max_num_queries(9):
        answer = api.get("/api/usage", {**RANGE, "group_by": "tenant,business_unit,principal"})
    assert answer.status_code == 200 and answer.json()["data"]


def test_the_usage_api_is_in_the_openapi_schema(make_user) -> None:
    schema = Client().get("/api/schema/", {"format": "json"}).json()
    for path in ("/api/usage", "/t/{tenant}/v1/usage"):
        operation = schema["paths"][path]["get"]
        names = {parameter["name"] for parameter in operation["parameters"]}
        assert {"start", "end", "group_by", "model", "status", "page", "page_size"} <= names
        assert "200" in operation["responses"] and "403" in operation["responses"]
    assert "tenant" in {p["name"] for p in schema["paths"]["/api/usage"]["get"]["parameters"]}
