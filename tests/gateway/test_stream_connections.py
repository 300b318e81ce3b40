"""A stream's body runs after its view returned; the database connections its settlement opens
go back to the pool all the same (with Redis gone at settlement, each stream's usage event is
written straight to PostgreSQL: more streams than the pool holds must all be recorded)."""

from __future__ import annotations

import pytest
import redis

from gateway import usage
from metering.models import UsageEvent
from tests.budgets.priced import PROMPT, priced_tenant

pytestmark = pytest.mark.django_db(transaction=True)


def test_streams_settled_without_redis_give_their_connections_back(
    request, asgi_url, make_tenant, make_user, monkeypatch, settings
) -> None:  # fmt: skip
    priced = priced_tenant(request, asgi_url, make_tenant, make_user)

    def redis_gone(pipe: object, event: object) -> None:
        raise redis.ConnectionError("Redis went away after admission")

    monkeypatch.setattr(usage, "enqueue", redis_gone)
    streams = settings.DATABASES["default"]["OPTIONS"]["pool"]["max_size"] + 5
    for _ in range(streams):
        body = {"model": "priced-model", "messages": PROMPT, "max_tokens": 2, "stream": True}
        with priced.client.stream("POST", "/chat/completions", json=body) as answer:
            assert answer.status_code == 200
            answer.read()
    assert priced.call().status_code == 200
    recorded = UsageEvent.objects.unscoped().filter(tenant_id=priced.tenant.pk)
    assert recorded.filter(streamed=True, status="ok").count() == streams
    assert recorded.count() == streams + 1
