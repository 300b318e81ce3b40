"""What a review of the catalogue found (2026-12-02): fields that were dropped, a date wiped by
a request that did not name it, version numbers given twice, grants in force for an archived
unit or made twice, and forms that answered 500."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from identity.business_units import assign_business_units
from identity.services import mint_member_token
from identity.tokens import sign_access_token
from models_catalog.models import FoundationModel, ModelGrant, ModelPrice, Provider
from models_catalog.services.access import (
    approve_request,
    grant_model,
    grant_to_scope,
    request_access,
)
from models_catalog.services.catalog import set_lifecycle
from models_catalog.services.registry import (
    delete_version,
    register_custom_model,
    register_version,
)
from tenants.models import Membership
from tenants.services import add_business_unit, archive_business_unit

pytestmark = pytest.mark.django_db

HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
NOVA = "amazon.nova-lite-v1:0"


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture
def root_token(make_user):
    root = make_user("root", is_superuser=True, is_staff=True)
    return sign_access_token(subject=str(root.pk), extra_claims={"principal": "user"})


def post_json(path: str, body: dict, token: str):
    client = Client(raise_request_exception=False)
    return client.post(path, body, content_type="application/json", **bearer(token))


def test_a_price_keeps_its_prompt_cache_prices_and_refuses_a_field_it_does_not_know(root_token):
    start = (timezone.now() + timedelta(days=1)).isoformat()
    price = {"model": HAIKU, "input_per_million": "3", "output_per_million": "15",
             "effective_from": start}  # fmt: skip
    cache_prices = {"cached_input_per_million": "0.3", "cache_write_per_million": "3.75"}
    answer = post_json("/api/catalog/prices", {**price, **cache_prices}, root_token)
    assert answer.status_code == 201, answer.content
    stored = ModelPrice.objects.get(
        model__name=HAIKU, effective_from=answer.json()["effective_from"]
    )
    assert (str(stored.cached_input_per_million), str(stored.cache_write_per_million)) == (
        "0.300000", "3.750000",
    )  # fmt: skip

    refused = post_json("/api/catalog/prices", {**price, "cache_read": "0.3"}, root_token)
    assert refused.status_code == 400
    assert refused.json()["error"]["param"] == "cache_read"


def test_a_price_in_another_currency_than_usage_is_billed_in_is_refused(root_token):
    price = {"model": HAIKU, "currency": "EUR", "input_per_million": "3",
             "output_per_million": "15"}  # fmt: skip
    answer = post_json("/api/catalog/prices", price, root_token)
    assert answer.status_code == 400
    assert "Prices are in USD" in answer.json()["error"]["message"]
    assert answer.json()["error"]["param"] == "currency"
    assert not ModelPrice.objects.filter(model__name=HAIKU, currency="EUR").exists()


def test_an_access_request_naming_its_unit_by_an_unknown_field_is_refused(
    module_tenants, make_user
):
    acme = module_tenants["acme"]
    admin = mint_member_token(user=make_user("pia", roles={acme: "admin"}), tenant=acme)
    unit = acme.business_units.first()
    answer = post_json(f"/t/{acme.slug}/v1/catalog/requests",
                       {"model": HAIKU, "justification": "for one unit", "business_unit": unit.pk},
                       admin)  # fmt: skip
    assert answer.status_code == 400
    assert answer.json()["error"]["param"] == "business_unit"


def test_setting_one_lifecycle_date_keeps_the_other(root_token):
    model = FoundationModel.objects.get(name=HAIKU)
    soon, later = timezone.now() + timedelta(days=10), timezone.now() + timedelta(days=60)
    set_lifecycle(model=model, deprecated_at=soon, end_of_life_at=None, actor="x")
    change = {"model": HAIKU, "end_of_life_at": later.isoformat()}
    answer = post_json("/api/catalog/lifecycle", change, root_token)
    assert answer.status_code == 200, answer.content
    model.refresh_from_db()
    assert (model.deprecated_at, model.end_of_life_at) == (soon, later)

    cleared = post_json("/api/catalog/lifecycle", {"model": HAIKU, "deprecated_at": None},
                        root_token)  # fmt: skip
    assert cleared.status_code == 200
    model.refresh_from_db()
    assert (model.deprecated_at, model.end_of_life_at) == (None, later)


def test_a_deleted_version_number_is_never_given_again():
    custom = register_custom_model(name="reuse", provider=Provider.objects.get(name="sagemaker"),
                                   display_name="r", actor="a")  # fmt: skip
    for number in (1, 2):
        register_version(custom_model=custom, artifact_uri=f"s3://m/{number}",
                         serving_target=f"ep-{number}", actor="a")  # fmt: skip
    delete_version(version=custom.versions.get(number=2), actor="a")
    again = register_version(custom_model=custom, artifact_uri="s3://m/other",
                             serving_target="ep-other", actor="a")  # fmt: skip
    assert again.number == 3


def test_a_custom_model_name_its_catalogue_entry_cannot_resolve_is_refused(root_token):
    answer = post_json("/api/registry/models", {"name": "Claims", "provider": "sagemaker",
                                                "display_name": "Claims"}, root_token)  # fmt: skip
    assert answer.status_code == 400
    assert answer.json()["error"]["param"] == "name"
    assert not FoundationModel.objects.filter(name="custom/Claims").exists()


def test_a_version_with_a_value_too_long_for_its_column_is_a_400(root_token):
    register_custom_model(name="longuri", provider=Provider.objects.get(name="sagemaker"),
                          display_name="l", actor="a")  # fmt: skip
    answer = post_json("/api/registry/models/longuri/versions",
                       {"artifact_uri": "s3://" + "x" * 600, "serving_target": "ep"},
                       root_token)  # fmt: skip
    assert answer.status_code == 400
    assert answer.json()["error"]["param"] == "artifact_uri"


def test_a_grant_to_an_archived_unit_is_in_force_for_nobody(module_tenants, make_user):
    acme = module_tenants["acme"]
    wealth = add_business_unit(tenant=acme, name="Wealth", actor="x")
    user = make_user("ann", roles={acme: "member"})
    membership = Membership.objects.get(user=user, tenant=acme)
    assign_business_units(assignee=membership, business_unit_id=None,
                          extra_business_unit_ids=[wealth.pk], actor="x")  # fmt: skip
    model = FoundationModel.objects.get(name=HAIKU)
    grant_to_scope(model_id=model.pk, tenant_id=acme.pk, business_unit_id=wealth.pk, actor="root")
    token = mint_member_token(user=user, tenant=acme)

    def usable() -> bool:
        listed = Client().get(f"/t/{acme.slug}/v1/catalog/models", **bearer(token)).json()
        return any(entry["name"] == HAIKU and entry["usable"] for entry in listed)

    assert usable()
    archive_business_unit(unit=wealth, actor="x")  # only an extra unit of ann's: allowed
    assert not usable()


def test_a_request_for_a_unit_archived_since_is_not_approved(module_tenants):
    acme = module_tenants["acme"]
    unit = add_business_unit(tenant=acme, name="Closing", actor="x")
    asked = request_access(tenant=acme, model_name=NOVA, justification="x", requester=None,
                           actor="pia", business_unit_id=unit.pk)  # fmt: skip
    archive_business_unit(unit=unit, actor="x")
    with pytest.raises(Exception, match="archived"):
        approve_request(request_id=asked.pk, actor="root")
    assert not ModelGrant.objects.filter(business_unit=unit).exists()


def test_approving_a_request_for_a_model_granted_meanwhile_makes_no_second_grant(module_tenants):
    acme = module_tenants["acme"]
    asked = request_access(tenant=acme, model_name=NOVA, justification="x", requester=None,
                           actor="pia")  # fmt: skip
    grant_model(model_name=NOVA, tenants=[acme], actor="root")
    with pytest.raises(Exception, match="already granted"):
        approve_request(request_id=asked.pk, actor="root2")
    active = ModelGrant.objects.filter(tenant=acme, model__name=NOVA, revoked_at__isnull=True)
    assert active.count() == 1


@pytest.mark.parametrize(
    ("path", "form"),
    [
        ("/catalog/", {"model": NOVA, "tenants": ["*"], "expires_at": "2027-02-30"}),
        ("/catalog/requests/", {"request_id": "x²", "decision": "approve"}),
    ],
)
def test_a_platform_form_with_a_bad_value_says_so(make_user, path, form):
    client = Client(raise_request_exception=False)
    client.force_login(make_user("root", is_superuser=True, is_staff=True))
    answer = client.post(path, form, follow=True)
    assert answer.status_code == 200
    assert b"is not a" in answer.content


def test_the_tenant_models_page_with_a_bad_unit_says_so(module_tenants, make_user):
    acme = module_tenants["acme"]
    client = Client(raise_request_exception=False)
    client.force_login(make_user("adm2", roles={acme: "admin"}))
    form = {"model": HAIKU, "justification": "x", "business_unit": "abc"}
    answer = client.post(f"/t/{acme.slug}/models/", form, follow=True)
    assert answer.status_code == 200
    assert b"is not a number" in answer.content
