"""`POST /v1/feedback`: verdicts on the tenant's own API responses only; a rating that is not
'up' or 'down' (`true` passed for "up") and a comment past the playground's limit, which is the
same one, are refused naming the field."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest
from django.test import Client
from django_tenants.utils import tenant_context
from openai import OpenAI

from evaluation.models import ResponseFeedback
from evaluation.services import MAX_COMMENT
from identity.services import mint_member_token
from metering.usage_queue import record_queued_usage
from models_catalog.services.access import grant_model
from tenants.models import Tenant
from tests.gateway.upstreams import Upstream, upstream_model

pytestmark = pytest.mark.django_db(transaction=True)

Send = Callable[..., object]


@pytest.fixture
def upstream() -> Iterator[Upstream]:
    server = Upstream()
    upstream_model("fb-model", server)
    yield server
    server.server.shutdown()


def answered(asgi_url: str, tenant: Tenant, make_user: Callable[..., object]) -> tuple[str, str]:
    """A member's token and the id of an answer the API gave them."""
    grant_model(model_name="fb-model", tenants=[tenant], actor="test")
    token = mint_member_token(user=make_user("rae", roles={tenant: "member"}), tenant=tenant)
    sdk = OpenAI(base_url=f"{asgi_url}/t/{tenant.slug}/v1", api_key=token, max_retries=0)
    answer = sdk.chat.completions.create(
        model="fb-model", messages=[{"role": "user", "content": "Hi"}]
    )
    record_queued_usage()
    return token, answer.id


def sender(token: str, tenant: Tenant) -> Send:
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    def send(**body: object) -> object:
        return client.post(f"/t/{tenant.slug}/v1/feedback", json.dumps(body),
                           content_type="application/json")  # fmt: skip

    return send


def test_feedback_on_a_response(asgi_url, make_tenant, make_user, upstream) -> None:
    acme, globex = make_tenant("acme"), make_tenant("globex")
    token, answer_id = answered(asgi_url, acme, make_user)
    send = sender(token, acme)
    assert send(response_id=answer_id, rating="sideways").status_code == 400
    saved = send(response_id=answer_id, rating="down", comment="Wrong tone")
    assert saved.status_code == 201
    assert send(response_id=answer_id, rating="up").status_code == 201  # replaces
    with tenant_context(acme):
        (verdict,) = ResponseFeedback.objects.all()
        assert (verdict.rating, verdict.principal_name) == (1, "rae")
    spy_token = mint_member_token(user=make_user("eve", roles={globex: "admin"}), tenant=globex)
    foreign = sender(spy_token, globex)(response_id=answer_id, rating="down")
    assert foreign.status_code == 404  # acme's response is not globex's to judge


def test_bad_ratings_and_long_comments_are_refused(
    asgi_url, make_tenant, make_user, upstream
) -> None:
    acme = make_tenant("acme")
    token, answer_id = answered(asgi_url, acme, make_user)
    send = sender(token, acme)
    for rating in (True, False, 1.0, None, {"up": 1}):
        refused = send(response_id=answer_id, rating=rating)
        assert refused.status_code == 400, rating
        assert refused.json()["error"]["param"] == "rating"
    for comment in ("x" * (MAX_COMMENT + 1), ["Too short"]):
        refused = send(response_id=answer_id, rating="up", comment=comment)
        assert refused.status_code == 400
        assert refused.json()["error"]["param"] == "comment"
    with tenant_context(acme):
        assert not ResponseFeedback.objects.exists()

    kept = send(response_id=answer_id, rating="down", comment="x" * MAX_COMMENT)
    assert kept.status_code == 201 and kept.json()["rating"] == "down"
    with tenant_context(acme):
        assert len(ResponseFeedback.objects.get().comment) == MAX_COMMENT
