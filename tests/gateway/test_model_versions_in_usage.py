"""Which custom model version served a call is on its usage event, in the tenant's billing CSV
and in the export's columns: a registry deploy and a rollback show in usage from the next call."""

from __future__ import annotations

import csv
import io
from datetime import UTC

import pytest
from django.test import Client
from django.utils import timezone

from metering.exports import USAGE_COLUMNS
from models_catalog.models import CustomModel
from models_catalog.services.registry import deploy, register_version, rollback
from tenants.models import Tenant
from tests.gateway.recorded import events_of

pytestmark = pytest.mark.django_db(transaction=True)

ASK = [{"role": "user", "content": "Water damage, ceiling"}]


def test_a_deploy_and_a_rollback_show_in_usage(aws_client, make_user) -> None:
    slug = aws_client.base_url.path.split("/")[2]
    claims = CustomModel.objects.get(name="claims")
    aws_client.chat.completions.create(model="custom/claims", messages=ASK)
    register_version(custom_model=claims, artifact_uri="s3://m/claims/2",
                     serving_target="claims-endpoint-2", actor="ml")  # fmt: skip
    deploy(custom_model=claims, alias_name="production", version_number=2, actor="ml")
    aws_client.chat.completions.create(model="custom/claims", messages=ASK)
    aws_client.chat.completions.create(model="custom/claims@1", messages=ASK)
    rollback(custom_model=claims, alias_name="production", actor="ml")
    aws_client.chat.completions.create(model="custom/claims", messages=ASK)
    events = events_of(slug, 4)
    assert [(e.requested_model, e.model_name, e.model_version) for e in events] == [
        ("custom/claims", "custom/claims", 1), ("custom/claims", "custom/claims", 2),
        ("custom/claims@1", "custom/claims", 1), ("custom/claims", "custom/claims", 1),
    ]  # fmt: skip
    tenant = Tenant.objects.get(slug=slug)
    admin = Client()
    admin.force_login(make_user("ada-admin", roles={tenant: "admin"}))
    today = timezone.now().astimezone(UTC).date().isoformat()
    query = {"start": today, "end": today, "group": "model_version", "format": "csv"}
    answer = admin.get(f"/t/{slug}/billing/", query)
    rows = list(csv.DictReader(io.StringIO(answer.content.decode())))
    assert {row["Model version"]: int(row["Calls"]) for row in rows} == {
        "custom/claims v1": 3, "custom/claims v2": 1,
    }  # fmt: skip
    assert {"requested_model", "model_version"} <= {column.name for column in USAGE_COLUMNS}
