"""A tenant's home page is its dashboard: this month's spend against its budgets, the costliest
models, the access requests waiting (administrators), and the workspace's recent activity."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from activity.services import record_activity
from budgets.services import set_budget
from models_catalog.selectors import requestable_models
from models_catalog.services.access import request_access
from tenants.schemas import in_tenant_schema
from tests.metering.events import save_events, usage_event

pytestmark = pytest.mark.django_db

HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"


def _signed_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def _this_month() -> datetime:
    now = timezone.now()
    month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return max(now - timedelta(minutes=5), month_start)


@pytest.fixture
def busy_month(module_tenants):  # type: ignore[no-untyped-def]
    """Acme called two models this month (and one last month); Globex spent far more."""
    acme, globex = module_tenants["acme"], module_tenants["globex"]
    when = _this_month()
    save_events([
        usage_event(acme, when, model_name="big-model", cost=Decimal("3.25")),
        usage_event(acme, when, model_name="big-model", cost=Decimal("1.50")),
        usage_event(acme, when, model_name="small-model", cost=Decimal("0.000035")),
        usage_event(acme, when - timedelta(days=40), model_name="old-model", cost=Decimal("9")),
        usage_event(globex, when, model_name="globex-secret-model", cost=Decimal("777")),
    ])  # fmt: skip
    return acme, globex


def test_an_administrator_sees_spend_against_budget_top_models_and_requests(
    busy_month, make_user
) -> None:
    acme, globex = busy_month
    olga = make_user("olga", roles={acme: "admin"})
    set_budget(tenant=acme, business_unit=None, monthly_limit="100", currency="USD",
               actor="olga")  # fmt: skip
    request_access(tenant=acme, model_name=HAIKU, justification="Support bot", requester=olga)
    request_access(tenant=globex, model_name=HAIKU, justification="Globex's own", requester=None)
    with in_tenant_schema(acme):
        record_activity(kind="note", message="Olga set a budget", actor="olga")

    response = _signed_in(olga).get(f"/t/{acme.slug}/")

    assert response.status_code == 200
    page = response.content.decode()
    dashboard = response.context["dashboard"]
    assert [line["group"] for line in response.context["top_models"]] == [
        "big-model",
        "small-model",
    ]
    assert [(t["currency"], t["cost"]) for t in response.context["spend"]] == [("USD", "4.750035")]
    assert "USD 4.750035" in page  # as the billing page rounds it
    assert "old-model" not in page and "globex-secret-model" not in page and "777" not in page
    assert len(dashboard.budgets) == 1 and "of 100" in page
    assert [ask.model.name for ask in dashboard.pending_requests] == [HAIKU]
    assert "Globex" not in page
    assert "Olga set a budget" in page


def test_a_member_sees_activity_but_not_what_billing_keeps_from_them(busy_month, make_user) -> None:
    acme, _ = busy_month
    lena = make_user("lena", roles={acme: "member"})
    with in_tenant_schema(acme):
        record_activity(kind="note", message="A knowledge base was shared", actor="olga")

    response = _signed_in(lena).get(f"/t/{acme.slug}/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "A knowledge base was shared" in page
    assert 'data-testid="month-spend"' not in page
    assert 'data-testid="pending-requests"' not in page
    assert "big-model" not in page and "4.75" not in page


def test_a_platform_administrator_sees_the_tenants_dashboard(busy_month, make_user) -> None:
    acme, _ = busy_month
    root = make_user("root-dash", is_superuser=True, is_staff=True)

    page = _signed_in(root).get(f"/t/{acme.slug}/").content.decode()

    assert 'data-testid="month-spend"' in page and "USD 4.750035" in page
    assert 'data-testid="no-budget"' in page


def test_a_visitor_sees_no_dashboard(busy_month) -> None:
    acme, _ = busy_month
    page = Client().get(f"/t/{acme.slug}/").content.decode()
    assert "Sign in" in page and "big-model" not in page and 'data-testid="activity"' not in page


def test_the_dashboard_costs_the_same_queries_however_many_requests_wait(
    module_tenants, make_user, django_assert_max_num_queries
) -> None:
    acme = module_tenants["acme"]
    olga = make_user("olga", roles={acme: "admin"})
    client = _signed_in(olga)
    names = [model.name for model in requestable_models(acme, timezone.now())][:3]
    assert len(names) == 3
    request_access(tenant=acme, model_name=names[0], justification="one", requester=olga)
    client.get(f"/t/{acme.slug}/")  # caches filled, this month's budget counters read
    with CaptureQueriesContext(connection) as one:
        client.get(f"/t/{acme.slug}/")
    for name in names[1:]:
        request_access(tenant=acme, model_name=name, justification="more", requester=olga)

    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(f"/t/{acme.slug}/").content.decode()

    assert all(name in page for name in names) and page.count("by olga") == 3
