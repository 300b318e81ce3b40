"""A verdict on a playground answer is refused, naming the field, when its rating is not 'up'
or 'down' (`true` passed for "up") or its comment is longer than the one limit the API keeps
too (a longer one was stored cut short)."""

from __future__ import annotations

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from evaluation.models import Feedback
from evaluation.services import MAX_COMMENT
from playground.models import Conversation, Turn

pytestmark = pytest.mark.django_db


def test_bad_ratings_and_long_comments_are_refused(module_tenants, make_user) -> None:
    acme = module_tenants["acme"]
    nina = make_user("nina", roles={acme: "member"})
    with tenant_context(acme):
        conversation = Conversation.objects.create(owner_id=nina.pk, title="t", model="m")
        Turn.objects.create(conversation=conversation, role="user", content="Q")
        answer = Turn.objects.create(conversation=conversation, role="assistant", content="A")
    client = Client()
    client.force_login(nina)
    url = f"/t/{acme.slug}/playground/turns/{answer.pk}/feedback"

    def send(body: dict) -> object:
        return client.post(url, body, content_type="application/json")

    for rating in (True, False, 1.0, "sideways", None, ["up"]):
        refused = send({"rating": rating})
        assert refused.status_code == 400, rating
        assert refused.json()["error"]["message"].startswith("Rating: ")
    for comment in ("x" * (MAX_COMMENT + 1), 42):
        refused = send({"rating": "up", "comment": comment})
        assert refused.status_code == 400
        assert refused.json()["error"]["message"].startswith("Comment: ")
    with tenant_context(acme):
        assert not Feedback.objects.filter(turn_id=answer.pk).exists()

    assert send({"rating": -1, "comment": "x" * MAX_COMMENT}).status_code == 200
    with tenant_context(acme):
        kept = Feedback.objects.get(turn_id=answer.pk)
    assert (kept.rating, len(kept.comment)) == (-1, MAX_COMMENT)
