"""Tenant administrators' settings pages: invocation logging (the same service as the API),
and the evaluations page that tells a newcomer how to make a dataset."""

from __future__ import annotations

import pytest
from django.test import Client

from audit.models import AuditEntry
from guardrails.selectors import tenant_row
from guardrails.services import set_tenant_policy

pytestmark = pytest.mark.django_db


def _signed_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_an_administrator_turns_invocation_logging_on_and_off(module_tenants, make_user) -> None:
    acme = module_tenants["acme"]
    admin = _signed_in(make_user("ada", roles={acme: "admin"}))
    set_tenant_policy(tenant=acme, raw={"pii": {"email": "mask"}}, actor="ada")
    url = f"/t/{acme.slug}/invocations/"
    assert "Capture is off" in admin.get(url).content.decode()

    saved = admin.post(url, {"capture_invocations": "on", "retention_days": "7"}, follow=True)

    assert saved.status_code == 200
    page = saved.content.decode()
    assert "Saved: prompts and answers are kept (after masking) for 7 days." in page
    assert "kept (after masking) for 7 days, then deleted" in page
    row = tenant_row(acme)
    assert row is not None and (row.capture_invocations, row.retention_days) == (True, 7)
    assert row.pii == {"email": "mask"}  # the rest of the policy is kept as it was
    entry = AuditEntry.objects.unscoped().filter(action="guardrails.policy").latest("pk")
    assert entry.actor == "ada" and entry.tenant_slug == acme.slug

    admin.post(url, {"retention_days": "7"})
    row = tenant_row(acme)
    assert row is not None and row.capture_invocations is False


def test_a_wrong_retention_is_refused_with_its_label(module_tenants, make_user) -> None:
    acme = module_tenants["acme"]
    admin = _signed_in(make_user("ada", roles={acme: "admin"}))

    refused = admin.post(
        f"/t/{acme.slug}/invocations/", {"capture_invocations": "on", "retention_days": "0"}
    )

    assert refused.status_code == 400
    assert "Retention days: a whole number of days from 1 to 3650." in refused.content.decode()
    row = tenant_row(acme)
    assert row is None or row.capture_invocations is False


def test_members_cannot_change_invocation_logging(module_tenants, make_user) -> None:
    acme = module_tenants["acme"]
    member = _signed_in(make_user("lena", roles={acme: "member"}))
    response = member.post(
        f"/t/{acme.slug}/invocations/", {"capture_invocations": "on", "retention_days": "7"}
    )
    assert response.status_code == 404
    row = tenant_row(acme)
    assert row is None or row.capture_invocations is False


def test_evaluations_without_a_dataset_say_how_to_make_one(module_tenants, make_user) -> None:
    acme = module_tenants["acme"]
    admin = _signed_in(make_user("ada", roles={acme: "admin"}))

    page = admin.get(f"/t/{acme.slug}/evaluations/").content.decode()

    assert 'data-testid="no-datasets"' in page
    assert "Upload a file" in page and '"expected": "Paris"' in page.replace("&quot;", '"')
    assert f'href="/t/{acme.slug}/evaluations/feedback/"' in page
