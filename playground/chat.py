"""A playground turn: the person's prompt (with the conversation so far, a system prompt,
parameters, optionally passages from a knowledge base) streamed through the gateway exactly as
an API call would be — allowlist, budget, rate limits, metering — and both sides of the turn
kept in the conversation; its failures told in words a business user understands."""

from __future__ import annotations

import functools
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.db import transaction

from gateway import calls
from gateway.parameters import chat_request, unmet_need
from identity.principals import Principal
from kernel.errors import DomainError, InvalidInput
from kernel.pages import page_message
from kernel.pool_threads import run_in_pool, start_in_pool
from knowledge.answers import passages_prompt, sources
from knowledge.stores import Located, find_knowledge_base
from models_catalog.models import Modality
from playground import selectors, services
from playground.models import Conversation, Turn
from tenants.models import Tenant
from tenants.schemas import in_tenant_schema

PARAMETERS = ("temperature", "top_p", "max_tokens", "stop")
MODEL_NAME_LENGTH = 200  # what a conversation and its turns keep (their `model` columns)

TITLES = {
    "budget_exhausted": "Your team's AI budget is used up",
    "rate_limit_exceeded": "Too many requests just now",
    "gone": "This model has been retired",
    "permission_denied": "This model isn't available to your team",
    "not_found": "This model isn't available to your team",
    "upstream_error": "The model's provider is not answering",
    "provider_not_configured": "This model's provider is not set up yet",
    "upstream_timeout": "The model's provider took too long",
    "guardrail_blocked": "Blocked by your organisation's policy",
    "invalid_request": "Check the prompt and settings",
}
ADVICE = {
    "rate_limit_exceeded": "Wait a moment and send it again.",
    "gone": "Pick another model from the list.",
    "permission_denied": "Pick another model, or ask your administrator to request this one.",
    "not_found": "Pick another model, or ask your administrator to request this one.",
    "upstream_error": "Try again in a minute, or pick another model.",
    "provider_not_configured": "The platform team must set the provider's credentials before "
    "this model can answer; until then, pick another model.",
    "upstream_timeout": "Try again, perhaps with a shorter answer (fewer max tokens).",
}
ADVICE_ONLY = {"provider_not_configured"}


def explain(error: DomainError) -> dict[str, Any]:
    """A failure as the page shows it: what happened, and what to do."""
    title = TITLES.get(error.code, "That did not work")
    advice = ADVICE.get(error.code, "")
    # Which setting is missing is the platform team's business: the person only needs to know
    # that waiting will not help.
    told = "" if error.code in ADVICE_ONLY else page_message(error)
    return {
        "title": title,
        "message": f"{told} {advice}".strip(),
        "code": error.code,
        "status": error.status_code,
    }


@dataclass
class Prepared:
    tenant: Tenant
    conversation_id: Any
    model: str
    call: calls.ChatCall
    question_id: int
    citations: list[dict[str, Any]] = field(default_factory=list)


def check_max_tokens(value: Any, limit: int) -> None:
    """Max tokens beyond what the model writes, refused with what to set instead (other bad
    values are the gateway's to name)."""
    if isinstance(value, int) and not isinstance(value, bool) and value > limit:
        raise InvalidInput(
            f"Max tokens: this model writes at most {limit} tokens per answer; set it to {limit} "
            "or less."
        )


def _comparison_id(value: Any) -> UUID | None:
    if value in (None, ""):
        return None
    try:
        return UUID(str(value))
    except ValueError:
        raise InvalidInput("The comparison's id must be a UUID.") from None


def _prompt_and_model(body: dict[str, Any]) -> tuple[str, str]:
    prompt = body.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        raise InvalidInput("Write a prompt first.")
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise InvalidInput("Pick a model.")
    if len(model) > MODEL_NAME_LENGTH:  # no model is called that; nor would the turn keep it
        raise InvalidInput(
            f"Model: a model's name has at most {MODEL_NAME_LENGTH} characters; pick one from "
            "the list.",
            param="model",
        )
    return prompt, model


def _continued(
    principal: Principal, body: dict[str, Any]
) -> tuple[Conversation | None, Turn | None]:
    """The person's conversation the prompt continues (None: a new one), and the prompt it
    replaces (regenerated or edited), if any; NotFound for someone else's."""
    if not body.get("conversation_id"):
        return None, None
    conversation = selectors.conversation_of(principal.id, body["conversation_id"])
    replaced = body.get("replace_from")
    return conversation, selectors.question_in(conversation, replaced) if replaced else None


def _admit(
    tenant: Tenant, principal: Principal, model: str, prompt: str, *,
    history: list[dict[str, str]], system: str, parameters: dict[str, Any],
    located: Located | None,
) -> tuple[calls.ChatCall, list[dict[str, Any]]]:  # fmt: skip
    """The gateway's admission of the call (allowlist, parameters, budget, rate limits, input
    guardrails) and the knowledge base's passages it cites; nothing is written here."""
    resolved = calls.resolve(tenant, model, Modality.CHAT, principal.unit_ids)
    check_max_tokens(parameters.get("max_tokens"), resolved.entry.max_output_tokens)
    messages = [*history, {"role": "user", "content": prompt}]
    citations: list[dict[str, Any]] = []
    if located is not None:
        hits = sources(located, query=prompt, principal=principal)  # threshold, re-ranking
        citations = [{**h.as_dict(), "number": n} for n, h in enumerate(hits, start=1)]
        system = f"{passages_prompt(hits)}\n\n{system}".strip() if hits else system
    if system:
        messages = [{"role": "system", "content": system}, *messages]
    chat = chat_request({"messages": messages, **parameters}, resolved.entry).request
    refusal = unmet_need(resolved.entry, chat, True)
    if refusal is not None:
        raise refusal
    call = calls.start_chat(
        calls.Caller(tenant, principal), resolved, model, chat, stream=True, include_usage=True
    )
    return call, citations


def prepare(tenant: Tenant, principal: Principal, body: dict[str, Any]) -> Prepared:
    """Everything before the first token (synchronous; the tenant's schema is active). The
    conversation changes only once the call is admitted: a refused first prompt leaves none
    behind, a refused regeneration leaves the answer it would have replaced."""
    prompt, model = _prompt_and_model(body)
    system = str(body.get("system") or "")
    parameters = {name: body[name] for name in PARAMETERS if body.get(name) not in (None, "")}
    kb_id = body.get("knowledge_base_id") or None
    located = find_knowledge_base(tenant, kb_id) if kb_id else None
    comparison = _comparison_id(body.get("comparison_id"))
    conversation, replaced = _continued(principal, body)
    history = selectors.history(conversation, before=replaced) if conversation else []
    try:
        call, citations = _admit(tenant, principal, model, prompt, history=history,
                                 system=system, parameters=parameters, located=located)  # fmt: skip
    except DomainError as error:
        if conversation is not None and replaced is None:  # it stays in the conversation
            services.add_refused_prompt(conversation=conversation, content=prompt, model=model,
                                        error=error.message)  # fmt: skip
        raise
    try:
        with transaction.atomic():
            if conversation is None:
                conversation = services.start_conversation(
                    owner_id=principal.id, first_prompt=prompt, model=model, system_prompt=system,
                    parameters=parameters, comparison_id=comparison,
                    knowledge_base_id=str(located.kb.pk) if located else None,
                )  # fmt: skip
            elif replaced is not None:  # regenerate an answer, or ask an edited prompt instead
                services.rewind_to_before(conversation, replaced.pk)
            question = services.add_question(conversation, prompt)
    except Exception:
        calls.abandoned(call)  # its reservations given back: the model is not called
        raise
    return Prepared(tenant, conversation.pk, model, call, question.pk, citations)


def _event(name: str, data: dict[str, Any] | list[Any]) -> bytes:
    return f"event: {name}\ndata: {json.dumps(data, default=str)}\n\n".encode()


def _save(
    prepared: Prepared, text: str, status: str, event: dict[str, Any], error: str = ""
) -> Turn:
    with in_tenant_schema(prepared.tenant):
        return services.add_answer(
            conversation_id=prepared.conversation_id, content=text, model=prepared.model,
            status=status, event=event, citations=prepared.citations, error=error,
        )  # fmt: skip


def abandoned(prepared: Prepared) -> None:
    """A turn whose person left before the model was called: the call settled (its reservations
    given back) and the question answered as stopped, as a stream stopped at once would be."""
    calls.abandoned(prepared.call)
    _save(prepared, "", Turn.Status.STOPPED, {})


async def stream_events(prepared: Prepared) -> AsyncIterator[bytes]:
    """Server-sent events: `start` (conversation, the prompt's turn, citations), `delta`s, then
    `done` (tokens, latency, cost) or `failure`. A stopped stream (the person pressed Stop, or
    left) stops the upstream call and keeps the partial answer as stopped."""
    text: list[str] = []
    saved = began = False
    try:
        yield _event("start", {"conversation_id": str(prepared.conversation_id),
                               "question_id": prepared.question_id,
                               "request_id": prepared.call.request_id,
                               "citations": prepared.citations})  # fmt: skip
        began = True
        async for item in calls.stream(prepared.call):
            if isinstance(item, calls.Settled):
                saved = True
                answer = "".join(text)
                if item.failure is not None:
                    await run_in_pool(_save, prepared, answer, Turn.Status.ERROR, item.event,
                                      item.failure.message)  # fmt: skip
                    yield _event("failure", explain(item.failure))
                else:
                    turn = await run_in_pool(_save, prepared, answer, Turn.Status.OK, item.event)
                    yield _event("done", {
                        "turn_id": turn.pk, "input_tokens": turn.input_tokens,
                        "output_tokens": turn.output_tokens, "latency_ms": turn.latency_ms,
                        "cost": str(turn.cost) if turn.cost is not None else None,
                        "currency": turn.currency,
                    })  # fmt: skip
            elif item.text:
                text.append(item.text)
                yield _event("delta", {"text": item.text})
    finally:
        if not began:  # gone while `start` was sent: the model was never called
            start_in_pool(functools.partial(abandoned, prepared))
        elif not saved:
            partial = "".join(text)
            start_in_pool(lambda: _save(prepared, partial, Turn.Status.STOPPED, {}))
