"""Retrieve-and-generate: the passages that match a question, given to a chat model through the
gateway (allowlist, budget, rate limits, metering), and an answer with its citations. Frequent
questions are answered from the tenant's answer cache."""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync

from gateway import calls
from identity.principals import Principal
from kernel.errors import InvalidInput
from knowledge import answer_cache
from knowledge.retrieval import Filters, Hit, check_search, embed_query, retrieve
from knowledge.stores import Located
from models_catalog.models import Modality
from providers.types import ChatRequest, Message

INSTRUCTIONS = (
    "Answer the question from the numbered passages only, citing them like [1]. If the passages "
    "do not contain the answer, say that you do not know.\n\n{passages}"
)
NOTHING_FOUND = "No passage of {kb} matches this question, so there is nothing to answer from."


def passages_prompt(hits: list[Hit]) -> str:
    """The instruction and the numbered passages, for a system message."""
    passages = "\n\n".join(f"[{number}] {hit.text}" for number, hit in enumerate(hits, start=1))
    return INSTRUCTIONS.format(passages=passages)


def answer(
    located: Located, *, query: str, model: str, principal: Principal, top_k: int = 4,
    mode: str = "hybrid", filters: Filters | None = None, max_tokens: int = 256,
) -> dict[str, Any]:  # fmt: skip
    check_search(query, top_k, mode)  # before the cache reads them
    if not isinstance(model, str) or not model:
        raise InvalidInput("model: name a chat model this tenant may use.")
    if not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or max_tokens < 1:
        raise InvalidInput("max_tokens: a whole number of at least 1.")
    caller = calls.Caller(located.tenant, principal)
    resolved = calls.resolve(located.tenant, model, Modality.CHAT)  # refuse before any work
    max_tokens = min(max_tokens, resolved.entry.max_output_tokens)
    filters = filters or Filters()
    version = resolved.version.pk if resolved.version else None
    scope = answer_cache.Scope(
        model=model, served_by=f"{resolved.entry.pk}/{version}", top_k=top_k, mode=mode,
        filters=filters, max_tokens=max_tokens,
    )  # fmt: skip
    cached = answer_cache.exact(located, scope, query)
    if cached is not None:
        return {**cached, "cached": "exact"}
    vector = embed_query(located, principal, query)
    cached = answer_cache.similar(located, scope, vector)
    if cached is not None:
        return {**cached, "cached": "semantic"}
    hits = retrieve(located, query=query, principal=principal, top_k=top_k, mode=mode,
                    filters=filters, vector=vector)  # fmt: skip
    if not hits:
        return {"answer": NOTHING_FOUND.format(kb=located.kb.name), "model": model,
                "citations": [], "usage": None, "cached": None}  # fmt: skip
    chat = ChatRequest(
        messages=(Message("system", passages_prompt(hits)), Message("user", query)),
        max_tokens=max_tokens, temperature=0.1,
    )  # fmt: skip
    call = calls.start_chat(caller, resolved, model, chat)
    result = async_to_sync(calls.complete)(call)
    reply = {
        "answer": result.text.strip(),
        "model": model,
        "citations": [
            {**hit.as_dict(), "number": number} for number, hit in enumerate(hits, start=1)
        ],
        "usage": {"prompt_tokens": result.usage.prompt_tokens,
                  "completion_tokens": result.usage.completion_tokens},
        "request_id": call.request_id,
    }  # fmt: skip
    answer_cache.remember(located, scope, query, vector, reply)
    return {**reply, "cached": None}
