"""Several replicas on standalone servers (#17): two web processes, two workers and two beats on
one PostgreSQL and one Redis. What must hold however many processes run: limits and budgets
exact across replicas, a revocation refused by every replica at once, a web process killed
mid-load losing no answered call's bill, and a rolling restart failing no request."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from tests import waiting
from tests.portal.topology import Topology, start_topology

LIMITED_RPM = 12
CAPPED_BUDGET = Decimal("0.20")  # USD; a call's worst case is about 0.03 at this price


@pytest.fixture(scope="module")
def topology(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Topology]:
    started = start_topology(
        Path(tmp_path_factory.mktemp("topology")),
        limited_rpm=LIMITED_RPM,
        capped_budget=str(CAPPED_BUDGET),
    )
    try:
        yield started
    finally:
        started.stop()


def call(port: int, token: str, model: str = "open-model") -> httpx.Response:
    return httpx.post(
        f"http://127.0.0.1:{port}/t/acme/v1/chat/completions",
        json={"model": model, "messages": [{"role": "user", "content": "hi"}], "max_tokens": 16},
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
    )


def eventually(condition: Callable[[], bool], seconds: float = 90) -> bool:
    return waiting.eventually(condition, seconds, every=0.5)


def billed(topology: Topology, request_ids: list[str]) -> dict[str, int]:
    rows = topology.query(
        "SELECT request_id, count(*) FROM metering_usageevent WHERE request_id = ANY(%s) "
        "GROUP BY request_id",
        request_ids,
    )
    return {request_id: count for request_id, count in rows}


def every_answer_billed_once(topology: Topology, request_ids: list[str]) -> bool:
    found = billed(topology, request_ids)
    return len(found) == len(request_ids) and set(found.values()) == {1}


def test_a_rate_limit_holds_exactly_across_both_web_processes(topology: Topology) -> None:
    ports = list(topology.webs)
    token = topology.token("loader", ports[0])
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(
            lambda i: call(ports[i % 2], token, "limited-model"), range(2 * LIMITED_RPM)
        ))  # fmt: skip
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [200] * LIMITED_RPM + [429] * LIMITED_RPM, statuses


def test_a_budget_is_never_overspent_across_both_web_processes(topology: Topology) -> None:
    ports = list(topology.webs)
    token = topology.token("capped", ports[1])
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda i: call(ports[i % 2], token), range(40)))
    answered = [a.headers["X-Request-Id"] for a in answers if a.status_code == 200]
    refused = [a for a in answers if a.status_code == 429]
    assert answered and refused, [a.status_code for a in answers]
    assert "budget" in refused[0].json()["error"]["message"].lower()
    assert eventually(lambda: every_answer_billed_once(topology, answered))
    ((spent,),) = topology.query(
        "SELECT coalesce(sum(cost), 0) FROM metering_usageevent WHERE request_id = ANY(%s)",
        answered,
    )
    assert Decimal(spent) <= CAPPED_BUDGET


def test_a_revocation_is_refused_by_every_replica_at_once(topology: Topology) -> None:
    ports = list(topology.webs)
    token = topology.token("doomed", ports[0])
    for port in ports:  # both replicas now hold the account in their caches (for an hour)
        assert call(port, token).status_code == 200
    account = topology.accounts["doomed"]["id"]
    topology.manage("shell", "-v", "0", "-c", (
        "from identity.services import revoke_service_account; "
        "from tenants.models import ServiceAccount; "
        f"revoke_service_account(account=ServiceAccount.objects.get(pk={account}), actor='ops')"
    ))  # fmt: skip
    # Pushed over Redis to both: refused well within a second of the revoking process's exit.
    for port in ports:
        assert eventually(lambda port=port: call(port, token).status_code == 401, 5), port


class Load:
    """Threads calling the gateway until stopped, each on the ports `pick(thread, turn)` names:
    the answered calls' request ids, and every failure (an HTTP error or a status but 200)."""

    def __init__(self, token: str, pick: Callable[[int, int], int], threads: int = 3) -> None:
        self.token, self.pick = token, pick
        self.answered: list[str] = []
        self.failures: list[str] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(i,)) for i in range(threads)]
        for thread in self._threads:
            thread.start()

    def _run(self, index: int) -> None:
        turn = 0
        while not self._stop.is_set():
            port = self.pick(index, turn)
            turn += 1
            try:
                answer = call(port, self.token)
            except httpx.HTTPError as error:
                self.failures.append(f"{port}: {type(error).__name__}: {error}")
                continue
            if answer.status_code == 200:
                self.answered.append(answer.headers["X-Request-Id"])
            else:
                self.failures.append(f"{port}: {answer.status_code}")

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(60)


def test_a_web_process_killed_mid_load_loses_no_answered_call(topology: Topology) -> None:
    victim, survivor = list(topology.webs)
    targets = (victim, victim, survivor)
    load = Load(topology.token("loader", survivor), lambda thread, _: targets[thread])
    try:
        assert eventually(lambda: len(load.answered) >= 20, 60)
        os.killpg(topology.webs[victim].pid, signal.SIGKILL)
        topology.webs[victim].wait(10)
        time.sleep(1)
    finally:
        load.stop()
    assert any(f.startswith(str(victim)) for f in load.failures)  # it did die mid-load
    assert eventually(lambda: every_answer_billed_once(topology, load.answered))
    topology.start_web(victim)  # for the tests after this one


def test_a_rolling_restart_fails_no_request(topology: Topology) -> None:
    """Each replica in turn leaves the rotation (a load balancer's readiness), is stopped with
    SIGTERM (it drains what it holds) and started again; the load never stops."""
    ports = list(topology.webs)
    rotation = list(ports)
    load = Load(topology.token("loader", ports[0]), lambda _, turn: rotation[turn % len(rotation)])
    try:
        for port in ports:
            rotation.remove(port)
            time.sleep(1)  # what a pod's preStop waits for: calls already routed here arrive
            topology.restart_web(port)
            rotation.append(port)
            time.sleep(1)
    finally:
        load.stop()
    assert load.failures == []
    assert len(load.answered) > 20
    assert eventually(lambda: every_answer_billed_once(topology, load.answered))


def test_signing_keys_rotate_with_replicas_restarting_one_by_one(topology: Topology) -> None:
    """Every token, minted before or after, by a replica on the old or the new ring, is
    accepted by every replica at every step."""
    ports = list(topology.webs)
    tokens = [topology.token("loader", ports[0])]

    def whoami(port: int, token: str) -> int:
        return httpx.get(
            f"http://127.0.0.1:{port}/t/acme/v1/whoami",
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        ).status_code

    topology.manage("rotate_signing_keys")
    for port in ports:
        topology.restart_web(port)
        tokens.append(topology.token("loader", port))  # signed with the new key
        assert [whoami(p, t) for p in ports for t in tokens] == [200] * len(ports) * len(tokens)


def test_a_grant_revoked_elsewhere_is_refused_by_every_replica_at_once(topology: Topology) -> None:
    """Last: the model is gone for the tenant afterwards."""
    ports = list(topology.webs)
    token = topology.token("loader", ports[0])
    for port in ports:  # both hold the grant in their hot caches
        assert call(port, token).status_code == 200
    topology.manage("shell", "-v", "0", "-c", (
        "from models_catalog.models import ModelGrant; "
        "from models_catalog.services.access import revoke_grant; "
        "grant = ModelGrant.objects.get(tenant__slug='acme', model__name='open-model'); "
        "revoke_grant(grant_id=grant.pk, actor='ops')"
    ))  # fmt: skip
    for port in ports:
        assert eventually(lambda port=port: call(port, token).status_code == 403, 5), port
