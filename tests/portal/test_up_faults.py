"""Fault injection under a load of priced calls: `up` stopped (SIGTERM), its usage-recording
Celery worker killed (SIGKILL), its embedded Redis killed (SIGKILL); then `up` started again.
Every call the upstream answered is billed exactly once, and the budget's counter in Redis
equals the spend PostgreSQL records. (A killed web worker cannot bill the call it was serving:
docs/operations.md.)"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import httpx

from tests.budgets.priced import CALL_COST, PROMPT
from tests.gateway.upstreams import Upstream
from tests.portal.up_process import UpProcess, child_of

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

# Waits until the recorder has written the events `EXPECTED` says and the budget's counter
# agrees with them (reconciled when beat starts), then prints what PostgreSQL recorded and what
# the counter in Redis says. The wait is long enough for a recorder to reclaim a batch another
# one took and never acknowledged (metering.usage_queue.CLAIM_IDLE_MS).
SETTLED = """
import json, os, time
from django.db.models import Sum
from django.utils import timezone
from budgets.reservations import rules_of_tenant, spend_now
from metering.models import UsageEvent
from tenants.models import Tenant

acme = Tenant.objects.get(slug="acme")
events = UsageEvent.objects.unscoped().filter(tenant_id=acme.pk)
(rule,) = rules_of_tenant(acme.pk)
deadline = time.monotonic() + 150
while time.monotonic() < deadline:
    spent = events.aggregate(total=Sum("cost"))["total"]
    if events.count() >= int(os.environ["EXPECTED"]) and spend_now(rule, timezone.now()) == spent:
        break
    time.sleep(0.5)
print(json.dumps({
    "events": events.count(),
    "request_ids": events.values("request_id").distinct().count(),
    "spent": str(events.aggregate(total=Sum("cost"))["total"]),
    "counter": str(spend_now(rule, timezone.now())),
}))
"""


@dataclass
class Faulted:
    """What a load with a fault did: the first `up` (exited), each call's status or error, how
    many calls the upstream answered."""

    up: UpProcess
    statuses: list[int | str]
    answered: int


def _load_with_fault(
    data_dir: Path, upstream: Upstream, fault: Callable[[UpProcess], None]
) -> Faulted:
    """`up` under CALLS priced calls: a quarter answered at once (their usage queued, maybe
    being recorded), then the rest sent together; `fault` strikes when half of those wait at the
    upstream, which answers them all half a second later; then `up` is waited for (any fault
    here ends it)."""
    up = UpProcess(data_dir, "--no-demo")
    statuses: list[int | str] = []
    try:
        up.wait_ready()
        token = up.beside(SET_UP, UPSTREAM_URL=upstream.url).strip().splitlines()[-1]
        url = f"http://127.0.0.1:{up.port}/t/acme/v1/chat/completions"
        body = {"model": "priced-model", "messages": PROMPT, "max_tokens": 2}

        def call() -> None:
            try:
                answer = httpx.post(
                    url, json=body, headers={"Authorization": f"Bearer {token}"}, timeout=90
                )
                statuses.append(answer.status_code)
            except httpx.HTTPError as error:
                statuses.append(type(error).__name__)

        first = [threading.Thread(target=call) for _ in range(CALLS // 4)]
        for caller in first:
            caller.start()
        for caller in first:
            caller.join(90)
        upstream.hold = threading.Event()  # answers wait: calls are in flight at the fault
        callers = [threading.Thread(target=call) for _ in range(CALLS - len(first))]
        for caller in callers:
            caller.start()
        deadline = time.monotonic() + 60
        waiting = len(first) + len(callers) // 2
        while len(upstream.requests) < waiting and time.monotonic() < deadline:
            time.sleep(0.05)
        fault(up)  # with calls in flight at the upstream
        time.sleep(0.5)
        upstream.hold.set()  # the upstream answers them while `up` drains
        for caller in callers:
            caller.join(120)
        up.process.wait(180)
    finally:
        if upstream.hold is not None:
            upstream.hold.set()
        if up.process.poll() is None:
            up.stop()
    answered = len(upstream.requests)
    assert answered >= CALLS // 2, statuses
    assert statuses.count(200) == answered, statuses  # no call the upstream answered failed
    return Faulted(up=up, statuses=statuses, answered=answered)


def _assert_billed_once_after_restart(data_dir: Path, upstream: Upstream, answered: int) -> None:
    again = UpProcess(data_dir, "--no-demo")
    try:
        again.wait_ready()
        settled = json.loads(again.beside(SETTLED, EXPECTED=str(answered)).splitlines()[-1])
    finally:
        assert again.stop() == 0, again.output
        upstream.server.shutdown()
    assert settled["events"] == settled["request_ids"] == answered
    assert Decimal(settled["spent"]) == CALL_COST * answered
    assert Decimal(settled["counter"]) == Decimal(settled["spent"])


def test_every_call_the_upstream_answered_is_billed_once_across_a_stop(tmp_path: Path) -> None:
    upstream = Upstream()
    faulted = _load_with_fault(
        tmp_path / "var", upstream, lambda up: up.process.send_signal(signal.SIGTERM)
    )
    assert faulted.up.process.returncode == 0, faulted.up.output
    # ... and each settled in Redis as usual: it outlived the web server's drain.
    assert "recorded directly" not in faulted.up.output
    _assert_billed_once_after_restart(tmp_path / "var", upstream, faulted.answered)


def test_a_killed_usage_recorder_loses_and_doubles_nothing(tmp_path: Path) -> None:
    """SIGKILL of the `short` queue's worker (its main process and its pool, as the OOM killer
    or a crash would): `up` notices, drains the web server and stops the rest (status 1, for a
    process manager to start it again); the next recorder takes over any batch the dead one
    held unacknowledged, and a batch it had already committed is not written twice."""
    upstream = Upstream()

    def kill_recorder(up: UpProcess) -> None:
        os.killpg(child_of(up, "--queues short").pid, signal.SIGKILL)

    faulted = _load_with_fault(tmp_path / "var", upstream, kill_recorder)
    assert faulted.up.process.returncode == 1, faulted.up.output
    assert "worker-short exited with status -9; stopping" in faulted.up.output
    _assert_billed_once_after_restart(tmp_path / "var", upstream, faulted.answered)


def test_a_killed_redis_loses_no_usage_of_an_answered_call(tmp_path: Path) -> None:
    """SIGKILL of the embedded Redis: `up` notices and stops the rest (status 1); the calls the
    upstream answers meanwhile are recorded straight into PostgreSQL, those queued before are
    in the append-only file (fsync'd before each answer), and the counter is reconciled."""
    upstream = Upstream()
    faulted = _load_with_fault(
        tmp_path / "var", upstream, lambda up: child_of(up, "redis-server").kill()
    )
    assert faulted.up.process.returncode == 1, faulted.up.output
    assert "redis exited with status -9; stopping" in faulted.up.output
    _assert_billed_once_after_restart(tmp_path / "var", upstream, faulted.answered)
