"""Business units that people and programs belong to: managed by tenant administrators (page and
API), assigned to members and service accounts, chosen per call with X-Atrium-Business-Unit,
and charged in usage, billing and budgets under the unit's name."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from audit.models import AuditEntry
from budgets.selectors import budgets_of_tenant
from budgets.services import set_budget
from identity.business_units import assign_business_units
from identity.services import create_service_account, mint_member_token
from identity.tokens import SERVICE_ACCOUNT, sign_access_token
from metering.models import UsageEvent
from metering.rollups import roll_up_usage
from metering.selectors import (
    PLATFORM_DIMENSIONS,
    TENANT_DIMENSIONS,
    DateRange,
    platform_costs,
    tenant_costs,
)
from portal.demo import seed_demo_data
from tenants.models import Membership, ServiceAccount, Tenant
from tenants.services import add_business_unit
from tests.budgets.priced import CALL_COST, priced_tenant, recorded_spend


def api(method: str, tenant: Tenant, path: str, token: str, **body: Any) -> Any:
    return getattr(Client(), method)(
        f"/t/{tenant.slug}/v1/{path}", body, content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )  # fmt: skip


def token_of(tenant: Tenant, make_user: Any, name: str, role: str) -> str:
    return mint_member_token(user=make_user(name, roles={tenant: role}), tenant=tenant)


@pytest.mark.django_db
def test_tenant_admin_manages_units_over_the_api_a_member_only_reads(
    module_tenants, make_user
) -> None:
    acme, globex = module_tenants["acme"], module_tenants["globex"]
    admin, member = (
        token_of(acme, make_user, "ann", "admin"),
        token_of(acme, make_user, "mo", "member"),
    )

    created = api("post", acme, "business-units", admin, name="Finance", cost_centre="CC-7")
    assert created.status_code == 201, created.content
    unit_id = created.json()["id"]
    renamed = api("patch", acme, f"business-units/{unit_id}", admin, name="Group Finance")
    assert (renamed.json()["name"], renamed.json()["cost_centre"]) == ("Group Finance", "CC-7")
    assert api("patch", acme, f"business-units/{unit_id}", admin, archived=True).json()["archived"]
    listed = api("get", acme, "business-units", member)
    assert {"Group Finance", "Operations"} <= {unit["name"] for unit in listed.json()}

    assert api("post", acme, "business-units", member, name="Mine").status_code == 403
    assert api("patch", acme, f"business-units/{unit_id}", member, name="X").status_code == 403
    assert api("post", acme, "business-units", admin, name="1234").status_code == 400
    assert api("post", acme, "business-units", admin, name="Operations").status_code == 400
    globex_unit = globex.business_units.get()
    for method in ("get", "patch"):  # another tenant's unit: the same 404 as a missing one
        answer = api(method, acme, f"business-units/{globex_unit.pk}", admin, name="Mine")
        assert answer.status_code == 404
    globex_unit.refresh_from_db()
    assert globex_unit.name == "Operations"
    actions = AuditEntry.objects.unscoped().filter(tenant_id=acme.pk, target_id=str(unit_id))
    assert sorted(actions.values_list("action", flat=True)) == [
        "business_unit.archived", "business_unit.created", "business_unit.renamed",
    ]  # fmt: skip


@pytest.mark.django_db
def test_members_page_and_api_assign_units_of_this_tenant_only(module_tenants, make_user) -> None:
    acme, globex = module_tenants["acme"], module_tenants["globex"]
    retail = add_business_unit(tenant=acme, name="Retail", actor="test")
    wealth = add_business_unit(tenant=acme, name="Wealth", actor="test")
    admin = token_of(acme, make_user, "ada", "admin")
    make_user("kim", roles={acme: "member"})
    kim = Membership.objects.get(tenant=acme, user__username="kim")

    browser = Client()
    browser.force_login(make_user("ari", roles={acme: "admin"}))
    page = browser.post(f"/t/{acme.slug}/members/", {
        "action": "units", "membership": kim.pk, "business_unit": retail.pk,
        "extra_business_units": [wealth.pk],
    })  # fmt: skip
    assert page.status_code == 302
    kim.refresh_from_db()
    assert kim.business_unit == retail and list(kim.extra_business_units.all()) == [wealth]
    entry = AuditEntry.objects.unscoped().get(action="membership.business_units_changed")
    assert entry.after["business_unit"]["name"] == "Retail" and entry.actor == "ari"

    globex_unit = globex.business_units.get()
    refused = api("patch", acme, f"members/{kim.pk}", admin, business_unit_id=globex_unit.pk)
    assert refused.status_code == 400
    refused = api(
        "patch", acme, f"members/{kim.pk}", admin, extra_business_unit_ids=[globex_unit.pk]
    )
    assert refused.status_code == 400
    huge = api("patch", acme, f"members/{kim.pk}", admin, extra_business_unit_ids=[2**70])
    assert huge.status_code == 400
    moved = api("patch", acme, f"members/{kim.pk}", admin, business_unit_id=wealth.pk)
    assert moved.json()["business_unit"]["name"] == "Wealth"
    assert moved.json()["extra_business_units"] == []  # the default is not also an extra
    listed = api("get", acme, "members", admin).json()
    assert {m["user"]: (m["business_unit"] or {}).get("name") for m in listed}["kim"] == "Wealth"

    archived = api("patch", acme, f"business-units/{wealth.pk}", admin, archived=True)
    assert archived.status_code == 400 and "move them" in archived.json()["error"]["message"]


@pytest.mark.django_db
def test_business_units_page_is_for_this_tenants_admins(module_tenants, make_user) -> None:
    acme = module_tenants["acme"]
    admin = Client()
    admin.force_login(make_user("bo", roles={acme: "admin"}))
    path = f"/t/{acme.slug}/business-units/"
    assert admin.post(path, {"action": "create", "name": "Claims"}).status_code == 302
    unit = acme.business_units.get(name="Claims")
    admin.post(
        path, {"action": "rename", "unit": unit.pk, "name": "Claims Ops", "cost_centre": "C9"}
    )
    admin.post(path, {"action": "archive", "unit": unit.pk})
    unit.refresh_from_db()
    assert (unit.name, unit.cost_centre, unit.is_active) == ("Claims Ops", "C9", False)
    page = admin.get(path).content.decode()
    assert "Claims Ops" in page and "Archived" in page
    assert f'href="/t/{acme.slug}/business-units/"' in page  # in the tenant navigation
    duplicate = admin.post(path, {"action": "create", "name": "Claims Ops"})
    assert duplicate.status_code == 400 and "already has" in duplicate.content.decode()

    member = Client()
    member.force_login(make_user("meg", roles={acme: "member"}))
    assert member.get(path).status_code == 404
    assert member.post(path, {"action": "create", "name": "Mine"}).status_code == 404
    assert not acme.business_units.filter(name="Mine").exists()


@pytest.mark.django_db
def test_create_service_account_command_takes_a_unit_of_the_tenant(module_tenants) -> None:
    acme, globex = module_tenants["acme"], module_tenants["globex"]
    add_business_unit(tenant=globex, name="Labs", actor="test")
    call_command("create_service_account", tenant=acme.slug, name="etl",
                 business_unit="Operations", stdout=io.StringIO())  # fmt: skip
    account = ServiceAccount.objects.get(tenant=acme, name="etl")
    assert account.business_unit == acme.business_units.get(name="Operations")
    with pytest.raises(CommandError, match="no open business unit 'Labs'"):
        call_command("create_service_account", tenant=acme.slug, name="spy", business_unit="Labs")


@pytest.mark.django_db
def test_the_api_schema_documents_the_unit_endpoints() -> None:
    paths = Client().get("/api/schema/", HTTP_ACCEPT="application/json").json()["paths"]
    assert {"/t/{tenant}/v1/business-units", "/t/{tenant}/v1/business-units/{unit_id}",
            "/t/{tenant}/v1/members/{membership_id}"} <= set(paths)  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_calls_are_charged_to_the_callers_unit_or_an_allowed_one_by_header(
    request, asgi_url, make_tenant, make_user
) -> None:
    priced = priced_tenant(request, asgi_url, make_tenant, make_user)
    acme = priced.tenant
    finance = add_business_unit(tenant=acme, name="Finance", actor="test")
    wealth = add_business_unit(tenant=acme, name="Wealth", actor="test")
    others = make_tenant("globex").business_units.get()
    bea = Membership.objects.get(tenant=acme, user__username="bea")
    assign_business_units(assignee=bea, business_unit_id=finance.pk,
                          extra_business_unit_ids=[wealth.pk], actor="test")  # fmt: skip
    set_budget(tenant=acme, business_unit="Finance", monthly_limit="10", currency="USD",
               actor="test")  # fmt: skip

    assert priced.call().status_code == 200  # her default unit
    by_name = priced.client.post("/chat/completions", headers={"X-Atrium-Business-Unit": "Wealth"},
                                 json={"model": "priced-model", "messages": [{"role": "user",
                                       "content": "x" * 60}], "max_tokens": 2})  # fmt: skip
    assert by_name.status_code == 200
    refused = {
        header: priced.client.post("/chat/completions", headers={"X-Atrium-Business-Unit": header},
                                   json={"model": "priced-model", "messages": []})
        for header in ("Operations", "Nowhere", str(others.pk))
    }  # fmt: skip
    assert refused["Operations"].status_code == 403  # acme's, but not one of hers
    assert "X-Atrium-Business-Unit" in refused["Operations"].json()["error"]["message"]
    assert refused["Nowhere"].status_code == 400
    assert refused[str(others.pk)].status_code == 400  # another tenant's id is unknown here
    assert "X-Atrium-Business-Unit" in refused["Nowhere"].json()["error"]["message"]

    assert recorded_spend(acme.pk) == CALL_COST * 2
    events = UsageEvent.objects.unscoped().filter(tenant_id=acme.pk)
    assert sorted(events.values_list("business_unit_id", flat=True)) == sorted(
        [finance.pk, wealth.pk]
    )
    today = timezone.now().date()
    period = DateRange(today - timedelta(days=1), today)
    report = tenant_costs(acme, period, TENANT_DIMENSIONS["business_unit"])
    assert {row.group for row in report.rows} == {"Finance", "Wealth"}
    roll_up_usage(until=timezone.now() + timedelta(hours=2))
    platform = platform_costs(period, PLATFORM_DIMENSIONS["business_unit"])
    assert {"Acme Ltd / Finance", "Acme Ltd / Wealth"} <= {row.group for row in platform.rows}
    (budget,) = budgets_of_tenant(acme, timezone.now())
    assert (budget.business_unit, budget.spent) == ("Finance", CALL_COST)


@pytest.mark.django_db
def test_a_service_account_charges_its_unit_and_only_its_units(module_tenants) -> None:
    acme = module_tenants["acme"]
    lab = add_business_unit(tenant=acme, name="Lab", actor="test")
    account, _ = create_service_account(tenant=acme, name="bot", business_unit_id=lab.pk)
    token = sign_access_token(
        subject=account.client_id,
        extra_claims={"principal": SERVICE_ACCOUNT, "client_id": account.client_id},
    )
    assert api("get", acme, "whoami", token).json()["business_unit"]["name"] == "Lab"
    other = Client().get(f"/t/{acme.slug}/v1/whoami", HTTP_AUTHORIZATION=f"Bearer {token}",
                         HTTP_X_ATRIUM_BUSINESS_UNIT="Operations")  # fmt: skip
    assert other.status_code == 403


@pytest.mark.django_db
def test_demo_people_belong_to_business_units(tmp_path) -> None:
    seed_demo_data(credentials_file=tmp_path / "demo-credentials.json")
    units = dict(
        Membership.objects.filter(user__username__in=["alice", "bob"]).values_list(
            "user__username", "business_unit__name"
        )
    )
    assert units == {"alice": "Retail Banking", "bob": "Research"}
