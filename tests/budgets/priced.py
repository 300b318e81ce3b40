"""A tenant calling a priced model on a loopback upstream through the real ASGI server: the
setting of the budget, usage and admission tests."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
import pytest
from django.db.models import Sum
from django.utils import timezone

from identity.services import mint_member_token
from metering.models import UsageEvent
from metering.usage_queue import record_queued_usage
from models_catalog.services.access import grant_model
from models_catalog.services.catalog import set_price
from tenants.models import Tenant
from tests.gateway.upstreams import Upstream, upstream_model

# The test upstream reports 11 prompt + 2 completion tokens per call: at 5000 per million tokens
# each call costs 0.065. The prompt below is estimated generously (28 tokens) for the reservation.
PROMPT = [{"role": "user", "content": "x" * 60}]
CALL_COST = Decimal("0.065")
WORST_CASE = Decimal("0.15")  # (28 + 2) tokens at 5000 per million


@dataclass
class Priced:
    tenant: Tenant
    upstream: Upstream
    client: httpx.Client

    def call(self, **body: Any) -> httpx.Response:
        return self.client.post(
            "/chat/completions",
            json={"model": "priced-model", "messages": PROMPT, "max_tokens": 2, **body},
        )


def priced_tenant(
    request: pytest.FixtureRequest, asgi_url: str, make_tenant: Any, make_user: Any
) -> Priced:
    """acme, whose member bea calls `priced-model` (closed after the test)."""
    upstream = Upstream()
    model = upstream_model("priced-model", upstream)
    set_price(model=model, input_per_million="5000", output_per_million="5000", currency="USD",
              effective_from=timezone.now() - timezone.timedelta(days=1), actor="test")  # fmt: skip
    acme = make_tenant("acme")
    grant_model(model_name="priced-model", tenants=[acme], actor="test")
    token = mint_member_token(user=make_user("bea", roles={acme: "member"}), tenant=acme)
    client = httpx.Client(
        base_url=f"{asgi_url}/t/{acme.slug}/v1", timeout=60,
        headers={"Authorization": f"Bearer {token}"},
        limits=httpx.Limits(max_connections=64),
    )  # fmt: skip
    request.addfinalizer(client.close)
    request.addfinalizer(upstream.server.shutdown)
    return Priced(acme, upstream, client)


def recorded_spend(tenant_id: int) -> Decimal:
    """The tenant's spend as PostgreSQL records it, once the queued events are written."""
    record_queued_usage()
    events = UsageEvent.objects.unscoped().filter(tenant_id=tenant_id)
    return events.aggregate(total=Sum("cost"))["total"] or Decimal(0)
