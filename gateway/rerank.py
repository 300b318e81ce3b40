"""Re-ranking: `POST /t/<slug>/v1/rerank` in the shape Cohere, Jina and LiteLLM's proxy serve,
and the call behind it for the portal's own features (retrieve-and-generate).

The same checks as every other model call (`gateway.calls`): bearer token, the tenant's
allowlist, rate limits, the budget reserved for the worst case, and one usage event (operation
`rerank`) with the tokens the provider counted or, where it counts none (Bedrock bills search
units), the gateway's estimate. Search units are returned in `meta.billed_units`."""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest, HttpResponseBase, JsonResponse

from gateway import calls, rate_limits, routing
from gateway.api import answer_of, api_caller, endpoint, json_body
from gateway.parameters import BadParameter, require_model
from gateway.usage import Meter
from kernel.ids import time_ordered_hex
from kernel.pool_threads import run_in_pool_or_undo
from models_catalog.models import Modality
from models_catalog.selectors import ResolvedModel
from providers.errors import UnusableAnswer
from providers.rerank import RerankResult, reranker_for
from providers.types import Usage

MAX_DOCUMENTS = 1000  # Bedrock's limit per call, and Cohere's recommendation
MAX_QUERY_CHARACTERS = 32_000
FIELDS = frozenset({"model", "query", "documents", "top_n", "return_documents"})


@dataclass(frozen=True)
class RerankRequest:
    query: str
    documents: list[str]
    top_n: int
    return_documents: bool = False


def rerank_request(body: dict[str, Any]) -> RerankRequest:
    """The request's fields, or a 400 naming the first one that is wrong or unknown."""
    for name in body:
        if name not in FIELDS:
            raise BadParameter(
                name, f"is not a field of /rerank (it takes {', '.join(sorted(FIELDS))})."
            )
    query = body.get("query")
    if not isinstance(query, str) or not query.strip():
        raise BadParameter("query", "the text to rank the documents against (a non-empty string).")
    if len(query) > MAX_QUERY_CHARACTERS:
        raise BadParameter("query", f"at most {MAX_QUERY_CHARACTERS} characters.")
    documents = body.get("documents")
    if not isinstance(documents, list) or not 1 <= len(documents) <= MAX_DOCUMENTS:
        raise BadParameter(
            "documents", f'a list of 1 to {MAX_DOCUMENTS} strings or {{"text": ...}} objects.'
        )
    texts = [_text(position, document) for position, document in enumerate(documents)]
    top_n = body.get("top_n", len(texts))
    if not isinstance(top_n, int) or isinstance(top_n, bool) or top_n < 1:
        raise BadParameter("top_n", "a whole number of at least 1.")
    return_documents = body.get("return_documents", False)
    if not isinstance(return_documents, bool):
        raise BadParameter("return_documents", "true or false.")
    return RerankRequest(query, texts, min(top_n, len(texts)), return_documents)


def _text(position: int, document: Any) -> str:
    if isinstance(document, dict) and set(document) == {"text"}:
        document = document["text"]
    if not isinstance(document, str):
        raise BadParameter(
            f"documents[{position}]", "a string, or an object with only a string `text`."
        )
    return document


@dataclass
class RerankCall:
    name: str
    resolved: ResolvedModel
    request: RerankRequest
    meter: Meter
    route: routing.Route
    request_id: str
    estimated_tokens: int
    served: routing.Served = field(default_factory=routing.Served)


def start_rerank(
    caller: calls.Caller, name: str, request: RerankRequest, *,
    resolved: ResolvedModel | None = None,
) -> RerankCall:  # fmt: skip
    """Admit a rerank call: the model resolved on the tenant's allowlist, the rate limits
    taken and the worst case reserved on the budgets (as `calls.start_embedding`)."""
    resolved = resolved or calls.resolve(
        caller.tenant, name, Modality.RERANK, caller.principal.unit_ids
    )
    request_id = f"rerank-{time_ordered_hex()}"
    tokens = rate_limits.estimate_prompt_tokens([request.query, *request.documents])
    route = routing.Route(resolved.entry, reranker_for(resolved.entry))
    meter = calls.meter_for(caller, resolved, [route], request_id, "rerank", False, tokens, 0, name)
    return RerankCall(name, resolved, request, meter, route, request_id, tokens)


async def rerank(call: RerankCall) -> RerankResult:
    """The provider's ranking (retried as other calls are); the call settled either way."""
    request = call.request

    def usage_of(result: RerankResult) -> Usage:
        return Usage(call.estimated_tokens if result.tokens is None else result.tokens, 0)

    def ask(route: routing.Route) -> Awaitable[RerankResult]:
        return route.provider.rerank(request.query, request.documents, request.top_n)  # type: ignore[no-any-return]

    async def attempt() -> RerankResult:
        try:
            return await routing.first_success([call.route], ask, call.served)
        except UnusableAnswer as unusable:  # ranked all the same: billed as one that is used
            unusable.usage = unusable.usage or Usage(call.estimated_tokens, 0)
            raise

    return await calls.settle_call(call.meter, call.served, attempt(), usage_of)


def response_body(call: RerankCall, result: RerankResult) -> dict[str, Any]:
    """Cohere's and Jina's response shape (as LiteLLM returns it)."""
    request = call.request
    tokens = call.estimated_tokens if result.tokens is None else result.tokens
    results = []
    for ranked in result.results:
        item: dict[str, Any] = {"index": ranked.index, "relevance_score": ranked.relevance_score}
        if request.return_documents:
            item["document"] = {"text": request.documents[ranked.index]}
        results.append(item)
    return {
        "id": call.request_id,
        "model": call.name,
        "results": results,
        "meta": {
            "billed_units": {"search_units": result.search_units},
            "tokens": {"input_tokens": tokens, "output_tokens": 0},
        },
        "usage": {"total_tokens": tokens, "search_units": result.search_units},
    }


def _start(request: HttpRequest) -> RerankCall:
    caller = api_caller(request, "POST")
    body = json_body(request)
    name = require_model(body)
    with calls.refusals_recorded(caller, name, "rerank"):
        resolved = calls.resolve(caller.tenant, name, Modality.RERANK, caller.principal.unit_ids)
        return start_rerank(caller, name, rerank_request(body), resolved=resolved)


@endpoint
async def rerank_view(request: HttpRequest) -> HttpResponseBase:
    """Documents ordered by relevance to a query, best first."""
    call = await run_in_pool_or_undo(calls.abandoned, _start, request)

    async def respond() -> HttpResponseBase:
        return JsonResponse(response_body(call, await rerank(call)))

    return await answer_of(call, respond)
