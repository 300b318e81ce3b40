"""The budgets page speaks to a person: a refusal names the form's field as the form labels it,
not the API's field name, and a saved budget is confirmed."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def _admin_of(tenant, make_user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(make_user("ines", roles={tenant: "admin"}))
    return client


def _form(**changes: str) -> dict[str, str]:
    return {"business_unit": "Operations", "monthly_limit": "500", "currency": "USD",
            "alert_thresholds": "50 80 100", "hard_limit": "on", **changes}  # fmt: skip


def test_a_refusal_names_the_field_as_the_form_labels_it(module_tenants, make_user) -> None:
    acme = module_tenants["acme"]
    client = _admin_of(acme, make_user)
    url = f"/t/{acme.slug}/budgets/"

    for changes, shown in (
        ({"monthly_limit": "-5"}, "Monthly limit: must be more than zero."),
        ({"alert_thresholds": "50 150"}, "Alert at (%): a list of up to 10 whole percentages"),
        ({"currency": "EUR"}, "Currency: prices are in USD"),
    ):
        response = client.post(url, _form(**changes))
        assert response.status_code == 400
        page = response.content.decode()
        assert shown in page, changes
        assert "monthly_limit:" not in page and "alert_thresholds:" not in page


def test_saving_a_budget_is_confirmed(module_tenants, make_user) -> None:
    acme = module_tenants["acme"]
    client = _admin_of(acme, make_user)

    response = client.post(f"/t/{acme.slug}/budgets/", _form(), follow=True)

    assert response.redirect_chain == [(f"/t/{acme.slug}/budgets/", 302)]
    assert (
        '<p class="notice" role="status">Saved: a hard monthly limit of USD 500.00 for Operations.'
        in response.content.decode()
    )
