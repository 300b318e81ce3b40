"""The catalogue pages: platform administrators decide in the browser; tenants ask and see."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from models_catalog.models import AccessRequest, FoundationModel, Provider
from models_catalog.services.access import grant_model
from models_catalog.services.catalog import set_lifecycle
from models_catalog.services.registry import deploy, register_custom_model, register_version

pytestmark = pytest.mark.django_db

HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_tenant_admin_requests_and_platform_admin_approves(module_tenants, make_user) -> None:
    acme = module_tenants["acme"]
    admin = signed_in(make_user("sam", roles={acme: "admin"}))
    page = admin.post(
        f"/t/{acme.slug}/models/", {"model": HAIKU, "justification": "FAQ bot"}, follow=True
    )
    assert "Requested" in page.content.decode()
    request = AccessRequest.objects.get(tenant=acme)

    root = signed_in(make_user("root", is_superuser=True, is_staff=True))
    queue = root.get("/catalog/requests/").content.decode()
    assert "FAQ bot" in queue
    done = root.post(
        "/catalog/requests/",
        {"request_id": request.pk, "decision": "approve", "comment": "go"},
        follow=True,
    )
    assert f"Approved: everyone in {acme.name} can use {HAIKU} now." in done.content.decode()
    again = root.post(
        "/catalog/requests/", {"request_id": request.pk, "decision": "approve"}, follow=True
    )
    assert "already approved" in again.content.decode()

    mine = admin.get(f"/t/{acme.slug}/models/").content.decode()
    assert HAIKU in mine and "approved" in mine
    can_do = mine.split('data-testid="capabilities">', 1)[1].split("<", 1)[0]
    assert "tools" in can_do and "images" in can_do  # what Haiku can do, from the catalogue


def test_members_see_models_but_cannot_request(module_tenants, make_user) -> None:
    acme = module_tenants["acme"]
    member = signed_in(make_user("tia", roles={acme: "member"}))
    assert member.get(f"/t/{acme.slug}/models/").status_code == 200
    member.post(f"/t/{acme.slug}/models/", {"model": HAIKU, "justification": "x"})
    assert not AccessRequest.objects.filter(tenant=acme).exists()


def test_deprecated_model_is_flagged_for_the_tenant(module_tenants, make_user) -> None:
    acme = module_tenants["acme"]
    model = FoundationModel.objects.get(name="amazon.nova-pro-v1:0")
    grant_model(model_name=model.name, tenants=[acme], actor="root")
    now = timezone.now()
    set_lifecycle(
        model=model,
        deprecated_at=now - timedelta(days=1),
        end_of_life_at=now + timedelta(days=30),
        actor="root",
    )
    page = signed_in(make_user("uma", roles={acme: "member"})).get(f"/t/{acme.slug}/models/")
    assert 'data-testid="deprecated"' in page.content.decode()


def test_platform_pages_are_for_platform_admins_only(module_tenants, make_user) -> None:
    acme = module_tenants["acme"]
    tenant_admin = signed_in(make_user("vic", roles={acme: "admin"}))
    for path in ("/catalog/", "/catalog/requests/", "/catalog/registry/"):
        refused = tenant_admin.get(path)
        assert refused.status_code == 403 and "Not allowed" in refused.content.decode()
        assert Client().get(path).status_code == 302  # to sign-in
    other = signed_in(make_user("wes", roles={module_tenants["globex"]: "admin"}))
    assert other.get(f"/t/{acme.slug}/models/").status_code == 404


def test_version_page_shows_lineage_history_and_a_safe_model_card(make_user) -> None:
    model = register_custom_model(
        name="kyc", provider=Provider.objects.get(name="sagemaker"), display_name="KYC", actor="ml"
    )
    register_version(
        custom_model=model, artifact_uri="s3://m/kyc/1", serving_target="kyc-1", actor="ml"
    )
    register_version(
        custom_model=model,
        artifact_uri="s3://m/kyc/2",
        serving_target="kyc-2",
        actor="ml",
        base_model_name="meta.llama3-1-8b-instruct-v1:0",
        parent_number=1,
        training_data="s3://data/kyc/2026-11",
        model_card="# KYC v2\n\n<script>alert(1)</script>",
    )
    deploy(custom_model=model, alias_name="production", version_number=1, actor="ml")
    deploy(custom_model=model, alias_name="production", version_number=2, actor="ml")
    root = signed_in(make_user("root", is_superuser=True, is_staff=True))
    page = root.get("/catalog/registry/kyc/2/").content.decode()
    assert "meta.llama3-1-8b-instruct-v1:0" in page and "s3://data/kyc/2026-11" in page
    assert "<h1>KYC v2</h1>" in page
    assert "<script>alert(1)</script>" not in page
    assert "deploy" in page
    rolled = root.post(
        "/catalog/registry/kyc/", {"alias": "production", "action": "rollback"}, follow=True
    )
    assert "production now points at version 1" in rolled.content.decode()
