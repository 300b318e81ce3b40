"""Retrieve-and-generate numbers its sources as the model is asked to cite them ([1], [2]),
drops passages below the knowledge base's relevance threshold (real MiniLM embeddings), and
re-ranks candidates with a rerank model when the knowledge base names one (metered)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from identity.services import mint_member_token
from models_catalog.services.access import grant_model
from tests.gateway.recorded import events_of
from tests.gateway.test_rerank import LOCAL_RERANK, catalogued_rerank_model
from tests.gateway.upstreams import Upstream, upstream_model
from tests.knowledge.conftest import ingested, knowledge_base

pytestmark = pytest.mark.django_db(transaction=True)

CHAT = "rag-chat"
FILES = {
    "fees.txt": b"Late fees are two pounds a day for each tool returned late.",
    "loans.txt": b"Members may borrow a tool for seven days and return it late for a fee.",
    "penguins.txt": b"Emperor penguins huddle together to survive the Antarctic winter.",
}


def test_sources_are_numbered_relevant_and_reranked(make_tenant, make_user,
                                                    celery_worker) -> None:  # fmt: skip
    acme = make_tenant("acme")
    located = knowledge_base(acme)
    ingested(located, FILES)
    upstream = Upstream()
    upstream.answer = "Two pounds a day [1]."
    upstream_model(CHAT, upstream)
    grant_model(model_name=CHAT, tenants=[acme], actor="test")
    admin = Client(HTTP_AUTHORIZATION="Bearer " + mint_member_token(
        user=make_user("ada", roles={acme: "admin"}), tenant=acme))  # fmt: skip
    kb_url = f"/t/{acme.slug}/v1/knowledge-bases/{located.kb.pk}"

    def ask() -> dict[str, Any]:
        body = {"query": "How much is the late fee for a tool returned late?", "model": CHAT,
                "top_k": 3}  # fmt: skip
        answer = admin.post(f"{kb_url}/retrieve-and-generate", body,
                            content_type="application/json")  # fmt: skip
        assert answer.status_code == 200, answer.content
        return answer.json()

    def change(answering: dict[str, Any]) -> Any:
        return admin.patch(kb_url, {"answering": answering}, content_type="application/json")

    assert admin.get(kb_url).json()["answering"] == {
        "min_relevance": 0.25, "rerank_model": "", "rerank_top_n": 4,
    }  # fmt: skip
    reply = ask()
    assert reply["answer"] == "Two pounds a day [1]."
    cited = [(c["number"], c["filename"]) for c in reply["citations"]]
    assert cited[0] == (1, "fees.txt")
    assert "penguins.txt" not in {name for _, name in cited}  # unrelated: below the threshold
    assert all(c["similarity"] >= 0.25 and c["pages"] == "" for c in reply["citations"])
    prompt = upstream.requests[-1]["body"]["messages"][0]["content"]
    assert "square brackets" in prompt and "[1][3]" in prompt
    for number, name in cited:  # the model sees the numbers the citations carry
        assert f"[{number}] {FILES[name].decode()}" in prompt
    assert "penguins" not in prompt.lower()

    # The threshold is what dropped it: with none, all three are sources.
    assert change({"min_relevance": -1}).status_code == 200
    everything = ask()
    assert everything["cached"] is None  # the settings changed: no answer from before
    assert {c["filename"] for c in everything["citations"]} == set(FILES)
    refused = change({"min_relevance": 2})
    assert refused.status_code == 400
    assert refused.json()["error"]["param"] == "answering.min_relevance"

    # Re-ranking: a rerank model the tenant may use, its best rerank_top_n given to the model.
    catalogued_rerank_model("local")
    assert change({"rerank_model": LOCAL_RERANK}).status_code == 403  # not granted yet
    grant_model(model_name=LOCAL_RERANK, tenants=[acme], actor="test")
    assert change({"rerank_model": LOCAL_RERANK, "rerank_top_n": 1}).status_code == 200
    reranked = ask()
    (only,) = reranked["citations"]
    assert only["filename"] == "fees.txt" and only["number"] == 1 and 0 < only["rerank_score"] <= 1
    operations = [event.operation for event in events_of(acme.slug, 0)]
    assert operations.count("rerank") == 1

    # In the browser: administrators change the settings on the knowledge base's page.
    page = f"/t/{acme.slug}/knowledge/{located.kb.pk}/"
    browser = Client()
    browser.force_login(make_user("ann", roles={acme: "admin"}))
    assert LOCAL_RERANK in browser.get(page).content.decode()  # offered in the form
    form = {"action": "answering", "min_relevance": "0.5", "rerank_model": "", "rerank_top_n": "3"}
    assert browser.post(page, form).status_code == 302
    assert admin.get(kb_url).json()["answering"] == {
        "min_relevance": 0.5, "rerank_model": "", "rerank_top_n": 3,
    }  # fmt: skip
    refused = browser.post(page, {**form, "min_relevance": "1.5"})
    assert refused.status_code == 400 and "min_relevance" in refused.content.decode()
    member = Client()
    member.force_login(make_user("mo", roles={acme: "member"}))
    assert member.post(page, form).status_code == 404
