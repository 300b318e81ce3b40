"""The gateway's hot path makes no database query in the steady state (routing, principal,
model, grants and prices from the invalidated caches; usage through the Redis queue), and the
caches that spare the queries never outlive a change."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
import time_machine
from django.db import transaction
from django.db.backends.utils import CursorWrapper
from django.utils import timezone

from identity.services import mint_member_token
from metering.usage_queue import queued_usage
from models_catalog.models import FoundationModel, ModelGrant, Provider
from models_catalog.services.access import grant_model, revoke_grant
from models_catalog.services.catalog import set_lifecycle
from tenants.models import Membership
from tests.gateway.upstreams import Upstream

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def queries(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every SQL statement any thread of this process sends (the server runs in a thread)."""
    sent: list[str] = []
    execute, executemany = CursorWrapper.execute, CursorWrapper.executemany

    def counted_execute(self: CursorWrapper, sql: str, params: Any = None) -> Any:
        sent.append(sql)
        return execute(self, sql, params)

    def counted_executemany(self: CursorWrapper, sql: str, param_list: Any) -> Any:
        sent.append(sql)
        return executemany(self, sql, param_list)

    monkeypatch.setattr(CursorWrapper, "execute", counted_execute)
    monkeypatch.setattr(CursorWrapper, "executemany", counted_executemany)
    return sent


@pytest.fixture
def counted(asgi_url, make_tenant, make_user) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    upstream = Upstream()
    provider = Provider.objects.create(
        name="counted", kind="openai_compatible", endpoint_url=upstream.url
    )
    for name, fallbacks in (("counted-backup", []), ("counted-model", ["counted-backup"])):
        FoundationModel.objects.create(
            name=name,
            provider=provider,
            provider_model_id="c",
            display_name="c",
            modality="chat",
            fallbacks=fallbacks,  # the fallback chain is cached too
        )
    acme = make_tenant("acme")
    grant_model(model_name="counted-model", tenants=[acme], actor="test")
    quinn = make_user("quinn", roles={acme: "member"})
    token = mint_member_token(user=quinn, tenant=acme)
    client = httpx.Client(base_url=f"{asgi_url}/t/{acme.slug}/v1", timeout=30)
    client.headers["Authorization"] = f"Bearer {token}"

    def call() -> int:
        body = {"model": "counted-model", "messages": [{"role": "user", "content": "hi"}]}
        return client.post("/chat/completions", json=body).status_code

    yield call, acme, quinn
    client.close()
    upstream.server.shutdown()


def test_a_warm_chat_call_makes_no_query(counted, queries) -> None:
    call, _, _ = counted
    assert call() == 200  # warms the caches
    queries.clear()
    queued = queued_usage()
    for _ in range(3):
        assert call() == 200
    assert queries == []
    assert queued_usage() == queued + 3  # the usage events wait in Redis for the recorder


def test_a_revoked_grant_holds_from_the_next_call(counted) -> None:
    call, acme, _ = counted
    assert call() == 200
    grant = ModelGrant.objects.get(tenant=acme, model__name="counted-model")
    revoke_grant(grant_id=grant.pk, actor="root")
    assert call() == 403


def test_a_revocation_holds_even_if_a_call_cached_the_grant_before_it_committed(counted) -> None:
    call, acme, _ = counted
    assert call() == 200
    grant = ModelGrant.objects.get(tenant=acme, model__name="counted-model")
    with transaction.atomic():
        revoke_grant(grant_id=grant.pk, actor="root")  # the signals fire before the commit
        assert call() == 200  # the server's connection still sees the grant, and caches it
    assert call() == 403


def test_a_removed_membership_holds_from_the_next_call(counted) -> None:
    call, acme, quinn = counted
    assert call() == 200
    Membership.objects.get(user=quinn, tenant=acme).delete()
    assert call() == 403


def test_a_cached_model_retires_at_its_end_of_life_instant(counted) -> None:
    call, _, _ = counted
    end_of_life = timezone.now() + timedelta(minutes=5)
    set_lifecycle(
        model=FoundationModel.objects.get(name="counted-model"),
        deprecated_at=None,
        end_of_life_at=end_of_life,
        actor="root",
    )
    assert call() == 200  # cached now, with its end-of-life date
    with time_machine.travel(end_of_life - timedelta(seconds=1), tick=False):
        assert call() == 200
    with time_machine.travel(end_of_life, tick=False):
        assert call() == 410  # nothing changed in the database: the clock alone retires it
