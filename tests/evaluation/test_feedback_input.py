"""`POST /v1/feedback` refuses, naming the field, a rating that is not 'up' or 'down' (`true`
passed for "up") and a comment longer than the playground's limit, which is the same one."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django_tenants.utils import tenant_context
from openai import OpenAI

from evaluation.models import ResponseFeedback
from evaluation.services import MAX_COMMENT
from identity.services import mint_member_token
from metering.usage_queue import record_queued_usage
from models_catalog.services.access import grant_model
from tests.gateway.upstreams import Upstream, upstream_model

pytestmark = pytest.mark.django_db(transaction=True)


def test_bad_ratings_and_long_comments_are_refused(asgi_url, make_tenant, make_user) -> None:
    upstream = Upstream()
    upstream_model("fb-input-model", upstream)
    acme = make_tenant("acme")
    grant_model(model_name="fb-input-model", tenants=[acme], actor="test")
    token = mint_member_token(user=make_user("rae", roles={acme: "member"}), tenant=acme)
    sdk = OpenAI(base_url=f"{asgi_url}/t/{acme.slug}/v1", api_key=token, max_retries=0)
    answer = sdk.chat.completions.create(
        model="fb-input-model", messages=[{"role": "user", "content": "Hi"}]
    )
    record_queued_usage()
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    def send(**body: object) -> object:
        return client.post(f"/t/{acme.slug}/v1/feedback",
                           json.dumps({"response_id": answer.id, **body}),
                           content_type="application/json")  # fmt: skip

    for rating in (True, False, 1.0, None, {"up": 1}):
        refused = send(rating=rating)
        assert refused.status_code == 400, rating
        assert refused.json()["error"]["param"] == "rating"
    for comment in ("x" * (MAX_COMMENT + 1), ["Too short"]):
        refused = send(rating="up", comment=comment)
        assert refused.status_code == 400
        assert refused.json()["error"]["param"] == "comment"
    with tenant_context(acme):
        assert not ResponseFeedback.objects.exists()

    kept = send(rating="down", comment="x" * MAX_COMMENT)
    assert kept.status_code == 201 and kept.json()["rating"] == "down"
    with tenant_context(acme):
        assert len(ResponseFeedback.objects.get().comment) == MAX_COMMENT
    upstream.server.shutdown()
