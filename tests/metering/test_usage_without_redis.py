"""Redis dying while a call is with the upstream: the answer still reaches the client, and its
usage event is written straight to PostgreSQL, once (the queue's copy, if any, is skipped)."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from metering.models import UsageEvent
from portal.embedded import start_redis
from tests.budgets.priced import CALL_COST, priced_tenant

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_answered_call_is_billed_when_redis_dies_mid_call(
    request, asgi_url, make_tenant, make_user, settings, tmp_path
) -> None:
    priced = priced_tenant(request, asgi_url, make_tenant, make_user)
    own_redis = start_redis(tmp_path / "redis")
    request.addfinalizer(own_redis.stop)
    suites = settings.REDIS_URL
    settings.REDIS_URL = own_redis.url  # the gateway's Redis only: the suite's stays up
    request.addfinalizer(lambda: setattr(settings, "REDIS_URL", suites))  # before the tenants go
    priced.upstream.hold = threading.Event()
    answers: list[httpx.Response] = []
    calling = threading.Thread(target=lambda: answers.append(priced.call()))
    calling.start()
    deadline = time.monotonic() + 30
    while not priced.upstream.requests and time.monotonic() < deadline:
        time.sleep(0.05)  # admitted (reserved in this Redis) and with the upstream

    own_redis.stop()
    priced.upstream.hold.set()
    calling.join()

    (answer,) = answers
    assert answer.status_code == 200
    assert answer.json()["choices"][0]["message"]["content"] == "Hello there"
    event = UsageEvent.objects.unscoped().get(request_id=answer.json()["id"])
    assert (event.input_tokens, event.output_tokens, event.status) == (11, 2, "ok")
    assert event.cost == CALL_COST
