"""A business unit's calls followed into the finance export: a gateway call by a principal of
unit U is a Parquet row under U's id and name, and the Athena DDL in docs/metering.md says what
the files hold."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pyarrow as pa
import pytest
from django.utils import timezone

from identity.business_units import assign_business_units
from identity.services import create_service_account
from identity.tokens import SERVICE_ACCOUNT, sign_access_token
from metering.exports import AUDIT_COLUMNS, USAGE_COLUMNS, export_usage
from metering.usage_queue import record_queued_usage
from tenants.models import Membership
from tenants.services import add_business_unit
from tests.budgets.priced import PROMPT, priced_tenant
from tests.metering.test_export import downloaded

METERING_DOCS = Path(__file__).resolve().parents[2] / "docs" / "metering.md"


@pytest.mark.django_db(transaction=True)
def test_a_units_gateway_calls_are_exported_under_the_unit(
    request, asgi_url, make_tenant, make_user, s3, bucket
) -> None:
    priced = priced_tenant(request, asgi_url, make_tenant, make_user)
    acme = priced.tenant
    wealth = add_business_unit(tenant=acme, name="Wealth", actor="test")
    lab = add_business_unit(tenant=acme, name="Lab", actor="test")
    bea = Membership.objects.get(tenant=acme, user__username="bea")
    assign_business_units(assignee=bea, business_unit_id=wealth.pk, actor="test")
    account, _ = create_service_account(tenant=acme, name="lab-bot", business_unit_id=lab.pk)
    bot_token = sign_access_token(
        subject=account.client_id,
        extra_claims={"principal": SERVICE_ACCOUNT, "client_id": account.client_id},
    )

    assert priced.call().status_code == 200
    bot_call = httpx.post(
        f"{asgi_url}/t/{acme.slug}/v1/chat/completions",
        headers={"Authorization": f"Bearer {bot_token}"},
        json={"model": "priced-model", "messages": PROMPT, "max_tokens": 2},
        timeout=60,
    )
    assert bot_call.status_code == 200
    record_queued_usage()

    table, _ = downloaded(s3, bucket, export_usage(timezone.now().date()).usage.key)
    rows = [row for row in table.to_pylist() if row["tenant_id"] == acme.pk]
    assert {(r["principal_name"], r["business_unit_id"], r["business_unit"]) for r in rows} == {
        ("bea", wealth.pk, "Wealth"),
        ("lab-bot", lab.pk, "Lab"),
    }


ATHENA_TYPES = {pa.string(): "string", pa.int64(): "bigint", pa.bool_(): "boolean"}


def athena_type(arrow: Any) -> str:
    if pa.types.is_decimal(arrow):
        return f"decimal({arrow.precision},{arrow.scale})"
    if pa.types.is_timestamp(arrow):
        return "timestamp"
    return ATHENA_TYPES[arrow]


@pytest.mark.parametrize(("table", "columns"), [("atrium_usage", USAGE_COLUMNS),
                                                ("atrium_audit", AUDIT_COLUMNS)])  # fmt: skip
def test_the_documented_athena_tables_match_the_files(table: str, columns: Any) -> None:
    body = re.search(rf"CREATE EXTERNAL TABLE {table} \((.*?)\n\)", METERING_DOCS.read_text(), re.S)
    assert body is not None
    documented = [line.strip().rstrip(",").split() for line in body[1].strip().splitlines()]
    assert [(name.strip("`"), kind) for name, kind in documented] == [
        (column.name, athena_type(column.type)) for column in columns
    ]
