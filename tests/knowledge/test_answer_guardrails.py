"""A question is read by the tenant's input guardrails before anything else: before the answer
cache (exact or semantic), before it is embedded or re-ranked, on `/retrieve` as on
retrieve-and-generate. A refused question costs nothing; a masked one is embedded, cached and
answered masked; a save of the tenant's policy or of the floor leaves earlier answers behind."""

from __future__ import annotations

from typing import Any

import pytest

from guardrails.services import set_floor, set_tenant_policy
from metering.models import UsageEvent
from metering.usage_queue import record_queued_usage
from tests.knowledge.conftest import ingested, knowledge_base, member_asking

pytestmark = pytest.mark.django_db(transaction=True)

CHAT = "rag-chat-guarded"


def test_the_question_meets_the_guardrails_before_the_cache_and_the_embedding(  # type: ignore[no-untyped-def]
    make_tenant, make_user, celery_worker
) -> None:
    acme = make_tenant("acme")
    located = knowledge_base(acme)
    ingested(located, {"strict.txt": b"Late fees: two pounds a day, no exceptions."})
    member, upstream = member_asking(acme, make_user, CHAT)
    base = f"/t/{acme.slug}/v1/knowledge-bases/{located.kb.pk}"

    def ask(query: str, path: str = "/retrieve-and-generate") -> Any:
        body = {"query": query, **({"model": CHAT} if path == "/retrieve-and-generate" else {})}
        return member.post(base + path, body, content_type="application/json")

    def embeddings() -> int:
        record_queued_usage()
        return (
            UsageEvent.objects.unscoped().filter(tenant_id=acme.pk, operation="embeddings").count()
        )

    assert ask("Do you charge late fees?").json()["cached"] is None
    assert ask("Do you charge late fees?").json()["cached"] == "exact"

    # A floor saved since (whatever it says) leaves the answers given before it behind.
    set_floor(raw={"pii": {"email": "mask"}}, actor="root")
    assert ask("Do you charge late fees?").json()["cached"] is None
    # The masked question is what is embedded, cached and answered.
    first = ask("Do you charge late fees? Reply to kim@example.com")
    assert first.status_code == 200 and first.json()["cached"] is None
    assert "kim@example.com" not in str(upstream.requests[-1])
    assert ask("Do you charge late fees? Reply to bob@example.org").json()["cached"] == "exact"
    answered = len(upstream.requests)

    set_tenant_policy(tenant=acme, actor="ada", raw={
        "pii": {"email": "mask"}, "word_filters": [{"name": "fees", "pattern": "late fees"}],
    })  # fmt: skip
    before = embeddings()
    for question, path in (("Do you charge late fees?", "/retrieve-and-generate"),  # was exact
                           ("do you charge late fees", "/retrieve-and-generate"),  # semantic
                           ("How much are the late fees per day?", "/retrieve-and-generate"),
                           ("late fees", "/retrieve")):  # fmt: skip
        refused = ask(question, path)
        assert refused.status_code == 400, (question, refused.content)
        assert refused.json()["error"]["code"] == "guardrail_blocked", refused.content
    assert embeddings() == before and len(upstream.requests) == answered
    assert ask("two pounds a day", "/retrieve").status_code == 200
    assert embeddings() == before + 1
    set_floor(raw={}, actor="root")  # leave no floor behind for other tests
