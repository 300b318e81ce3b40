"""Bug (#18): an approval for one business unit said "the tenant can use the model now", and the
model then appeared nowhere for that unit's people. The approval now says who can use it, and
the unit's people find it on the Models page and in the playground's list."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from identity.services import mint_member_token
from models_catalog.models import AccessRequest, FoundationModel
from models_catalog.selectors import decide, model_snapshot, usable_models
from models_catalog.services.access import grant_to_scope
from playground.selectors import chat_models
from tenants.models import Membership
from tenants.services import add_business_unit

pytestmark = pytest.mark.django_db

LLAMA = "meta.llama3-1-8b-instruct-v1:0"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def yours_to_use(page: str) -> str:
    return page.split("<h2>Yours to use</h2>", 1)[1].split("</table>", 1)[0]


def test_a_units_approval_reaches_that_units_people_only(module_tenants, make_user) -> None:
    acme = module_tenants["acme"]
    wealth = add_business_unit(tenant=acme, name="Wealth Management", actor="t")
    operations = acme.business_units.get(name="Operations")
    admin = signed_in(make_user("ada", roles={acme: "admin"}))
    asked = admin.post(
        f"/t/{acme.slug}/models/",
        {"model": LLAMA, "business_unit": wealth.pk, "justification": "advisers' notes"},
        follow=True,
    )
    assert "Requested" in asked.content.decode()
    request = AccessRequest.objects.get(tenant=acme, model__name=LLAMA)

    root = signed_in(make_user("root", is_superuser=True, is_staff=True))
    done = root.post(
        "/catalog/requests/", {"request_id": request.pk, "decision": "approve"}, follow=True
    ).content.decode()
    assert f"Approved: people of Wealth Management in {acme.name} can use {LLAMA} now." in done
    assert "the tenant can use" not in done

    adviser = make_user("wren", roles={acme: "member"})
    Membership.objects.filter(user=adviser, tenant=acme).update(business_unit=wealth)
    helper = make_user("hal", roles={acme: "member"})  # Wealth as an extra unit
    Membership.objects.get(user=helper, tenant=acme).extra_business_units.add(wealth)
    outsider = make_user("otto", roles={acme: "member"})
    Membership.objects.filter(user=outsider, tenant=acme).update(business_unit=operations)

    for person in (adviser, helper):
        assert LLAMA in yours_to_use(
            signed_in(person).get(f"/t/{acme.slug}/models/").content.decode()
        )
    outsiders_page = signed_in(outsider).get(f"/t/{acme.slug}/models/").content.decode()
    assert LLAMA not in yours_to_use(outsiders_page)
    assert "Wealth Management" in outsiders_page  # listed as the unit's, not as theirs

    # The playground's list (and the gateway's selectors) for the unit's people, not others.
    assert LLAMA in [choice.value for choice in chat_models(acme, wealth.pk)]
    assert LLAMA not in [choice.value for choice in chat_models(acme, operations.pk)]
    now = timezone.now()
    assert usable_models(acme, now, unit_ids={wealth.pk}).filter(name=LLAMA).exists()
    assert not usable_models(acme, now).filter(name=LLAMA).exists()
    snapshot = model_snapshot(acme, LLAMA)
    assert decide(snapshot, now, unit_ids={operations.pk, wealth.pk}).grant.business_unit == wealth


def test_the_tenant_catalogue_api_marks_a_units_model_usable_for_its_people(
    module_tenants, make_user
) -> None:
    acme = module_tenants["acme"]
    risk = add_business_unit(tenant=acme, name="Risk", actor="t")
    grant_to_scope(
        model_id=FoundationModel.objects.get(name=LLAMA).pk, tenant_id=acme.pk,
        business_unit_id=risk.pk, actor="root",
    )  # fmt: skip
    analyst = make_user("rae", roles={acme: "member"})
    Membership.objects.filter(user=analyst, tenant=acme).update(business_unit=risk)
    other = make_user("ned", roles={acme: "member"})

    def usable(user) -> bool:
        token = mint_member_token(user=user, tenant=acme)
        client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
        listed = client.get(f"/t/{acme.slug}/v1/catalog/models").json()
        return next(item["usable"] for item in listed if item["name"] == LLAMA)

    assert usable(analyst) is True
    assert usable(other) is False
