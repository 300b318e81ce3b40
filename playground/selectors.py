"""Reads of the playground (the active schema is the tenant's): a person's conversations and
their turns (with their own verdicts, which evaluation keeps), the tenant's prompt templates
with their versions and their `{{variable}}`s filled in, and what the page offers to choose
from (usable chat models, knowledge bases)."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from evaluation.models import Feedback
from evaluation.selectors import verdicts_on
from kernel.errors import InvalidInput, NotFound
from knowledge.stores import knowledge_bases_of
from models_catalog.models import FoundationModel, Modality
from models_catalog.selectors import usable_models
from playground.models import Conversation, PromptTemplate, PromptTemplateVersion, Turn
from tenants.models import Tenant

RECENT_CONVERSATIONS = 50
VARIABLE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class ModelChoice:
    value: str
    label: str
    max_output_tokens: int


def conversation_of(owner_id: int, conversation_id: Any) -> Conversation:
    """One of the person's own conversations, or NotFound (also for someone else's, and for an
    id that is not a UUID)."""
    try:
        key = conversation_id if isinstance(conversation_id, UUID) else UUID(str(conversation_id))
    except ValueError:
        raise NotFound("No such conversation of yours.") from None
    found = Conversation.objects.filter(owner_id=owner_id, pk=key).first()
    if found is None:
        raise NotFound("No such conversation of yours.")
    return found


def comparison_of(owner_id: int, comparison_id: Any) -> list[Conversation]:
    """The person's conversations of one comparison, in the order they were started, or
    NotFound (also for someone else's, and for an id that is not a UUID)."""
    try:
        key = UUID(str(comparison_id))
    except ValueError:
        raise NotFound("No such comparison of yours.") from None
    found = list(Conversation.objects.filter(owner_id=owner_id, comparison_id=key)
                 .order_by("created_at", "id"))  # fmt: skip
    if not found:
        raise NotFound("No such comparison of yours.")
    return found


def question_in(conversation: Conversation, turn_id: Any) -> Turn:
    """One of the person's prompts still in `conversation`, or NotFound."""
    try:
        key = int(turn_id)
    except (TypeError, ValueError):
        raise NotFound("No such prompt in this conversation.") from None
    turn = conversation.turns.filter(pk=key, role=Turn.Role.USER, superseded=False).first()
    if turn is None:
        raise NotFound("No such prompt in this conversation.")
    return turn


def since(question: Turn) -> Q:
    """The turns from `question` on, in the conversation's order (a filter)."""
    return Q(created_at__gt=question.created_at) | Q(
        created_at=question.created_at, pk__gte=question.pk
    )


def history(conversation: Conversation, before: Turn | None = None) -> list[dict[str, str]]:
    """The conversation's exchanges as chat messages, for the model to continue it; `before`:
    only those before that prompt (it and what follows are about to be asked again)."""
    turns = conversation.turns.filter(status=Turn.Status.OK, superseded=False)
    if before is not None:
        turns = turns.exclude(since(before))
    return [
        {"role": turn.role, "content": turn.content} for turn in turns.order_by("created_at", "id")
    ]


def own_answer(owner_id: int, turn_id: Any) -> Turn:
    """A model's answer in one of the person's own conversations, or NotFound."""
    turn = Turn.objects.filter(
        pk=turn_id, role=Turn.Role.ASSISTANT, conversation__owner_id=owner_id
    ).first()
    if turn is None:
        raise NotFound("No such answer in your conversations.")
    return turn


def chat_models(tenant: Tenant, unit_ids: Collection[int]) -> list[ModelChoice]:
    """The chat models the person may call now (tenant-wide grants and those of `unit_ids`, the
    units they work for), with the longest answer each writes."""
    found: QuerySet[FoundationModel] = usable_models(tenant, timezone.now(), unit_ids=unit_ids)
    return [
        ModelChoice(model.name, model.display_name or model.name, model.max_output_tokens)
        for model in found.filter(modality=Modality.CHAT).order_by("display_name", "name")
    ]


def knowledge_base_choices(tenant: Tenant) -> list[Choice]:
    return [Choice(str(located.kb.pk), located.kb.name) for located in knowledge_bases_of(tenant)]


def conversations_of(owner_id: int, search: str = "") -> list[Conversation]:
    """The person's latest conversations, newest activity first; with `search`, only those whose
    title or a prompt or answer still in them contains it (any case)."""
    found = Conversation.objects.filter(owner_id=owner_id)
    words = " ".join(search.split())
    if words:
        mentioned = Turn.objects.filter(
            conversation=OuterRef("pk"), superseded=False, content__icontains=words
        )
        found = found.filter(Q(title__icontains=words) | Exists(mentioned))
    fields = ("id", "title", "model", "comparison_id", "updated_at")
    return list(found.only(*fields)[:RECENT_CONVERSATIONS])


def _turn_data(turn: Turn, verdict: Feedback | None) -> dict[str, Any]:
    return {
        "id": turn.pk, "role": turn.role, "content": turn.content, "model": turn.model,
        "status": turn.status, "error": turn.error, "input_tokens": turn.input_tokens,
        "output_tokens": turn.output_tokens, "latency_ms": turn.latency_ms,
        "cost": str(turn.cost) if turn.cost is not None else None, "currency": turn.currency,
        "citations": turn.citations,
        "feedback": None if verdict is None else {
            "rating": "up" if verdict.rating > 0 else "down", "comment": verdict.comment,
        },
    }  # fmt: skip


def conversation_data(owner_id: int, conversation_id: Any) -> dict[str, Any]:
    """One of the person's conversations with its turns and their own feedback, to continue
    it (NotFound for someone else's)."""
    conversation = conversation_of(owner_id, conversation_id)
    turns = list(conversation.turns.filter(superseded=False))
    verdicts = verdicts_on([turn.pk for turn in turns], owner_id)
    return {
        "id": str(conversation.pk), "title": conversation.title, "model": conversation.model,
        "system_prompt": conversation.system_prompt, "parameters": conversation.parameters,
        "knowledge_base_id": str(conversation.knowledge_base_id or ""),
        "turns": [_turn_data(turn, verdicts.get(turn.pk)) for turn in turns],
    }  # fmt: skip


def _newest_first() -> Prefetch:
    return Prefetch(
        "versions", queryset=PromptTemplateVersion.objects.order_by("-number"), to_attr="history"
    )


def templates_with_current() -> list[PromptTemplate]:
    """The tenant's templates, each with `history` (its versions, newest first; `history[0]`
    is the current one)."""
    return list(PromptTemplate.objects.prefetch_related(_newest_first()))


def template_of(template_id: int) -> PromptTemplate:
    """One of the tenant's templates with `history`, or NotFound."""
    found = PromptTemplate.objects.filter(pk=template_id).prefetch_related(_newest_first()).first()
    if found is None or not found.history:  # type: ignore[attr-defined]
        raise NotFound("No such prompt template.")
    return found


def variables_of(body: str) -> list[str]:
    """A template's `{{variable}}`s, in order of first use."""
    return list(dict.fromkeys(VARIABLE.findall(body)))


def filled_prompt(template_id: int, values: Any) -> str:
    """The template's current version with `values` ({variable: text}) filled in; NotFound for
    no such template, InvalidInput naming the variables left empty."""
    body = template_of(template_id).history[0].body  # type: ignore[attr-defined]
    if not isinstance(values, dict):
        raise InvalidInput("Fill in the template's fields.")
    missing = [name for name in variables_of(body) if not str(values.get(name, "")).strip()]
    if missing:
        raise InvalidInput(f"Fill in {', '.join(missing)} before using this template.")
    return VARIABLE.sub(lambda match: str(values[match.group(1)]), body)
