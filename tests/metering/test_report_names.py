"""The platform's billing report names each tenant and business unit apart: two tenants that
share a name, and a unit deleted with its tenant, keep rows of their own."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from metering.rollups import roll_up_usage
from tenants.models import BusinessUnit
from tenants.services import delete_tenant
from tests.metering.events import save_events, usage_event

pytestmark = pytest.mark.django_db

DAY = datetime(2026, 10, 5, tzinfo=UTC)
RANGE = {"start": "2026-10-05", "end": "2026-10-05"}


def costs(client: Client, group: str, column: str) -> dict[str, Decimal]:
    response = client.get("/billing/", {**RANGE, "group": group, "format": "csv"})
    assert response.status_code == 200
    rows = csv.DictReader(io.StringIO(response.content.decode()))
    return {row[column]: Decimal(row["Cost"]) for row in rows}


def test_two_tenants_of_one_name_and_a_deleted_unit_keep_their_own_rows(
    make_tenant, make_user
) -> None:
    first, twin, gone = make_tenant("acme"), make_tenant("acme"), make_tenant("acme")
    assert first.name == twin.name == gone.name
    unit = BusinessUnit.objects.get(tenant=gone)
    save_events([
        usage_event(first, DAY + timedelta(hours=1), cost=Decimal("1")),
        usage_event(twin, DAY + timedelta(hours=2), cost=Decimal("2")),
        usage_event(gone, DAY + timedelta(hours=3), cost=Decimal("4"), business_unit_id=unit.pk),
    ])  # fmt: skip
    roll_up_usage(until=timezone.now())
    root = Client()
    root.force_login(make_user("root", is_superuser=True, is_staff=True))
    by_tenant = costs(root, "tenant", "Tenant")
    assert {f"Acme Ltd ({first.slug})", f"Acme Ltd ({twin.slug})"} <= set(by_tenant)
    assert by_tenant[f"Acme Ltd ({first.slug})"] == Decimal("1.00")
    assert by_tenant[f"Acme Ltd ({twin.slug})"] == Decimal("2.00")

    delete_tenant(slug=gone.slug, confirm=gone.slug)
    by_unit = costs(root, "business_unit", "Business unit")
    assert by_unit[f"Tenant {gone.pk} / Unit {unit.pk} (deleted)"] == Decimal("4.00")
    assert f"Tenant {gone.pk} / No business unit" not in by_unit
