"""Fault injection: `up` stopped (SIGTERM) in the middle of a load of priced calls, then started
again. Every call the upstream answered is billed exactly once, and the budget's counter in
Redis equals the spend PostgreSQL records."""

from __future__ import annotations

import json
import signal
import threading
import time
from decimal import Decimal
from pathlib import Path

import httpx

from tests.budgets.priced import CALL_COST, PROMPT
from tests.gateway.upstreams import Upstream
from tests.portal.up_process import UpProcess

CALLS = 20

SET_UP = """
import os
from django.contrib.auth import get_user_model
from django.utils import timezone
from budgets.services import set_budget
from identity.services import grant_membership, mint_member_token
from models_catalog.models import FoundationModel, Provider
from models_catalog.services.access import grant_model
from models_catalog.services.catalog import set_price
from tenants.services import create_tenant

provider = Provider.objects.create(
    name="faults", kind="openai_compatible", endpoint_url=os.environ["UPSTREAM_URL"]
)
model = FoundationModel.objects.create(
    name="priced-model", provider=provider, provider_model_id="priced-model",
    display_name="priced-model", modality="chat",
)
set_price(model=model, input_per_million="5000", output_per_million="5000", currency="USD",
          effective_from=timezone.now() - timezone.timedelta(days=1), actor="test")
acme = create_tenant(slug="acme", name="Acme Ltd", business_unit="Operations")
grant_model(model_name="priced-model", tenants=[acme], actor="test")
set_budget(tenant=acme, business_unit=None, monthly_limit="100", currency="USD", actor="test")
bea = get_user_model().objects.create_user(username="bea", password="pw-bea-123")
grant_membership(user=bea, tenant=acme, role="member")
print(mint_member_token(user=bea, tenant=acme))
"""

# Waits (a minute at most) until the recorder has written the events `EXPECTED` says, then
# prints what PostgreSQL recorded and what the budget's counter in Redis says.
SETTLED = """
import json, os, time
from django.db.models import Sum
from django.utils import timezone
from budgets.reservations import rules_of_tenant, spend_now
from metering.models import UsageEvent
from tenants.models import Tenant

acme = Tenant.objects.get(slug="acme")
events = UsageEvent.objects.unscoped().filter(tenant_id=acme.pk)
deadline = time.monotonic() + 60
while events.count() < int(os.environ["EXPECTED"]) and time.monotonic() < deadline:
    time.sleep(0.5)
(rule,) = rules_of_tenant(acme.pk)
print(json.dumps({
    "events": events.count(),
    "request_ids": events.values("request_id").distinct().count(),
    "spent": str(events.aggregate(total=Sum("cost"))["total"]),
    "counter": str(spend_now(rule, timezone.now())),
}))
"""


def test_every_call_the_upstream_answered_is_billed_once_across_a_stop(tmp_path: Path) -> None:
    upstream = Upstream()
    upstream.hold = threading.Event()  # answers wait: calls are in flight when `up` stops
    data_dir = tmp_path / "var"
    first = UpProcess(data_dir, "--no-demo")
    statuses: list[int | str] = []
    try:
        first.wait_ready()
        token = first.beside(SET_UP, UPSTREAM_URL=upstream.url).strip().splitlines()[-1]
        url = f"http://127.0.0.1:{first.port}/t/acme/v1/chat/completions"
        body = {"model": "priced-model", "messages": PROMPT, "max_tokens": 2}

        def call() -> None:
            try:
                answer = httpx.post(
                    url, json=body, headers={"Authorization": f"Bearer {token}"}, timeout=90
                )
                statuses.append(answer.status_code)
            except httpx.HTTPError as error:
                statuses.append(type(error).__name__)

        callers = [threading.Thread(target=call) for _ in range(CALLS)]
        for caller in callers:
            caller.start()
        deadline = time.monotonic() + 60
        while len(upstream.requests) < CALLS // 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        first.process.send_signal(signal.SIGTERM)  # with calls in flight at the upstream
        time.sleep(0.5)
        upstream.hold.set()  # the upstream answers them while `up` drains
        for caller in callers:
            caller.join(120)
        assert first.process.wait(120) == 0, first.output
    finally:
        upstream.hold.set()
        if first.process.poll() is None:
            first.stop()
    answered = len(upstream.requests)
    assert answered >= CALLS // 2, statuses
    assert statuses.count(200) == answered, statuses  # no call the upstream answered failed
    # ... and each settled in Redis as usual: it outlived the web server's drain.
    assert "recorded directly" not in first.output

    second = UpProcess(data_dir, "--no-demo")
    try:
        second.wait_ready()
        settled = json.loads(second.beside(SETTLED, EXPECTED=str(answered)).splitlines()[-1])
    finally:
        assert second.stop() == 0, second.output
        upstream.server.shutdown()
    assert settled["events"] == settled["request_ids"] == answered
    assert Decimal(settled["spent"]) == CALL_COST * answered
    assert Decimal(settled["counter"]) == Decimal(settled["spent"])
