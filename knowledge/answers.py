"""Retrieve-and-generate: the passages that match a question, given to a chat model through the
gateway (allowlist, budget, rate limits, metering), and an answer with its citations. Frequent
questions are answered from the tenant's answer cache.

The sources are numbered as the model is asked to cite them ([1], [2], ...) and as `citations`
lists them. Where the knowledge base names a re-ranking model, more candidates are retrieved
and re-ranked (a metered gateway call); passages whose cosine similarity to the question is
below the knowledge base's `min_relevance` are neither given to the model nor cited
(`knowledge.answer_settings`). The question is read by the tenant's input guardrails before
anything else: before it is embedded, re-ranked, looked up in the answer cache or answered."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from asgiref.sync import async_to_sync

from gateway import calls
from gateway.rerank import RerankRequest, rerank, start_rerank
from guardrails.checked import checked_input
from guardrails.selectors import policy_digest
from identity.principals import Principal
from kernel.errors import InvalidInput
from knowledge import answer_cache
from knowledge.answer_settings import MAX_RERANK_TOP_N, RERANK_CANDIDATES_FACTOR, AnswerSettings
from knowledge.retrieval import Filters, Hit, check_search, embed_query, retrieve
from knowledge.stores import Located
from models_catalog.models import Modality
from providers.types import ChatRequest, Message

INSTRUCTIONS = (
    "Answer the question from the numbered sources below only. Mark each claim with the number "
    "of the source it comes from in square brackets right after it, like [1] or [1][3]; use "
    "only the numbers listed. If the sources do not contain the answer, say that you do not "
    "know.\n\nSources:\n{passages}"
)
NOTHING_FOUND = "No passage of {kb} matches this question, so there is nothing to answer from."


def asked(located: Located, query: Any, top_k: Any, mode: Any) -> str:
    """The question as the tenant's input guardrails let a model read it (masked), once the
    search is valid: checked before it is embedded, re-ranked, looked up in the answer cache or
    answered; otherwise InvalidInput or GuardrailBlocked, and nothing was sent or charged."""
    check_search(query, top_k, mode)
    return checked_input(located.tenant, query)


def search(
    located: Located, *, query: Any, principal: Principal, top_k: Any = 5, mode: Any = "vector",
    filters: Filters | None = None,
) -> list[Hit]:  # fmt: skip
    """The passages that best match `query` (`/retrieve`, the search page), the query read by
    the tenant's input guardrails before it is embedded."""
    return retrieve(located, query=asked(located, query, top_k, mode), principal=principal,
                    top_k=top_k, mode=mode, filters=filters)  # fmt: skip


def sources(
    located: Located, *, query: str, principal: Principal, top_k: int = 4, mode: str = "hybrid",
    filters: Filters | None = None,
) -> list[Hit]:  # fmt: skip
    """The passages to answer `query` from, best first: retrieved, re-ranked if the knowledge
    base says so, and only those at or above its relevance threshold; the query read by the
    tenant's input guardrails first."""
    return _sources(located, query=asked(located, query, top_k, mode), principal=principal,
                    top_k=top_k, mode=mode, filters=filters)  # fmt: skip


def _sources(
    located: Located, *, query: str, principal: Principal, top_k: int, mode: str,
    filters: Filters | None, vector: list[float] | None = None,
) -> list[Hit]:  # fmt: skip
    settings = AnswerSettings.from_dict(located.kb.answering)
    if not settings.rerank_model:
        hits = retrieve(located, query=query, principal=principal, top_k=top_k, mode=mode,
                        filters=filters, vector=vector)  # fmt: skip
    else:
        candidates = retrieve(
            located, query=query, principal=principal, mode=mode, filters=filters, vector=vector,
            top_k=min(top_k * RERANK_CANDIDATES_FACTOR, MAX_RERANK_TOP_N),
        )  # fmt: skip
        hits = _reranked(located, principal, query, candidates, settings)
    return [hit for hit in hits if hit.similarity >= settings.min_relevance]


def _reranked(
    located: Located, principal: Principal, query: str, hits: list[Hit], settings: AnswerSettings
) -> list[Hit]:
    if not hits:
        return hits
    request = RerankRequest(
        query, [hit.text for hit in hits], min(settings.rerank_top_n, len(hits))
    )
    call = start_rerank(calls.Caller(located.tenant, principal), settings.rerank_model, request)
    result = async_to_sync(rerank)(call)
    return [replace(hits[r.index], rerank_score=r.relevance_score) for r in result.results]


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
    resolved = calls.resolve(
        located.tenant, model, Modality.CHAT, principal.unit_ids
    )  # before any work
    # Before either cache is read and before the question is embedded: a refused question is
    # answered from nowhere, and a masked one is embedded, cached and answered masked.
    query = asked(located, query, top_k, mode)
    max_tokens = min(max_tokens, resolved.entry.max_output_tokens)
    filters = filters or Filters()
    version = resolved.version.pk if resolved.version else None
    scope = answer_cache.Scope(
        model=model, served_by=f"{resolved.entry.pk}/{version}", top_k=top_k, mode=mode,
        filters=filters, max_tokens=max_tokens, guardrails=policy_digest(located.tenant),
    )  # fmt: skip
    cached = answer_cache.exact(located, scope, query)
    if cached is not None:
        return {**cached, "cached": "exact"}
    vector = embed_query(located, principal, query)
    cached = answer_cache.similar(located, scope, vector)
    if cached is not None:
        return {**cached, "cached": "semantic"}
    hits = _sources(located, query=query, principal=principal, top_k=top_k, mode=mode,
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
