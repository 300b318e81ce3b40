"""`POST /t/<slug>/v1/rerank` (Cohere's and Jina's shape, as LiteLLM serves it) over real HTTP:
Bedrock's Rerank through a loopback server speaking its wire protocol, the local bi-encoder
re-score with the real MiniLM model; the gateway's checks and one usage event per call."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from django.utils import timezone

from identity.services import mint_member_token
from metering.usage_queue import queued_usage
from models_catalog.models import FoundationModel, ModelPrice, Provider
from models_catalog.services.access import grant_model
from tests.gateway.conftest import LOCAL_CHAT
from tests.gateway.recorded import event_of

pytestmark = pytest.mark.django_db(transaction=True)

BEDROCK_RERANK = "amazon.rerank-v1:0"
LOCAL_RERANK = "local/minilm-rerank"
DOCUMENTS = [
    "Volunteers staff the front desk on Saturdays.",
    {"text": "Members may borrow a power drill for seven days."},
    "The library lends drills, saws and ladders to members.",
]


def catalogued_rerank_model(provider: str) -> FoundationModel:
    """A rerank model in the catalogue (modality `rerank`): Bedrock's Amazon Rerank 1.0,
    priced, or the local bi-encoder re-score, free."""
    if provider == "bedrock":
        model = FoundationModel.objects.create(
            name=BEDROCK_RERANK, provider=Provider.objects.get(name="bedrock"),
            provider_model_id=BEDROCK_RERANK, display_name="Amazon Rerank 1.0",
            modality="rerank", context_window=32_000, max_output_tokens=1,
        )  # fmt: skip
        ModelPrice.objects.create(
            model=model, input_per_million=Decimal("1.00"), output_per_million=Decimal(0),
            effective_from=timezone.now() - timedelta(days=1),
        )  # fmt: skip
        return model
    return FoundationModel.objects.get(name=LOCAL_RERANK)  # seeded: free, on the platform's CPU


@pytest.fixture
def acme(asgi_url, make_tenant, make_user):  # type: ignore[no-untyped-def]
    tenant = make_tenant("acme")
    token = mint_member_token(user=make_user("rita", roles={tenant: "member"}), tenant=tenant)
    client = httpx.Client(
        base_url=f"{asgi_url}/t/{tenant.slug}/v1", timeout=60,
        headers={"Authorization": f"Bearer {token}"},
    )  # fmt: skip
    client.tenant = tenant  # type: ignore[attr-defined]
    yield client
    client.close()


def test_bedrock_rerank_speaks_its_wire_protocol_and_is_metered(acme, aws) -> None:
    catalogued_rerank_model("bedrock")
    grant_model(model_name=BEDROCK_RERANK, tenants=[acme.tenant], actor="test")
    answer = acme.post("/rerank", json={
        "model": BEDROCK_RERANK, "query": "power drill saws", "documents": DOCUMENTS,
        "top_n": 2, "return_documents": True,
    })  # fmt: skip
    assert answer.status_code == 200, answer.text
    body = answer.json()
    # The loopback scores by the query's words each document holds: 2/3, 1/3, 0.
    assert [(r["index"], round(r["relevance_score"], 3)) for r in body["results"]] == [
        (1, 0.667), (2, 0.333),
    ]  # fmt: skip
    assert body["results"][0]["document"] == {"text": DOCUMENTS[1]["text"]}  # type: ignore[index]
    assert body["meta"]["billed_units"] == {"search_units": 1}

    (call,) = [c for c in aws.calls if c["path"] == "/rerank"]
    sent = json.loads(call["body"])
    assert sent["queries"] == [{"type": "TEXT", "textQuery": {"text": "power drill saws"}}]
    assert sent["sources"][1] == {"type": "INLINE", "inlineDocumentSource": {
        "type": "TEXT", "textDocument": {"text": DOCUMENTS[1]["text"]}}}  # type: ignore[index]  # fmt: skip
    configuration = sent["rerankingConfiguration"]["bedrockRerankingConfiguration"]
    assert configuration == {
        "numberOfResults": 2,
        "modelConfiguration": {
            "modelArn": f"arn:aws:bedrock:eu-west-1::foundation-model/{BEDROCK_RERANK}"
        },
    }
    assert call["auth"].startswith("AWS4-HMAC-SHA256")

    event = event_of(body["id"])
    assert event.operation == "rerank" and event.status == "ok"
    assert event.model_name == BEDROCK_RERANK and event.principal_name == "rita"
    assert event.input_tokens == body["meta"]["tokens"]["input_tokens"] > 0
    assert event.cost == Decimal(event.input_tokens) / Decimal(1_000_000)

    aws.error = (429, "ThrottlingException")
    throttled = acme.post("/rerank", json={"model": BEDROCK_RERANK, "query": "q",
                                           "documents": ["a"]})  # fmt: skip
    assert throttled.status_code == 429, throttled.text
    # A failure after admission names its call, as chat's and embeddings' do (it had no id).
    assert event_of(throttled.headers["X-Request-Id"]).status == "error"


def test_the_local_reranker_and_bad_requests_that_name_the_field(
    acme, asgi_url, make_tenant, make_user
) -> None:
    catalogued_rerank_model("local")
    grant_model(model_name=LOCAL_RERANK, tenants=[acme.tenant], actor="test")
    grant_model(model_name=LOCAL_CHAT, tenants=[acme.tenant], actor="test")
    # The local bi-encoder re-score, with the real MiniLM model.
    answer = acme.post("/rerank", json={
        "model": LOCAL_RERANK, "query": "Can I take a power tool home?",
        "documents": ["Opening hours are nine to five.", "Members may borrow a power drill.",
                      "The café sells coffee."],
    })  # fmt: skip
    assert answer.status_code == 200, answer.text
    results = answer.json()["results"]
    assert results[0]["index"] == 1 and len(results) == 3
    assert all(0 <= r["relevance_score"] <= 1 and "document" not in r for r in results)
    assert results[0]["relevance_score"] > results[1]["relevance_score"]
    assert event_of(answer.json()["id"]).input_tokens > 0

    good = {"model": LOCAL_RERANK, "query": "q", "documents": ["a", "b"]}
    queued = queued_usage()
    cases: list[tuple[dict[str, Any], str]] = [
        ({"query": ""}, "query"), ({"query": 3}, "query"), ({"documents": []}, "documents"),
        ({"documents": "a"}, "documents"), ({"documents": ["a", 7]}, "documents[1]"),
        ({"documents": [{"txt": "a"}]}, "documents[0]"), ({"top_n": 0}, "top_n"),
        ({"top_n": "2"}, "top_n"), ({"return_documents": "yes"}, "return_documents"),
        ({"rank_fields": ["text"]}, "rank_fields"), ({"model": LOCAL_CHAT}, "model"),
    ]  # fmt: skip
    for change, param in cases:
        refused = acme.post("/rerank", json={**good, **change})
        assert refused.status_code == 400, (change, refused.text)
        assert refused.json()["error"]["param"] == param, refused.text
    unknown = acme.post("/rerank", json={**good, "model": "cohere.rerank-v9"})
    assert unknown.status_code == 404 and "cohere.rerank-v9" in unknown.json()["error"]["message"]
    catalogued_rerank_model("bedrock")  # in the catalogue, not granted to acme
    assert acme.post("/rerank", json={**good, "model": BEDROCK_RERANK}).status_code == 403
    assert queued_usage() == queued + 1  # the refused grant is a recorded, uncharged event

    # Another tenant's token, or none, is refused before any model is called (and bad input
    # above cost nothing).
    globex = make_tenant("globex")
    grant_model(model_name=LOCAL_RERANK, tenants=[globex], actor="test")
    other = mint_member_token(user=make_user("gil", roles={globex: "admin"}), tenant=globex)
    foreign = httpx.post(f"{asgi_url}/t/{acme.tenant.slug}/v1/rerank", json=good,
                         headers={"Authorization": f"Bearer {other}"}, timeout=30)  # fmt: skip
    assert foreign.status_code == 403, foreign.text
    anonymous = httpx.post(f"{asgi_url}/t/{acme.tenant.slug}/v1/rerank", json=good, timeout=30)
    assert anonymous.status_code == 401
    assert queued_usage() == queued + 1
