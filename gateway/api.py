"""The tenant's OpenAI-compatible API: /models, /chat/completions (streamed or not), /embeddings.

Plain async views, not DRF: the provider call awaits on the event loop, and the synchronous steps
around it (authentication, model resolution, rate limits, then the usage event) run in reused
pool threads from the hot-path caches, with no database query while nothing changed. Served by
`gateway.handler` without the browser middleware; errors in OpenAI's shape.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from typing import Any, Protocol

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase, JsonResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import http_date

from gateway import calls, openai_format, routing
from gateway.parameters import chat_request, embedding_request, require_model, unmet_need
from gateway.usage import usage_of_event
from identity.api_auth import authenticate_bearer
from identity.business_units import UNIT_HEADER_META
from kernel.errors import DomainError, InvalidInput
from kernel.http_errors import domain_error_response
from kernel.pool_threads import run_in_pool, run_in_pool_or_undo
from kernel.request_json import json_of_request
from models_catalog.models import Lifecycle, Modality
from models_catalog.selectors import ResolvedModel, usable_models
from providers.types import ChatChunk
from tenants.selectors import tenant_of_path


class UnknownRoute(DomainError):
    status_code = 404
    code = "unknown_url"


class MethodNotAllowed(DomainError):
    status_code = 405
    code = "method_not_allowed"


class UnsupportedMediaType(DomainError):
    status_code = 415
    code = "unsupported_media_type"


def _caller(request: HttpRequest, method: str) -> calls.Caller:
    """The tenant of the URL (set by the tenant middleware, or routed here from the cache) and
    the principal the bearer token proves in it; then, the method (an unauthenticated caller
    learns nothing, not even which methods a path takes)."""
    tenant = getattr(request, "tenant", None) or tenant_of_path(request.path)
    principal = authenticate_bearer(
        request.META.get("HTTP_AUTHORIZATION", ""), tenant, request.META.get(UNIT_HEADER_META, "")
    )
    if request.method != method:
        raise MethodNotAllowed(f"Use {method} for {request.path}.")
    return calls.Caller(tenant, principal)  # type: ignore[arg-type]  # an unknown tenant was refused


def _body(request: HttpRequest, *, images: bool = False) -> dict[str, Any]:
    """The JSON object body; one that may carry images (chat, Responses) may be as large as an
    image at GATEWAY_IMAGE_MAX_BYTES needs (GATEWAY_BODY_MAX_BYTES), the others 413 sooner."""
    if request.content_type != "application/json":
        raise UnsupportedMediaType(
            f"Send the body as JSON with 'Content-Type: application/json' "
            f"(got '{request.content_type or 'none'}')."
        )
    limit = settings.GATEWAY_BODY_MAX_BYTES if images else None
    body = json_of_request(request, max_bytes=limit)
    if not isinstance(body, dict):
        raise InvalidInput("The request body must be a JSON object.")
    # OpenAI's API reads a top-level null as a field not given (clients send `"stop": null`)
    return {name: value for name, value in body.items() if value is not None}


def _decorate(
    response: HttpResponseBase, resolved: ResolvedModel, request_id: str, served: routing.Served
) -> HttpResponseBase:
    response["X-Request-Id"] = request_id
    if served.route is not None:
        response["X-Atrium-Served-By"] = served.route.entry.name
    if resolved.lifecycle == Lifecycle.DEPRECATED:
        entry = resolved.entry
        response["Deprecation"] = f"@{int(entry.deprecated_at.timestamp())}"  # type: ignore[union-attr]  # DEPRECATED only from a date
        if entry.end_of_life_at:
            response["Sunset"] = http_date(entry.end_of_life_at.timestamp())
    return response


def endpoint(
    view: Callable[..., Coroutine[Any, Any, HttpResponseBase]],
) -> Callable[..., Coroutine[Any, Any, HttpResponseBase]]:
    """Every refusal in OpenAI's error shape, with its status and headers."""

    async def answer(request: HttpRequest, **kwargs: Any) -> HttpResponseBase:
        try:
            return await view(request, **kwargs)
        except DomainError as error:
            return domain_error_response(error)

    answer.__doc__ = view.__doc__
    answer.csrf_exempt = True  # type: ignore[attr-defined]  # bearer tokens, no cookies
    return answer


@endpoint
async def models(request: HttpRequest) -> HttpResponseBase:
    """The models this tenant may use right now, with what each can do."""

    def listed() -> dict[str, Any]:
        caller = _caller(request, "GET")
        return openai_format.model_list(
            list(usable_models(caller.tenant, timezone.now(), unit_ids=caller.principal.unit_ids))
        )

    return JsonResponse(await run_in_pool(listed))


@endpoint
async def model(request: HttpRequest, model_id: str = "") -> HttpResponseBase:
    """One model this tenant may use right now (ids contain `/`: the rest of the path)."""

    def found() -> dict[str, Any]:
        caller = _caller(request, "GET")
        name = model_id or request.path.split("/v1/models/", 1)[1]
        resolved = calls.resolve_any(caller.tenant, name, caller.principal.unit_ids)
        return openai_format.model_object(resolved.entry)

    return JsonResponse(await run_in_pool(found))


@endpoint
async def not_found(request: HttpRequest, rest: str = "") -> HttpResponseBase:
    """Any other path under /v1/: OpenAI's error shape (after the token, as every route)."""

    def refused() -> HttpResponseBase:
        _caller(request, request.method or "GET")
        raise UnknownRoute(f"Unknown request URL: {request.method} {request.path}.")

    return await run_in_pool(refused)


def _start_chat(request: HttpRequest) -> calls.ChatCall:
    caller = _caller(request, "POST")
    body = _body(request, images=True)
    name = require_model(body)
    with calls.refusals_recorded(caller, name, "chat"):
        resolved = calls.resolve(caller.tenant, name, Modality.CHAT, caller.principal.unit_ids)
        parsed = chat_request(body, resolved.entry)
        refusal = unmet_need(resolved.entry, parsed.request, parsed.stream)
        if refusal is not None:
            raise refusal
        return calls.start_chat(
            caller, resolved, name, parsed.request, stream=parsed.stream,
            include_usage=parsed.include_usage, legacy_functions=parsed.legacy_functions,
        )  # fmt: skip


@endpoint
async def chat_completions(request: HttpRequest) -> HttpResponseBase:
    """OpenAI's chat completions, whole or streamed as server-sent events."""
    call = await run_in_pool_or_undo(calls.abandoned, _start_chat, request)

    async def respond() -> HttpResponseBase:
        if call.stream:  # a failure before the first piece is answered with its own status
            return event_stream(_stream(call, await calls.opened(call)))
        result = await calls.complete(call)
        return JsonResponse(openai_format.completion(
            call.request_id, call.name, result, legacy_functions=call.legacy_functions
        ))  # fmt: skip

    return await answer_of(call, respond)


class AdmittedCall(Protocol):
    """What names an admitted call in its answer's headers (chat, embeddings, rerank)."""

    resolved: ResolvedModel
    request_id: str
    served: routing.Served


async def answer_of(
    call: AdmittedCall, respond: Callable[[], Awaitable[HttpResponseBase]]
) -> HttpResponseBase:
    """An admitted call's answer, or its failure in OpenAI's shape; either way with the headers
    that name its request (whose id names its usage event) and the model that served."""
    try:
        response = await respond()
    except DomainError as failure:
        response = domain_error_response(failure)
    return _decorate(response, call.resolved, call.request_id, call.served)


async def _stream(
    call: calls.ChatCall, items: AsyncIterator[ChatChunk | calls.Settled]
) -> AsyncIterator[bytes]:
    """OpenAI's chunks; a failure after the headers travels as an error event, as OpenAI's
    own API does."""
    created, first = int(time.time()), True
    async for item in items:
        if isinstance(item, calls.Settled):
            if item.failure is not None:
                yield openai_format.error_event(item.failure)
            elif call.include_usage:
                usage = usage_of_event(item.event)
                yield openai_format.usage_chunk(call.request_id, call.name, created, usage)
        elif item.text or item.finish_reason or item.tool_calls or item.logprobs:
            yield openai_format.chunk(
                call.request_id, call.name, created, item, first,
                legacy_functions=call.legacy_functions,
            )  # fmt: skip
            first = False
    yield openai_format.sse("[DONE]")


def _start_embedding(request: HttpRequest) -> tuple[calls.EmbeddingCall, str]:
    caller = _caller(request, "POST")
    body = _body(request)
    name = require_model(body)
    with calls.refusals_recorded(caller, name, "embeddings"):
        resolved = calls.resolve(caller.tenant, name, Modality.EMBEDDING, caller.principal.unit_ids)
        texts, encoding, dimensions = embedding_request(body, resolved.entry)
        call = calls.start_embedding(caller, name, texts, dimensions=dimensions, resolved=resolved)
    return call, encoding


@endpoint
async def embeddings(request: HttpRequest) -> HttpResponseBase:
    """OpenAI's embeddings (float or base64)."""
    call, encoding = await run_in_pool_or_undo(lambda started: calls.abandoned(started[0]),
                                               _start_embedding, request)  # fmt: skip

    async def respond() -> HttpResponseBase:
        result = await calls.embed(call)
        return JsonResponse(openai_format.embeddings(call.name, result, encoding))

    return await answer_of(call, respond)


# For the other OpenAI endpoints built on this one (legacy completions, the Responses API): the
# same authentication, body reading and response headers as the chat endpoint's.
def api_caller(request: HttpRequest, method: str) -> calls.Caller:
    """The tenant and principal of an API request, or the refusal (see `_caller`)."""
    return _caller(request, method)


def json_body(request: HttpRequest, *, images: bool = False) -> dict[str, Any]:
    """The request's JSON object body, or a 400/413/415 saying what is wrong with it."""
    return _body(request, images=images)


def decorated(
    response: HttpResponseBase, resolved: ResolvedModel, request_id: str, served: routing.Served
) -> HttpResponseBase:
    """`response` with the request id, the serving model and deprecation headers."""
    return _decorate(response, resolved, request_id, served)


def event_stream(events: AsyncIterator[bytes]) -> StreamingHttpResponse:
    """Server-sent events, sent as they come: no cache, no proxy buffering."""
    response = StreamingHttpResponse(events, content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response
