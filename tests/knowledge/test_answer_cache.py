"""The answer cache reuses an answer only for a request that would have been given the same
passages by the same model: a filtered question never gets the unfiltered answer (which cites
documents its filter excludes), nor the other way round; an identical request is answered from
the cache."""

from __future__ import annotations

from typing import Any

import pytest

from tests.knowledge.conftest import ingested, knowledge_base, member_asking

pytestmark = pytest.mark.django_db(transaction=True)

CHAT = "rag-chat"


def test_an_answer_is_reused_only_for_the_same_search(make_tenant, make_user,
                                                      celery_worker) -> None:  # fmt: skip
    acme = make_tenant("acme")
    located = knowledge_base(acme)
    documents = ingested(located, {"strict.txt": b"Late fees: two pounds a day, no exceptions.",
                                   "lenient.txt": b"Late fees: none at all, ever."})  # fmt: skip
    ids = {d.filename: str(d.pk) for d in documents}
    member, upstream = member_asking(acme, make_user, CHAT)
    url = f"/t/{acme.slug}/v1/knowledge-bases/{located.kb.pk}/retrieve-and-generate"

    def ask(**extra: Any) -> dict[str, Any]:
        body = {"query": "Do you charge late fees?", "model": CHAT, **extra}
        answer = member.post(url, body, content_type="application/json")
        assert answer.status_code == 200, answer.content
        return answer.json()

    def cited(reply: dict[str, Any]) -> set[str]:
        return {citation["filename"] for citation in reply["citations"]}

    everything = ask()
    assert everything["cached"] is None and cited(everything) == {"strict.txt", "lenient.txt"}
    assert ask()["cached"] == "exact"

    only_lenient = {"document_ids": [ids["lenient.txt"]]}
    filtered = ask(filters=only_lenient)
    assert filtered["cached"] is None and cited(filtered) == {"lenient.txt"}
    again = ask(filters={"document_ids": [ids["lenient.txt"], ids["lenient.txt"]]})
    assert again["cached"] == "exact" and cited(again) == {"lenient.txt"}
    close = ask(filters=only_lenient, query="Do you charge late fees")
    assert close["cached"] == "semantic" and cited(close) == {"lenient.txt"}
    # The other way round: an unfiltered question is not given the filtered answer either.
    unfiltered = ask(query="Do you charge late fees")
    assert unfiltered["cached"] == "semantic"
    assert cited(unfiltered) == {"strict.txt", "lenient.txt"}
    # No document is dated: nothing to answer from, whatever was answered without the filter.
    undated = ask(filters={"dated_from": "2020-01-01"})
    assert undated["cached"] is None and undated["citations"] == []

    # Every other input that changes the answer has a cache entry of its own.
    for changed in ({"top_k": 1}, {"mode": "vector"}, {"max_tokens": 7}):
        assert ask(**changed)["cached"] is None, changed
    assert len(upstream.requests) == 5  # the unfiltered, the filtered and three variants
