"""Policies over the API (validation, the floor), and invocation logging: opt-in capture after
masking through a real worker, search, Bedrock-shaped export, retention purge, other tenants
kept out."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context
from openai import OpenAI

from guardrails.models import InvocationRecord
from guardrails.tasks import purge_invocations
from identity.services import mint_member_token
from identity.tokens import sign_access_token
from models_catalog.services.access import grant_model
from tests.gateway.upstreams import Upstream, upstream_model

pytestmark = pytest.mark.django_db(transaction=True)


def bearer(user, tenant) -> Client:  # type: ignore[no-untyped-def]
    return Client(HTTP_AUTHORIZATION=f"Bearer {mint_member_token(user=user, tenant=tenant)}")


def put(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.put(url, json.dumps(body), content_type="application/json")


def test_policies_over_the_api(make_tenant, make_user) -> None:
    acme = make_tenant("acme")
    admin = bearer(make_user("ada", roles={acme: "admin"}), acme)
    superuser = make_user("root", is_superuser=True)
    root = Client(HTTP_AUTHORIZATION="Bearer " + sign_access_token(
        subject=str(superuser.pk), extra_claims={"principal": "user"}))  # fmt: skip
    url = f"/t/{acme.slug}/v1/guardrails"
    broken = put(admin, url, {"word_filters": [{"pattern": "([a-z]", "regex": True}]})
    assert broken.status_code == 400
    assert broken.json()["error"]["message"].startswith("word_filters[0].pattern:")
    assert put(admin, "/api/guardrails/floor", {"pii": {"ssn": "block"}}).status_code == 403
    assert put(root, "/api/guardrails/floor", {"pii": {"ssn": "block"}}).status_code == 200
    weaker = put(admin, url, {"pii": {"ssn": "mask"}})
    assert weaker.status_code == 400 and "weaken the platform's floor" in weaker.json()["error"][
        "message"]  # fmt: skip
    bad_days = put(admin, url, {"pii": {"ssn": "block"}, "retention_days": 0})
    assert bad_days.json()["error"]["message"].startswith("retention_days:")
    good = put(admin, url, {"pii": {"ssn": "block", "email": "mask"},
                            "capture_invocations": True, "retention_days": 7})  # fmt: skip
    assert good.status_code == 200
    assert good.json()["policy"]["capture_invocations"] is True
    assert good.json()["floor"]["pii"] == {"ssn": "block"}
    put(root, "/api/guardrails/floor", {})  # leave no floor behind for other tests


def test_capture_search_export_and_purge(asgi_url, make_tenant, make_user, celery_worker) -> None:
    upstream = Upstream()
    upstream_model("logged-model", upstream)
    acme, globex = make_tenant("acme"), make_tenant("globex")
    grant_model(model_name="logged-model", tenants=[acme], actor="test")
    ada = make_user("ada", roles={acme: "admin"})
    put(bearer(ada, acme), f"/t/{acme.slug}/v1/guardrails",
        {"pii": {"email": "mask"}, "capture_invocations": True, "retention_days": 7})  # fmt: skip
    client = OpenAI(base_url=f"{asgi_url}/t/{acme.slug}/v1", max_retries=0,
                    api_key=mint_member_token(user=ada, tenant=acme))  # fmt: skip
    answer = client.chat.completions.create(
        model="logged-model", messages=[{"role": "user", "content": "Write to me@corp.example"}]
    )
    deadline = time.monotonic() + 20
    while True:
        with tenant_context(acme):
            record = InvocationRecord.objects.filter(request_id=answer.id).first()
        if record or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert record is not None
    assert record.input_messages == [{"role": "user", "content": "Write to [EMAIL]"}]
    assert record.output_text == "Hello there" and record.input_tokens == 11

    page = Client()
    page.force_login(ada)
    found = page.get(f"/t/{acme.slug}/invocations/?q=EMAIL")
    assert found.status_code == 200 and answer.id not in found.content.decode()
    assert "Write to [EMAIL]" in found.content.decode()
    assert "Nothing recorded matches" in page.get(f"/t/{acme.slug}/invocations/?q=zebra")\
        .content.decode()  # fmt: skip
    export = page.get(f"/t/{acme.slug}/invocations.jsonl")
    (line,) = b"".join(export.streaming_content).decode().splitlines()
    logged = json.loads(line)
    assert logged["schemaType"] == "ModelInvocationLog" and logged["requestId"] == answer.id
    assert logged["modelId"] == "logged-model" and logged["input"]["inputTokenCount"] == 11
    assert logged["output"]["outputBodyJson"]["output"]["message"]["content"][0]["text"] == (
        "Hello there"
    )
    spy = Client()
    spy.force_login(make_user("eve", roles={globex: "admin"}))
    assert spy.get(f"/t/{acme.slug}/invocations/").status_code == 404
    assert "Write to" not in spy.get(f"/t/{globex.slug}/invocations/").content.decode()

    with tenant_context(acme):
        InvocationRecord.objects.update(created_at=timezone.now() - timedelta(days=8))
    assert purge_invocations() >= 2  # one task per tenant, acme's and globex's among them
    deadline = time.monotonic() + 30
    while True:  # acme's task, run by the worker, purges acme's expired records
        with tenant_context(acme):
            if not InvocationRecord.objects.exists():
                break
        assert time.monotonic() < deadline, "the worker did not purge acme's expired records"
        time.sleep(0.2)
    upstream.server.shutdown()
