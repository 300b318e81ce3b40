"""The gateway's hot path: database round trips per call pinned (they can only go down), and the
caches that spare them never outlive a change."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from identity.services import mint_member_token
from models_catalog.models import FoundationModel, ModelGrant, Provider
from models_catalog.services.access import grant_model, revoke_grant
from models_catalog.services.catalog import set_lifecycle
from tenants.models import Membership
from tests.gateway.upstreams import Upstream

pytestmark = pytest.mark.django_db

# search_path twice (public for routing, then the tenant's), the tenant's route, and the usage
# event's INSERT. Principal, model, grants and prices come from the invalidated caches.
MAX_QUERIES_PER_CALL = 4


@pytest.fixture
def counted(module_tenants, make_user):
    upstream = Upstream()
    provider = Provider.objects.create(
        name="counted", kind="openai_compatible", endpoint_url=upstream.url
    )
    FoundationModel.objects.create(
        name="counted-model",
        provider=provider,
        provider_model_id="c",
        display_name="c",
        modality="chat",
    )
    acme = module_tenants["acme"]
    grant_model(model_name="counted-model", tenants=[acme], actor="test")
    quinn = make_user("quinn", roles={acme: "member"})
    token = mint_member_token(user=quinn, tenant=acme)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    url = f"/t/{acme.slug}/v1/chat/completions"

    def call() -> int:
        body = {"model": "counted-model", "messages": [{"role": "user", "content": "hi"}]}
        return client.post(url, body, content_type="application/json").status_code

    yield call, acme, quinn
    upstream.server.shutdown()


def test_a_warm_chat_call_makes_at_most_four_queries(counted) -> None:
    call, _, _ = counted
    assert call() == 200  # warms the caches
    with CaptureQueriesContext(connection) as queries:
        assert call() == 200
    assert len(queries.captured_queries) <= MAX_QUERIES_PER_CALL


def test_a_revoked_grant_holds_from_the_next_call(counted) -> None:
    call, acme, _ = counted
    assert call() == 200
    grant = ModelGrant.objects.get(tenant=acme, model__name="counted-model")
    revoke_grant(grant_id=grant.pk, actor="root")
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
