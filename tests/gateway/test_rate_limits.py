"""Rate limits hold exactly across two web server processes sharing one Redis."""

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

from identity.services import mint_member_token
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
    if statuses.count(200) < 5:  # a minute boundary fell inside the burst: the count restarted
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
