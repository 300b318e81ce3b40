"""The budgets API: tenant administrators set business units' budgets, platform administrators
the tenant's; each sees its own tenant only."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from identity.services import mint_member_token
from tenants.services import add_business_unit

pytestmark = pytest.mark.django_db


def client_for(user, tenant) -> Client:  # type: ignore[no-untyped-def]
    return Client(HTTP_AUTHORIZATION=f"Bearer {mint_member_token(user=user, tenant=tenant)}")


def put(client: Client, slug: str, body: dict) -> object:
    return client.put(f"/t/{slug}/v1/budgets", json.dumps(body), content_type="application/json")


def test_who_sets_which_budget(module_tenants, make_user) -> None:
    acme = module_tenants["acme"]
    add_business_unit(tenant=acme, name="Sales")
    admin = client_for(make_user("ada", roles={acme: "admin"}), acme)
    root = client_for(make_user("root", is_superuser=True), acme)
    member = client_for(make_user("max", roles={acme: "member"}), acme)
    sales = {"business_unit": "Sales", "monthly_limit": "500", "currency": "USD"}
    whole = {"business_unit": None, "monthly_limit": "2500", "currency": "usd"}

    assert put(member, acme.slug, sales).status_code == 403
    refused = put(admin, acme.slug, whole)
    assert refused.status_code == 403
    assert "platform administrators" in refused.json()["error"]["message"]
    assert put(admin, acme.slug, sales).status_code == 200
    answer = put(root, acme.slug, whole)
    assert answer.status_code == 200
    listed = {b["business_unit"]: b for b in answer.json()["data"]}
    assert listed[None]["monthly_limit"] == "2500.00" and listed[None]["currency"] == "USD"
    assert listed["Sales"]["alert_thresholds"] == [50, 80, 100]
    assert listed["Sales"]["spent_this_month"] == "0.000000"

    bad = put(admin, acme.slug, {**sales, "monthly_limit": "-1"})
    assert bad.status_code == 400
    assert bad.json()["error"]["message"] == "monthly_limit: must be more than zero."

    # An empty unit name is no unit: the tenant's own budget, still the platform's to set.
    loosened = {**whole, "business_unit": "", "monthly_limit": "999999", "hard_limit": False}
    assert put(admin, acme.slug, loosened).status_code == 403
    listed = {b["business_unit"]: b for b in root.get(f"/t/{acme.slug}/v1/budgets").json()["data"]}
    assert (listed[None]["monthly_limit"], listed[None]["hard_limit"]) == ("2500.00", True)


@pytest.mark.parametrize(
    ("change", "param"),
    [({"hard_limit": None}, "hard_limit"), ({"hard_limit": "false"}, "hard_limit"),
     ({"hard": False}, "hard"), ({"limit": "10"}, "limit")],
)  # fmt: skip
def test_a_budget_field_is_honoured_or_refused_by_name(module_tenants, make_user, change, param):
    acme = module_tenants["acme"]
    add_business_unit(tenant=acme, name="Ops")
    admin = client_for(make_user("ada", roles={acme: "admin"}), acme)
    budget = {"business_unit": "Ops", "monthly_limit": "500", "currency": "USD", **change}
    refused = put(admin, acme.slug, budget)
    assert refused.status_code == 400
    assert refused.json()["error"]["param"] == param
    assert admin.get(f"/t/{acme.slug}/v1/budgets").json()["data"] == []


def test_another_tenants_budgets_are_out_of_reach(module_tenants, make_user) -> None:
    acme, globex = module_tenants["acme"], module_tenants["globex"]
    add_business_unit(tenant=globex, name="Ops")
    root = client_for(make_user("root2", is_superuser=True), globex)
    assert put(root, globex.slug, {"business_unit": "Ops", "monthly_limit": "9",
                                   "currency": "USD"}).status_code == 200  # fmt: skip
    budget_id = root.get(f"/t/{globex.slug}/v1/budgets").json()["data"][0]["id"]
    mallory = client_for(make_user("mallory", roles={acme: "admin"}), acme)
    assert mallory.get(f"/t/{globex.slug}/v1/budgets").status_code == 403
    assert mallory.delete(f"/t/{globex.slug}/v1/budgets/{budget_id}").status_code == 403
    own = mallory.delete(f"/t/{acme.slug}/v1/budgets/{budget_id}")  # globex's id, acme's URL
    assert own.status_code == 404
    assert root.get(f"/t/{globex.slug}/v1/budgets").json()["data"][0]["id"] == budget_id


def page(user, tenant) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_the_budgets_page_lets_tenant_admins_manage_their_units_only(
    module_tenants, make_user
) -> None:
    acme, globex = module_tenants["acme"], module_tenants["globex"]
    add_business_unit(tenant=acme, name="Sales")
    admin = page(make_user("ines", roles={acme: "admin"}), acme)
    url = f"/t/{acme.slug}/budgets/"
    sales = {"business_unit": "Sales", "monthly_limit": "500", "currency": "USD",
             "alert_thresholds": "50 80 100", "hard_limit": "on"}  # fmt: skip
    assert admin.post(url, sales).status_code == 302
    whole = admin.post(url, {**sales, "business_unit": ""})
    assert whole.status_code == 400 and "platform administrators" in whole.content.decode()
    root = client_for(make_user("root3", is_superuser=True), acme)
    put(root, acme.slug, {"business_unit": None, "monthly_limit": "2500", "currency": "USD"})
    ids = {
        b["business_unit"]: b["id"] for b in root.get(f"/t/{acme.slug}/v1/budgets").json()["data"]
    }

    # Claiming the tenant-wide budget belongs to a unit does not let a tenant admin remove it.
    claimed = admin.post(url, {"action": "remove", "budget": ids[None], "business_unit": "Sales"})
    assert claimed.status_code == 400 and "platform administrators" in claimed.content.decode()
    assert admin.post(url, {"action": "remove", "budget": "x"}).status_code == 400
    assert admin.post(url, {"action": "remove", "budget": ids["Sales"]}).status_code == 302
    left = root.get(f"/t/{acme.slug}/v1/budgets").json()["data"]
    assert [b["business_unit"] for b in left] == [None]

    # Another tenant's admin: not this tenant's page, and not its budgets through their own.
    other = page(make_user("gil", roles={globex: "admin"}), globex)
    assert other.get(url).status_code in (403, 404)
    assert other.post(url, {"action": "remove", "budget": ids[None]}).status_code in (403, 404)
    foreign = other.post(f"/t/{globex.slug}/budgets/", {"action": "remove", "budget": ids[None]})
    assert foreign.status_code == 400 and "has no budget" in foreign.content.decode()
    assert len(root.get(f"/t/{acme.slug}/v1/budgets").json()["data"]) == 1
