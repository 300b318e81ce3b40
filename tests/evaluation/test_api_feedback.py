"""Feedback given through the API on a captured call becomes a curated evaluation item, like
playground feedback does."""

from __future__ import annotations

import json
import time

import pytest
from django.test import Client
from django_tenants.utils import tenant_context
from openai import OpenAI

from evaluation.models import DatasetItem
from guardrails.models import InvocationRecord
from guardrails.services import set_tenant_policy
from identity.services import mint_member_token
from metering.usage_queue import record_queued_usage
from models_catalog.services.access import grant_model
from tests.gateway.upstreams import Upstream, upstream_model

pytestmark = pytest.mark.django_db(transaction=True)


def test_api_feedback_is_curated_into_a_dataset(asgi_url, make_tenant, make_user,
                                                celery_worker) -> None:  # fmt: skip
    upstream = Upstream()
    upstream.answer = "Paris."
    upstream_model("quiz-model", upstream)
    acme = make_tenant("acme")
    grant_model(model_name="quiz-model", tenants=[acme], actor="test")
    set_tenant_policy(tenant=acme, raw={"capture_invocations": True}, actor="ada")
    ada = make_user("ada", roles={acme: "admin"})
    token = mint_member_token(user=ada, tenant=acme)
    sdk = OpenAI(base_url=f"{asgi_url}/t/{acme.slug}/v1", api_key=token, max_retries=0)
    answer = sdk.chat.completions.create(
        model="quiz-model", messages=[{"role": "user", "content": "Capital of France?"}]
    )
    record_queued_usage()
    deadline = time.monotonic() + 20
    while True:
        with tenant_context(acme):
            if InvocationRecord.objects.filter(request_id=answer.id).exists():
                break
        assert time.monotonic() < deadline, "the call was not captured"
        time.sleep(0.2)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    given = api.post(f"/t/{acme.slug}/v1/feedback", json.dumps(
        {"response_id": answer.id, "rating": "up"}), content_type="application/json")  # fmt: skip
    assert given.status_code == 201

    page = Client()
    page.force_login(ada)
    url = f"/t/{acme.slug}/evaluations/feedback/"
    shown = page.get(url)
    assert shown.status_code == 200 and "Capital of France?" in shown.content.decode()
    with tenant_context(acme):
        from evaluation.models import ResponseFeedback

        key = f"api-{ResponseFeedback.objects.get(request_id=answer.id).pk}"
    added = page.post(url, {"dataset_name": "From the API", "feedback": [key],
                            f"expected-{key}": "Paris"})  # fmt: skip
    assert added.status_code == 302, added.content.decode()[:500]
    with tenant_context(acme):
        (item,) = DatasetItem.objects.filter(dataset__name="From the API")
        assert (item.prompt, item.expected) == ("Capital of France?", "Paris")
        assert item.response_feedback is not None
    upstream.server.shutdown()
