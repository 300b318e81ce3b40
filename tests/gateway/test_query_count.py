"""The gateway's database round trips per call, pinned so that they can only go down."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from identity.services import mint_member_token
from models_catalog.models import FoundationModel, Provider
from models_catalog.services.access import grant_model
from tests.gateway.upstreams import Upstream

pytestmark = pytest.mark.django_db

# search_path twice (public for routing, then the tenant's), tenant, user, membership, model,
# grant, price, and the usage event's INSERT.
MAX_QUERIES_PER_CALL = 9


def test_a_chat_call_makes_at_most_nine_queries(module_tenants, make_user) -> None:
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
    token = mint_member_token(user=make_user("quinn", roles={acme: "member"}), tenant=acme)
    body = {"model": "counted-model", "messages": [{"role": "user", "content": "hi"}]}
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    url = f"/t/{acme.slug}/v1/chat/completions"
    assert client.post(url, body, content_type="application/json").status_code == 200  # warm
    with CaptureQueriesContext(connection) as queries:
        assert client.post(url, body, content_type="application/json").status_code == 200
    assert len(queries.captured_queries) <= MAX_QUERIES_PER_CALL
    upstream.server.shutdown()
