"""Writes of the playground (the active schema is the tenant's): conversations, turns, a
person's verdict on an answer (checked here, kept by evaluation), prompt templates."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db import transaction

from evaluation.models import Feedback
from evaluation.services import record_answer_feedback, verdict_of
from kernel.errors import InvalidInput
from playground.models import Conversation, PromptTemplate, PromptTemplateVersion, Turn
from playground.selectors import conversation_of, own_answer, question_in, since, variables_of


def start_conversation(
    *, owner_id: int, first_prompt: str, model: str, system_prompt: str,
    parameters: dict[str, Any], knowledge_base_id: str | None, comparison_id: UUID | None = None,
) -> Conversation:  # fmt: skip
    """A new conversation of the person's, named after its first prompt (renamable later);
    `comparison_id` groups the conversations of one comparison."""
    title = " ".join(first_prompt.split())[:80] or "New conversation"
    return Conversation.objects.create(
        owner_id=owner_id, title=title, model=model, system_prompt=system_prompt,
        parameters=parameters, knowledge_base_id=knowledge_base_id or None,
        comparison_id=comparison_id,
    )  # fmt: skip


def rename_conversation(*, owner_id: int, conversation_id: Any, title: str) -> Conversation:
    """Rename one of the person's own conversations (NotFound for someone else's)."""
    title = " ".join((title or "").split())
    if not title or len(title) > 200:
        raise InvalidInput("Give the conversation a name of 1 to 200 characters.")
    conversation = conversation_of(owner_id, conversation_id)
    conversation.title = title
    conversation.save(update_fields=["title", "updated_at"])
    return conversation


def delete_conversation(*, owner_id: int, conversation_id: Any) -> None:
    """Delete one of the person's own conversations, its turns and the verdicts on them."""
    conversation_of(owner_id, conversation_id).delete()


def rewind_to_before(conversation: Conversation, question_id: Any) -> None:
    """Take one of the conversation's prompts and everything after it out of the conversation,
    to ask again (regenerate) or ask an edited prompt; kept aside for the verdicts on them."""
    question = question_in(conversation, question_id)
    conversation.turns.filter(since(question), superseded=False).update(superseded=True)


def add_question(conversation: Conversation, content: str) -> Turn:
    """The person's prompt, once its call is admitted (or refused: `add_refused_prompt`)."""
    return Turn.objects.create(conversation=conversation, role=Turn.Role.USER, content=content)


def add_refused_prompt(*, conversation: Conversation, content: str, model: str, error: str) -> None:
    """A follow-up prompt the gateway refused, and the refusal in its answer's place: kept in
    the conversation it interrupted, to show what was asked and why it went unanswered."""
    with transaction.atomic():
        add_question(conversation, content)
        add_answer(conversation_id=conversation.pk, content="", model=model,
                   status=Turn.Status.ERROR, event={}, citations=[], error=error)  # fmt: skip


def add_answer(
    *, conversation_id: Any, content: str, model: str, status: str, event: dict[str, Any],
    citations: list[dict[str, Any]], error: str = "",
) -> Turn:  # fmt: skip
    """The model's answer, with what the call cost (from its usage event)."""
    cost = event.get("cost")
    turn = Turn.objects.create(
        conversation_id=conversation_id, role=Turn.Role.ASSISTANT, content=content, model=model,
        status=status, error=error[:500], request_id=event.get("request_id", ""),
        input_tokens=event.get("input_tokens", 0), output_tokens=event.get("output_tokens", 0),
        latency_ms=event.get("latency_ms", 0),
        cost=Decimal(str(cost)) if cost is not None else None,
        currency=event.get("currency", ""), citations=citations,
    )  # fmt: skip
    Conversation.objects.filter(pk=conversation_id).update(updated_at=turn.created_at)
    return turn


def record_feedback(*, user_id: int, turn_id: Any, rating: object, comment: object) -> Feedback:
    """Thumbs up or down and a comment (as given: `verdict_of` checks them), on an answer in one
    of the person's own conversations; giving it again replaces the earlier one."""
    verdict = verdict_of(rating=rating, comment=comment)
    turn = own_answer(user_id, turn_id)
    return record_answer_feedback(turn_id=turn.pk, user_id=user_id, verdict=verdict)


def save_template(*, name: str, body: str, actor: str) -> PromptTemplateVersion:
    """A new version of the tenant's template `name` (created on first save)."""
    name = " ".join((name or "").split())
    if not name or len(name) > 120:
        raise InvalidInput("name: 1 to 120 characters.")
    if not (body or "").strip():
        raise InvalidInput("body: write the prompt; use {{variable}} for the parts to fill in.")
    with transaction.atomic():
        template, _ = PromptTemplate.objects.get_or_create(
            name=name, defaults={"created_by": actor}
        )
        template = PromptTemplate.objects.select_for_update().get(pk=template.pk)
        latest = template.versions.order_by("-number").first()
        if latest is not None and latest.body == body:
            return latest  # nothing changed: no new version
        return PromptTemplateVersion.objects.create(
            template=template, number=(latest.number + 1) if latest else 1, body=body,
            variables=variables_of(body), created_by=actor,
        )  # fmt: skip
