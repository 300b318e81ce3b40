"""A refused playground turn changes no conversation it was not admitted to: an over-long model
name is a 400 naming the model (it was a 500 after the turn was half written), and a refused
regeneration or edit keeps the answer it would have replaced."""

from __future__ import annotations

import asyncio

import pytest
from django_tenants.utils import tenant_context

from budgets.services import set_budget
from identity.principals import person_in_tenant
from models_catalog.services.access import grant_model
from playground.chat import prepare, stream_events
from playground.models import Conversation, Turn
from tests.gateway.recorded import events_of
from tests.playground.test_chat_stream import browser
from tests.waiting import eventually

pytestmark = pytest.mark.django_db(transaction=True)

PRICED = "anthropic.claude-3-haiku-20240307-v1:0"


def answered(tenant, owner_id: int, model: str) -> tuple[Conversation, Turn]:  # type: ignore[no-untyped-def]
    """A conversation with one exchange, and its prompt."""
    with tenant_context(tenant):
        conversation = Conversation.objects.create(owner_id=owner_id, title="France", model=model)
        question = Turn.objects.create(
            conversation=conversation, role="user", content="Capital of France?"
        )
        Turn.objects.create(conversation=conversation, role="assistant", content="Paris",
                            model=model)  # fmt: skip
    return conversation, question


def test_a_model_name_too_long_is_refused_naming_it(asgi_url, make_tenant, make_user) -> None:
    acme = make_tenant("acme")
    nina = make_user("nina", roles={acme: "member"})
    conversation, _ = answered(acme, nina.pk, PRICED)
    client = browser(asgi_url, nina)
    url = f"/t/{acme.slug}/playground/chat"
    follow = {"prompt": "And of Italy?", "conversation_id": str(conversation.pk)}

    for body in ({"prompt": "Hi"}, follow):
        refused = client.post(url, json={**body, "model": "x" * 201})
        assert refused.status_code == 400, refused.text[:300]
        assert refused.json()["error"]["message"].startswith("Model: ")
    unknown = client.post(url, json={"prompt": "Hi", "model": "y" * 200})
    assert unknown.status_code == 404  # as any model the tenant has not got
    with tenant_context(acme):
        assert list(Conversation.objects.all()) == [conversation]  # no new one, half written
        assert conversation.turns.count() == 2
    # At the longest name a turn keeps, a refused follow-up stays in its conversation.
    assert client.post(url, json={**follow, "model": "y" * 200}).status_code == 404
    with tenant_context(acme):
        refusal = conversation.turns.order_by("created_at", "id").last()
        assert (refusal.status, refusal.model) == ("error", "y" * 200)


def test_a_refused_regeneration_keeps_the_answer(asgi_url, make_tenant, make_user) -> None:
    acme = make_tenant("acme")
    grant_model(model_name=PRICED, tenants=[acme], actor="test")
    set_budget(tenant=acme, business_unit=None, monthly_limit="0.01", currency="USD", actor="r")
    nina = make_user("nina", roles={acme: "member"})
    conversation, question = answered(acme, nina.pk, PRICED)
    client = browser(asgi_url, nina)
    url = f"/t/{acme.slug}/playground/chat"
    again = {"prompt": "Capital of France?", "conversation_id": str(conversation.pk),
             "replace_from": question.pk}  # fmt: skip

    retired = client.post(url, json={**again, "model": "no-such-model"})
    spent = client.post(url, json={**again, "model": PRICED, "prompt": "Hi " * 20000,
                                   "max_tokens": 4000})  # fmt: skip

    assert (retired.status_code, spent.status_code) == (404, 429)
    assert spent.json()["error"]["title"] == "Your team's AI budget is used up"  # still shown
    shown = client.get(f"/t/{acme.slug}/playground/conversations/{conversation.pk}.json").json()
    assert [(t["role"], t["content"], t["status"]) for t in shown["turns"]] == [
        ("user", "Capital of France?", "ok"), ("assistant", "Paris", "ok"),
    ]  # fmt: skip
    with tenant_context(acme):  # nothing superseded: later prompts still send the exchange
        assert not Turn.objects.filter(superseded=True).exists()


def test_a_turn_left_while_its_start_is_sent_gives_its_call_back(make_tenant, make_user) -> None:
    """The page's stream closed at its first event (the person gone): the admitted call is
    settled at once, uncharged, and the prompt answered as stopped; its budget hold is not kept
    until the reconciliation."""
    acme = make_tenant("acme")
    grant_model(model_name=PRICED, tenants=[acme], actor="test")
    nina = make_user("nina", roles={acme: "member"})
    with tenant_context(acme):
        principal = person_in_tenant(nina, acme)
        assert principal is not None
        prepared = prepare(acme, principal, {"prompt": "Hi", "model": PRICED})

    async def leave_at_start() -> None:
        events = stream_events(prepared)
        assert b"start" in await anext(events)
        await events.aclose()  # what Django does when the client is gone mid-send

    asyncio.run(leave_at_start())
    (event,) = events_of(acme.slug, 1)
    assert (event.request_id, event.status) == (prepared.call.request_id, "cancelled")
    assert not event.cost
    with tenant_context(acme):
        assert eventually(lambda: Turn.objects.filter(status=Turn.Status.STOPPED).exists())
