"""`POST /v1/feedback`: verdicts on the tenant's own API responses only."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django_tenants.utils import tenant_context
from openai import OpenAI

from evaluation.models import ResponseFeedback
from identity.services import mint_member_token
from metering.usage_queue import record_queued_usage
from models_catalog.services.access import grant_model
from tests.gateway.upstreams import Upstream, upstream_model

pytestmark = pytest.mark.django_db(transaction=True)


def test_feedback_on_a_response(asgi_url, make_tenant, make_user) -> None:
    upstream = Upstream()
    upstream_model("fb-model", upstream)
    acme, globex = make_tenant("acme"), make_tenant("globex")
    grant_model(model_name="fb-model", tenants=[acme], actor="test")
    token = mint_member_token(user=make_user("rae", roles={acme: "member"}), tenant=acme)
    sdk = OpenAI(base_url=f"{asgi_url}/t/{acme.slug}/v1", api_key=token, max_retries=0)
    answer = sdk.chat.completions.create(
        model="fb-model", messages=[{"role": "user", "content": "Hi"}]
    )
    record_queued_usage()
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    url = f"/t/{acme.slug}/v1/feedback"

    def send(body: dict, who: Client = client, to: str = url) -> object:
        return who.post(to, json.dumps(body), content_type="application/json")

    assert send({"response_id": answer.id, "rating": "sideways"}).status_code == 400
    saved = send({"response_id": answer.id, "rating": "down", "comment": "Wrong tone"})
    assert saved.status_code == 201
    assert send({"response_id": answer.id, "rating": "up"}).status_code == 201  # replaces
    with tenant_context(acme):
        (verdict,) = ResponseFeedback.objects.all()
        assert (verdict.rating, verdict.principal_name) == (1, "rae")
    spy_token = mint_member_token(user=make_user("eve", roles={globex: "admin"}), tenant=globex)
    spy = Client(HTTP_AUTHORIZATION=f"Bearer {spy_token}")
    foreign = send(
        {"response_id": answer.id, "rating": "down"}, spy, f"/t/{globex.slug}/v1/feedback"
    )
    assert foreign.status_code == 404  # acme's response is not globex's to judge
    upstream.server.shutdown()
