"""The playground's stream over real HTTP (the ASGI server, a signed-in session): the answer
streams from the local model, the turn is kept with its cost, feedback is stored, failures are
explained in plain words, and Stop keeps the partial answer."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from django_tenants.utils import tenant_context

from budgets.services import set_budget
from evaluation.models import Feedback
from models_catalog.models import FoundationModel
from models_catalog.services.access import grant_model
from playground.models import Conversation, Turn

pytestmark = pytest.mark.django_db(transaction=True)

CHAT = "local/gemma-3-270m"


def browser(asgi_url: str, user) -> httpx.Client:  # type: ignore[no-untyped-def]
    """An HTTP client with the person's session and a CSRF token, as the page's script has."""
    session = Client()
    session.force_login(user)
    secret = _get_new_csrf_string()
    cookies = {"sessionid": session.cookies["sessionid"].value, "csrftoken": secret}
    return httpx.Client(base_url=asgi_url, cookies=cookies, timeout=120,
                        headers={"X-CSRFToken": secret})  # fmt: skip


def events(response: httpx.Response) -> list[tuple[str, Any]]:
    found, name = [], None
    for line in response.iter_lines():
        if line.startswith("event: "):
            name = line[7:]
        elif line.startswith("data: "):
            found.append((name, json.loads(line[6:])))
    return found


def test_a_prompt_streams_and_the_turn_is_kept(asgi_url, make_tenant, make_user) -> None:
    acme = make_tenant("acme")
    grant_model(model_name=CHAT, tenants=[acme], actor="test")
    nina = make_user("nina", roles={acme: "member"})
    client = browser(asgi_url, nina)
    body = {"prompt": "What is the capital of France?", "model": CHAT, "max_tokens": 8,
            "temperature": 0}  # fmt: skip
    with client.stream("POST", f"/t/{acme.slug}/playground/chat", json=body) as response:
        assert response.status_code == 200
        received = events(response)
    names = [name for name, _ in received]
    assert names[0] == "start" and names[-1] == "done" and names.count("delta") >= 1
    answer = "".join(data["text"] for name, data in received if name == "delta")
    done = received[-1][1]
    assert done["output_tokens"] > 0 and done["cost"] is not None and done["latency_ms"] >= 0
    with tenant_context(acme):
        conversation = Conversation.objects.get(owner_id=nina.pk)
        question, reply = conversation.turns.all()
        assert question.content == body["prompt"] and reply.content == answer
        assert reply.pk == done["turn_id"] and reply.status == "ok" and reply.request_id

    verdict = client.post(f"/t/{acme.slug}/playground/turns/{reply.pk}/feedback",
                          json={"rating": "down", "comment": "Too short"})  # fmt: skip
    assert verdict.status_code == 200
    with tenant_context(acme):
        stored = Feedback.objects.get(turn_id=reply.pk)
        assert (stored.rating, stored.comment, stored.user_id) == (-1, "Too short", nina.pk)

    # Someone else's answer cannot be judged; a continued conversation carries its history.
    other = browser(asgi_url, make_user("otto", roles={acme: "member"}))
    assert other.post(f"/t/{acme.slug}/playground/turns/{reply.pk}/feedback",
                      json={"rating": "up"}).status_code == 404  # fmt: skip
    follow = {**body, "prompt": "And of Italy?", "conversation_id": str(conversation.pk)}
    with client.stream("POST", f"/t/{acme.slug}/playground/chat", json=follow) as response:
        assert events(response)[-1][0] == "done"
    with tenant_context(acme):
        assert Turn.objects.filter(conversation=conversation).count() == 4


def test_regenerate_and_edit_replace_the_exchange_and_keep_the_verdicts(
    asgi_url, make_tenant, make_user
) -> None:
    acme = make_tenant("acme")
    grant_model(model_name=CHAT, tenants=[acme], actor="test")
    nina = make_user("nina", roles={acme: "member"})
    client = browser(asgi_url, nina)
    url = f"/t/{acme.slug}/playground/chat"
    body = {"prompt": "What is the capital of France?", "model": CHAT, "max_tokens": 4,
            "temperature": 0}  # fmt: skip
    with client.stream("POST", url, json=body) as response:
        first = events(response)
    started, done = first[0][1], first[-1][1]
    client.post(f"/t/{acme.slug}/playground/turns/{done['turn_id']}/feedback",
                json={"rating": "down"})  # fmt: skip
    conversation_id = started["conversation_id"]
    again = {**body, "conversation_id": conversation_id, "replace_from": started["question_id"]}
    with client.stream("POST", url, json=again) as response:
        regenerated = events(response)
    assert regenerated[-1][0] == "done"
    edited = {**again, "prompt": "What is the capital of Italy?",
              "replace_from": regenerated[0][1]["question_id"]}  # fmt: skip
    with client.stream("POST", url, json=edited) as response:
        assert events(response)[-1][0] == "done"
    shown = client.get(f"/t/{acme.slug}/playground/conversations/{conversation_id}.json").json()
    turns = [(t["role"], t["content"]) for t in shown["turns"]]
    assert len(turns) == 2 and turns[0] == ("user", "What is the capital of Italy?")
    with tenant_context(acme):  # the answer judged is out of the conversation, not deleted
        assert Feedback.objects.get(turn_id=done["turn_id"]).rating == -1
        assert Turn.objects.filter(conversation_id=conversation_id, superseded=True).count() == 4
    foreign = {**edited, "replace_from": 10**9}
    assert client.post(url, json=foreign).status_code == 404


def test_max_tokens_beyond_the_model_is_refused_in_the_forms_words(
    asgi_url, make_tenant, make_user
) -> None:
    acme = make_tenant("acme")
    grant_model(model_name=CHAT, tenants=[acme], actor="test")
    client = browser(asgi_url, make_user("nina", roles={acme: "member"}))
    url = f"/t/{acme.slug}/playground/chat"
    limit = FoundationModel.objects.get(name=CHAT).max_output_tokens
    refused = client.post(url, json={"prompt": "Hi", "model": CHAT, "max_tokens": limit + 1})
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error["message"] == (
        f"Max tokens: this model writes at most {limit} tokens per answer; set it to {limit} or "
        "less."
    )
    assert "max_tokens" not in error["message"] and "max_tokens" not in error["title"]
    empty = client.post(url, json={"prompt": "  ", "model": CHAT})
    assert empty.status_code == 400 and empty.json()["error"]["message"] == "Write a prompt first."


def test_failures_are_explained_in_plain_words(asgi_url, make_tenant, make_user) -> None:
    acme = make_tenant("acme")
    nina = make_user("nina", roles={acme: "member"})
    client = browser(asgi_url, nina)
    url = f"/t/{acme.slug}/playground/chat"
    refused = client.post(url, json={"prompt": "Hi", "model": CHAT})
    assert refused.status_code == 403
    assert refused.json()["error"]["title"] == "This model isn't available to your team"
    grant_model(model_name="anthropic.claude-3-haiku-20240307-v1:0", tenants=[acme], actor="t")
    set_budget(tenant=acme, business_unit=None, monthly_limit="0.01", currency="USD", actor="r")
    spent = client.post(url, json={"prompt": "Hi " * 20000, "max_tokens": 4000,
                                   "model": "anthropic.claude-3-haiku-20240307-v1:0"})  # fmt: skip
    assert spent.status_code == 429
    error = spent.json()["error"]
    assert error["title"] == "Your team's AI budget is used up"
    assert "monthly budget" in error["message"] and "resets on" in error["message"]
    outsider = browser(asgi_url, make_user("zed"))
    assert outsider.post(url, json={"prompt": "Hi", "model": CHAT}).status_code == 404
    with tenant_context(acme):  # refused first prompts leave no empty conversations behind
        assert not Conversation.objects.filter(owner_id=nina.pk).exists()


def test_a_refused_follow_up_stays_in_its_conversation(asgi_url, make_tenant, make_user) -> None:
    acme = make_tenant("acme")
    grant_model(model_name=CHAT, tenants=[acme], actor="test")
    nina = make_user("nina", roles={acme: "member"})
    client = browser(asgi_url, nina)
    url = f"/t/{acme.slug}/playground/chat"
    body = {"prompt": "Capital of France?", "model": CHAT, "max_tokens": 4, "temperature": 0}
    with client.stream("POST", url, json=body) as response:
        started = events(response)[0][1]
    retired = {**body, "prompt": "And of Italy?", "model": "no-such-model",
               "conversation_id": started["conversation_id"]}  # fmt: skip
    assert client.post(url, json=retired).status_code == 404
    with tenant_context(acme):
        (conversation,) = Conversation.objects.filter(owner_id=nina.pk)
        turns = list(conversation.turns.order_by("created_at", "id"))
    assert [(t.role, t.status) for t in turns][-2:] == [("user", "ok"), ("assistant", "error")]
    assert turns[-2].content == "And of Italy?" and "does not exist" in turns[-1].error


def test_stop_keeps_the_partial_answer(asgi_url, make_tenant, make_user) -> None:
    acme = make_tenant("acme")
    grant_model(model_name=CHAT, tenants=[acme], actor="test")
    nina = make_user("nina", roles={acme: "member"})
    client = browser(asgi_url, nina)
    body = {"prompt": "Write a long story about a lighthouse keeper.", "model": CHAT,
            "max_tokens": 400}  # fmt: skip
    with client.stream("POST", f"/t/{acme.slug}/playground/chat", json=body) as response:
        for line in response.iter_lines():
            if line.startswith("event: delta"):
                break  # the person presses Stop: the connection closes
    deadline = time.monotonic() + 30
    while True:
        with tenant_context(acme):
            reply = Turn.objects.filter(role="assistant").first()
        if reply is not None or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert reply is not None and reply.status == "stopped"
