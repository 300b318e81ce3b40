"""Rate limits hold exactly across two web server processes sharing one Redis, and in every 60
seconds (a sliding minute), not per calendar minute: a burst either side of a minute boundary
cannot pass twice the limit. The clock tests hand the limiter the time it would read from Redis."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from django.conf import settings
from django.db import connection

from gateway.rate_limits import RateLimited, Reservation, take
from identity.services import mint_member_token
from kernel.redis_client import shared_redis
from models_catalog.models import FoundationModel, ModelGrant, Provider
from models_catalog.services.access import grant_model
from portal.embedded import free_loopback_port
from tests.gateway.upstreams import Upstream

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    connection.ensure_connection()
    params = connection.settings_dict
    host = params["HOST"].replace("/", "%2F")
    password = f":{params['PASSWORD']}" if params["PASSWORD"] else ""
    port = f":{params['PORT']}" if params["PORT"] else ""
    return f"postgres://{params['USER']}{password}@{host}{port}/{params['NAME']}"


@pytest.fixture
def two_servers() -> Iterator[list[str]]:
    """Two uvicorn processes on the test database and the test Redis."""
    env = {**os.environ, "DATABASE_URL": database_url(), "REDIS_URL": settings.REDIS_URL,
           "ATRIUM_HTTPS": "false"}  # fmt: skip
    processes, urls = [], []
    for _ in range(2):
        port = free_loopback_port()
        processes.append(subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "portal.asgi:application", "--port", str(port),
             "--lifespan", "off", "--log-level", "warning"],
            cwd=ROOT, env=env,
        ))  # fmt: skip
        urls.append(f"http://127.0.0.1:{port}")
    deadline = time.monotonic() + 60
    for url in urls:
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, "the servers did not start"
                time.sleep(0.2)
    yield urls
    for process in processes:
        process.terminate()
        process.wait(20)


@pytest.fixture
def fast_model(make_tenant, make_user) -> Iterator[tuple[object, str, ModelGrant]]:
    upstream = Upstream()
    provider = Provider.objects.create(name="fast", kind="openai_compatible",
                                       endpoint_url=upstream.url)  # fmt: skip
    FoundationModel.objects.create(name="fast-model", provider=provider, provider_model_id="f",
                                   display_name="fast", modality="chat")  # fmt: skip
    acme = make_tenant("acme")
    (grant,) = grant_model(model_name="fast-model", tenants=[acme], actor="test")
    token = mint_member_token(user=make_user("ben", roles={acme: "member"}), tenant=acme)
    yield acme, token, grant
    upstream.server.shutdown()


def call(url: str, slug: str, token: str, max_tokens: int = 10) -> httpx.Response:
    return httpx.post(
        f"{url}/t/{slug}/v1/chat/completions",
        json={"model": "fast-model", "messages": [{"role": "user", "content": "hi"}],
              "max_tokens": max_tokens},
        headers={"Authorization": f"Bearer {token}"}, timeout=30,
    )  # fmt: skip


def test_tenant_request_limit_is_exact_across_two_processes(two_servers, fast_model) -> None:
    acme, token, _ = fast_model
    acme.requests_per_minute = 5
    acme.save()
    statuses = [call(two_servers[i % 2], acme.slug, token).status_code for i in range(8)]
    assert statuses.count(200) == 5
    assert statuses.count(429) == 3
    refused = call(two_servers[0], acme.slug, token)
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert "5 requests per minute" in refused.json()["error"]["message"]


def test_per_model_token_limit_counts_the_worst_case_then_settles(two_servers, fast_model):
    acme, token, grant = fast_model
    grant.tokens_per_minute = 100
    grant.save()
    too_big = call(two_servers[0], acme.slug, token, max_tokens=500)
    assert too_big.status_code == 429
    assert "lower max_tokens" in too_big.json()["error"]["message"]
    # Each call reserves ~60 tokens but uses 13 (the upstream's usage): settled, the next fits.
    assert [call(two_servers[i % 2], acme.slug, token, max_tokens=50).status_code
            for i in range(4)] == [200, 200, 200, 200]  # fmt: skip


BOUNDARY = 1_800_000_000.0  # a whole minute since the epoch: 12:00:00 on some calendar


def limited(make_tenant, **limits: int) -> tuple[object, ModelGrant]:  # type: ignore[no-untyped-def]
    provider = Provider.objects.create(name="clocked", kind="openai_compatible",
                                       endpoint_url="http://127.0.0.1:9")  # fmt: skip
    FoundationModel.objects.create(name="clocked-model", provider=provider, provider_model_id="c",
                                   display_name="clocked", modality="chat")  # fmt: skip
    acme = make_tenant("acme")
    (grant,) = grant_model(model_name="clocked-model", tenants=[acme], actor="test")
    for field, value in limits.items():
        setattr(grant, field, value)
    grant.save()
    return acme, grant


def taken(tenant, grant, at: float, tokens: int = 1) -> Reservation | None:  # type: ignore[no-untyped-def]
    try:
        return take(tenant=tenant, grant=grant, model_name="clocked-model", tokens=tokens, now=at)
    except RateLimited:
        return None


def test_no_60_seconds_hold_more_than_the_limit_across_minute_boundaries(make_tenant) -> None:
    acme, grant = limited(make_tenant, requests_per_minute=5)
    # Five calls in the last second of a calendar minute, then a try every 0.7 s for 3 minutes.
    tries = [BOUNDARY - 1 + 0.1 * n for n in range(5)]
    tries += [BOUNDARY + 0.7 * n for n in range(260)]
    accepted = [at for at in tries if taken(acme, grant, at)]
    assert accepted[:5] == tries[:5]
    assert all(sum(1 for other in accepted if at - 60 < other <= at) <= 5 for at in accepted)
    assert len(accepted) >= 15  # the limit slides on: five in each of the three minutes after


def test_retry_after_is_when_the_call_would_fit(make_tenant) -> None:
    acme, grant = limited(make_tenant, requests_per_minute=2)
    assert taken(acme, grant, BOUNDARY - 1) and taken(acme, grant, BOUNDARY + 10)
    with pytest.raises(RateLimited) as refused:
        take(tenant=acme, grant=grant, model_name="clocked-model", tokens=1, now=BOUNDARY + 1)
    assert refused.value.retry_after == 58  # the call at BOUNDARY - 1 leaves at BOUNDARY + 59
    assert "2 requests/min to clocked-model" in refused.value.message
    assert taken(acme, grant, BOUNDARY + 58.9) is None
    assert taken(acme, grant, BOUNDARY + 59)


def test_settled_tokens_leave_the_window_with_their_call(make_tenant) -> None:
    acme, grant = limited(make_tenant, tokens_per_minute=100)
    first = taken(acme, grant, BOUNDARY, tokens=60)
    assert first is not None
    with shared_redis().pipeline(transaction=False) as pipe:
        first.settle(10, pipe)  # reserved 60, used 10
        pipe.execute()
    assert taken(acme, grant, BOUNDARY + 1, tokens=80)  # 10 + 80
    with pytest.raises(RateLimited) as refused:
        take(tenant=acme, grant=grant, model_name="clocked-model", tokens=20, now=BOUNDARY + 2)
    assert refused.value.retry_after == 58  # once the settled 10 leave, 80 + 20 fit
    assert taken(acme, grant, BOUNDARY + 60, tokens=20)
    with pytest.raises(RateLimited, match="lower max_tokens"):
        take(tenant=acme, grant=grant, model_name="clocked-model", tokens=101, now=BOUNDARY + 61)
