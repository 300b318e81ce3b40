"""Provider, model and price edits are in the audit log: made in the Django admin (by the signed-in
administrator) or through the catalogue API, each edit is one entry with its actor and the changed
fields before and after, its target named ("provider bedrock-eu (Amazon Bedrock)"), and never a
secret."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import models
from django.test import Client

from audit.models import AuditEntry
from identity.tokens import sign_access_token
from models_catalog.models import FoundationModel, Provider

pytestmark = pytest.mark.django_db

SECRET = "wJalrXUtnFEMI-not-in-the-log"


def entries(action_prefix: str = "") -> list[AuditEntry]:
    return list(
        AuditEntry.objects.unscoped()
        .filter(action__startswith=action_prefix)
        .filter(action__regex=r"^(provider|model)\.")
        .order_by("id")
    )


def only_entry(action_prefix: str = "") -> AuditEntry:
    found = entries(action_prefix)
    assert len(found) == 1, [(e.action, e.before, e.after) for e in found]
    return found[0]


def form_data(obj: models.Model, **changes: Any) -> dict[str, Any]:
    """What the admin's change form posts for `obj`, with `changes` applied."""
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if field.primary_key or not field.editable:
            continue
        value = changes.get(field.name, getattr(obj, field.attname))
        if isinstance(field, models.BooleanField):
            if value:
                data[field.name] = "on"
        elif isinstance(field, models.JSONField):
            data[field.name] = json.dumps(value)
        elif isinstance(field, models.DateTimeField):
            data[f"{field.name}_0"] = value.strftime("%Y-%m-%d") if value else ""
            data[f"{field.name}_1"] = value.strftime("%H:%M:%S") if value else ""
        else:
            data[field.name] = "" if value is None else value
    return data


def no_prices(**new: Any) -> dict[str, Any]:
    """The price inline's management form, with one new price when `new` is given."""
    data = {"prices-TOTAL_FORMS": "1" if new else "0", "prices-INITIAL_FORMS": "0"}
    data.update({f"prices-0-{name}": value for name, value in new.items()})
    return data


@pytest.fixture
def admin(make_user, monkeypatch) -> Client:
    monkeypatch.setenv("BEDROCK_EU_SECRET_ACCESS_KEY", SECRET)
    client = Client()
    client.force_login(make_user("root", is_superuser=True, is_staff=True))
    return client


@pytest.fixture
def provider() -> Provider:
    return Provider.objects.create(
        name="bedrock-eu", kind="bedrock", region="eu-west-1", credentials_env="BEDROCK_EU"
    )


@pytest.fixture
def model(provider) -> FoundationModel:
    return FoundationModel.objects.create(
        name="anthropic.claude-3-haiku",
        provider=provider,
        provider_model_id="anthropic.claude-3-haiku-20240307-v1:0",
        display_name="Claude 3 Haiku",
        modality="chat",
    )


def no_secret_anywhere() -> None:
    for entry in AuditEntry.objects.unscoped().all():
        assert SECRET not in json.dumps([entry.before, entry.after, entry.target_label])


def test_admin_creates_and_changes_a_provider(admin) -> None:
    added = admin.post(
        "/admin/models_catalog/provider/add/",
        {"name": "bedrock-eu", "kind": "bedrock", "region": "eu-west-1",
         "endpoint_url": "", "credentials_env": "BEDROCK_EU"},
    )  # fmt: skip
    assert added.status_code == 302, added.content.decode()[:2000]
    created = only_entry("provider.created")
    assert created.actor == "root"
    assert created.target_label == "provider bedrock-eu (Amazon Bedrock)"
    assert created.before is None and created.after["credentials_env"] == "BEDROCK_EU"

    provider = Provider.objects.get(name="bedrock-eu")
    url = f"/admin/models_catalog/provider/{provider.pk}/change/"
    assert admin.post(url, form_data(provider, region="eu-central-1")).status_code == 302
    changed = only_entry("provider.changed")
    assert changed.actor == "root" and changed.target_id == str(provider.pk)
    assert changed.before == {"region": "eu-west-1"}
    assert changed.after == {"region": "eu-central-1"}

    assert admin.post(url, form_data(Provider.objects.get(pk=provider.pk))).status_code == 302
    assert len(entries("provider.")) == 2  # saving without a change is no edit
    no_secret_anywhere()


def test_admin_deletes_a_provider_once(admin, provider) -> None:
    response = admin.post(f"/admin/models_catalog/provider/{provider.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302 and not Provider.objects.filter(pk=provider.pk).exists()
    deleted = only_entry()
    assert deleted.action == "provider.deleted" and deleted.actor == "root"
    assert deleted.before["name"] == "bedrock-eu" and deleted.after is None
    assert deleted.target_label == "provider bedrock-eu (Amazon Bedrock)"


def test_admin_changes_a_model_and_its_lifecycle_once_each(admin, model) -> None:
    url = f"/admin/models_catalog/foundationmodel/{model.pk}/change/"
    end = datetime(2031, 1, 1, 12, 0, tzinfo=UTC)
    posted = admin.post(
        url, {**form_data(model, display_name="Haiku 3", end_of_life_at=end), **no_prices()}
    )
    assert posted.status_code == 302, posted.content.decode()[:2000]
    changed = only_entry()
    assert changed.action == "model.changed" and changed.actor == "root"
    assert changed.target_label == "model Haiku 3 (bedrock-eu)"
    assert changed.before == {"display_name": "Claude 3 Haiku", "end_of_life_at": None}
    assert changed.after == {"display_name": "Haiku 3", "end_of_life_at": end.isoformat()}

    model.refresh_from_db()
    earlier = datetime(2030, 6, 1, 0, 0, tzinfo=UTC)
    assert (
        admin.post(url, {**form_data(model, end_of_life_at=earlier), **no_prices()}).status_code
        == 302
    )
    dated = entries()[-1]
    assert len(entries()) == 2 and dated.action == "model.lifecycle_set"
    assert dated.before == {"end_of_life_at": end.isoformat()}
    assert dated.after == {"end_of_life_at": earlier.isoformat()}


def test_admin_adds_a_price_once(admin, model) -> None:
    url = f"/admin/models_catalog/foundationmodel/{model.pk}/change/"
    price = {"currency": "USD", "input_per_million": "0.25", "output_per_million": "1.25",
             "effective_from_0": "2030-01-01", "effective_from_1": "00:00:00",
             "source": "list"}  # fmt: skip
    posted = admin.post(url, {**form_data(model), **no_prices(**price)})
    assert posted.status_code == 302, posted.content.decode()[:2000]
    entry = only_entry()
    assert entry.action == "model.price_set" and entry.actor == "root"
    assert entry.target_label == "model Claude 3 Haiku (bedrock-eu)"
    assert entry.after["input_per_million"] == "0.250000"
    assert entry.after["effective_from"] == "2030-01-01T00:00:00+00:00"
    assert model.prices.count() == 1


def test_admin_adds_and_bulk_deletes_models(admin, provider, model) -> None:
    other = FoundationModel.objects.create(
        name="amazon.nova-lite", provider=provider, provider_model_id="amazon.nova-lite-v1:0",
        display_name="Nova Lite", modality="chat",
    )  # fmt: skip
    response = admin.post(
        "/admin/models_catalog/foundationmodel/",
        {"action": "delete_selected", "_selected_action": [model.pk, other.pk], "post": "yes"},
    )
    assert response.status_code == 302
    deleted = entries()
    assert [e.action for e in deleted] == ["model.deleted", "model.deleted"]
    assert {e.before["name"] for e in deleted} == {"anthropic.claude-3-haiku", "amazon.nova-lite"}
    assert all(e.before["provider"] == "bedrock-eu" and e.actor == "root" for e in deleted)


def test_the_catalogue_api_records_each_edit_once(make_user, model) -> None:
    root = make_user("root", is_superuser=True, is_staff=True)
    token = sign_access_token(subject=str(root.pk), extra_claims={"principal": "user"})
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    priced = client.post(
        "/api/catalog/prices",
        {"model": model.name, "input_per_million": "0.25", "output_per_million": "1.25",
         "currency": "USD", "source": "list"},
        content_type="application/json",
    )  # fmt: skip
    assert priced.status_code == 201, priced.content
    price = only_entry()
    assert price.action == "model.price_set" and price.actor
    assert price.after["output_per_million"] == "1.250000"

    dated = client.post(
        "/api/catalog/lifecycle",
        {"model": model.name, "end_of_life_at": "2031-01-01T00:00:00Z"},
        content_type="application/json",
    )
    assert dated.status_code == 200, dated.content
    lifecycle = entries()[-1]
    assert len(entries()) == 2 and lifecycle.action == "model.lifecycle_set"
    assert lifecycle.before["end_of_life_at"] is None
    assert lifecycle.after["end_of_life_at"] == "2031-01-01T00:00:00+00:00"
    assert lifecycle.target_label == "model Claude 3 Haiku (bedrock-eu)"


def test_the_audit_page_names_the_target(admin, provider) -> None:
    admin.post(f"/admin/models_catalog/provider/{provider.pk}/delete/", {"post": "yes"})
    body = admin.get("/audit/").content.decode()
    assert "provider bedrock-eu (Amazon Bedrock)" in body and "provider.deleted" in body
