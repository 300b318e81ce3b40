"""The tenant's OpenAI-compatible API: /models, /chat/completions (streamed or not), /embeddings.

Plain async views, not DRF: the provider call awaits on the event loop, and the synchronous steps
around it (authentication, model resolution, rate limits, then the usage event) run in reused
pool threads from the hot-path caches, with no database query while nothing changed. Served by
`gateway.handler` without the browser middleware; errors in OpenAI's shape.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponseBase, JsonResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import http_date

from gateway import openai_format, rate_limits, routing
from gateway.parameters import BadParameter, chat_request, embedding_inputs, require_model
from gateway.types import ChatRequest, Usage
from gateway.usage import Meter
from identity.api_auth import authenticate_bearer
from identity.principals import Principal
from metering import budgets
from metering.services import cost_of, price_for
from models_catalog.models import Lifecycle, Modality
from models_catalog.selectors import ResolvedModel, decide, model_snapshot, usable_models
from portal.api_errors import domain_error_response
from portal.errors import DomainError, InvalidInput
from portal.hot_cache import cached
from portal.pool_threads import run_in_pool
from tenants.models import Tenant
from tenants.selectors import tenant_routed_by


class MethodNotAllowed(DomainError):
    status_code = 405
    code = "method_not_allowed"


class UnsupportedMediaType(DomainError):
    status_code = 415
    code = "unsupported_media_type"


@dataclass(frozen=True)
class Caller:
    tenant: Tenant
    principal: Principal


def _caller(request: HttpRequest, method: str) -> Caller:
    """The tenant of the URL (set by the tenant middleware, or routed here from the cache) and
    the principal the bearer token proves in it; then, the method (an unauthenticated caller
    learns nothing, not even which methods a path takes)."""
    tenant = getattr(request, "tenant", None) or tenant_routed_by(request.path.split("/")[2])
    principal = authenticate_bearer(request.META.get("HTTP_AUTHORIZATION", ""), tenant)
    if request.method != method:
        raise MethodNotAllowed(f"Use {method} for {request.path}.")
    return Caller(tenant, principal)  # type: ignore[arg-type]  # an unknown tenant was refused


def _body(request: HttpRequest) -> dict[str, Any]:
    if request.content_type != "application/json":
        raise UnsupportedMediaType(
            f"Send the body as JSON with 'Content-Type: application/json' "
            f"(got '{request.content_type or 'none'}')."
        )
    try:
        body = json.loads(request.body)
    except (ValueError, UnicodeDecodeError) as error:
        raise InvalidInput(f"The request body is not valid JSON: {error}.") from error
    if not isinstance(body, dict):
        raise InvalidInput("The request body must be a JSON object.")
    return body


def _resolve(tenant: Tenant, name: str, modality: str) -> ResolvedModel:
    snapshot = cached(("model", tenant.pk, name), lambda: model_snapshot(tenant, name))
    resolved = decide(snapshot, timezone.now())
    if resolved.entry.modality != modality:
        other = (
            "/embeddings" if resolved.entry.modality == Modality.EMBEDDING else "/chat/completions"
        )
        raise BadParameter("model", f"{name} is a {resolved.entry.modality} model: use {other}.")
    return resolved


def _meter(
    caller: Caller, resolved: ResolvedModel, request_id: str, operation: str, streamed: bool,
    prompt_tokens: int, max_output_tokens: int,
) -> Meter:  # fmt: skip
    """Reserve the worst case on the budgets and the rate limits, then start metering."""
    now = timezone.now()
    worst_case = cost_of(price_for(resolved.entry, now), prompt_tokens, max_output_tokens)
    budget = budgets.reserve(
        tenant_id=caller.tenant.pk, business_unit_id=caller.principal.business_unit_id,
        cost=worst_case or Decimal(0), at=now,
    )  # fmt: skip
    try:
        reservation = rate_limits.take(
            tenant=caller.tenant, grant=resolved.grant, model_name=resolved.entry.name,
            tokens=prompt_tokens + max_output_tokens,
        )  # fmt: skip
    except DomainError:
        budget.release()
        raise
    return Meter.start(
        request_id=request_id, tenant=caller.tenant, principal=caller.principal,
        model=resolved.entry, operation=operation, streamed=streamed, reservation=reservation,
        budget=budget,
    )  # fmt: skip


def _decorate(
    response: HttpResponseBase, resolved: ResolvedModel, request_id: str, served: routing.Served
) -> HttpResponseBase:
    response["X-Request-Id"] = request_id
    if served.route is not None:
        response["X-Atrium-Served-By"] = served.route.entry.name
    if resolved.lifecycle == Lifecycle.DEPRECATED:
        entry = resolved.entry
        response["Deprecation"] = f"@{int(entry.deprecated_at.timestamp())}"  # type: ignore[union-attr]
        if entry.end_of_life_at:
            response["Sunset"] = http_date(entry.end_of_life_at.timestamp())
    return response


def endpoint(
    view: Callable[[HttpRequest], Awaitable[HttpResponseBase]],
) -> Callable[[HttpRequest], Awaitable[HttpResponseBase]]:
    """Every refusal in OpenAI's error shape, with its status and headers."""

    async def answer(request: HttpRequest, **kwargs: Any) -> HttpResponseBase:
        try:
            return await view(request)
        except DomainError as error:
            return domain_error_response(error)

    answer.__doc__ = view.__doc__
    answer.csrf_exempt = True  # type: ignore[attr-defined]  # bearer tokens, no cookies
    return answer


@endpoint
async def models(request: HttpRequest) -> HttpResponseBase:
    """The models this tenant may use right now."""

    def listed() -> dict[str, Any]:
        caller = _caller(request, "GET")
        return openai_format.model_list(list(usable_models(caller.tenant, timezone.now())))

    return JsonResponse(await run_in_pool(listed))


@dataclass
class ChatCall:
    name: str
    resolved: ResolvedModel
    chat: ChatRequest
    stream: bool
    include_usage: bool
    meter: Meter
    routes: list[routing.Route]


def _start_chat(request: HttpRequest, request_id: str) -> ChatCall:
    caller = _caller(request, "POST")
    body = _body(request)
    name = require_model(body)
    resolved = _resolve(caller.tenant, name, Modality.CHAT)
    chat, stream, include_usage = chat_request(
        body, max_output_tokens=resolved.entry.max_output_tokens
    )
    prompt = rate_limits.estimate_prompt_tokens([message.content for message in chat.messages])
    meter = _meter(caller, resolved, request_id, "chat", stream, prompt, chat.max_tokens)
    routes = routing.routes_for(resolved)
    return ChatCall(name, resolved, chat, stream, include_usage, meter, routes)


@endpoint
async def chat_completions(request: HttpRequest) -> HttpResponseBase:
    """OpenAI's chat completions, whole or streamed as server-sent events."""
    request_id = f"chatcmpl-{uuid.uuid4().hex}"
    call = await run_in_pool(_start_chat, request, request_id)
    name = call.name
    served = routing.Served()
    if call.stream:
        pieces = routing.stream_chat(call.routes, call.chat, served)
        response: HttpResponseBase = StreamingHttpResponse(
            _stream(pieces, call, request_id, name, served), content_type="text/event-stream"
        )
        response["Cache-Control"] = "no-cache"
        response["X-Accel-Buffering"] = "no"
        return _decorate(response, call.resolved, request_id, served)
    try:
        result = await routing.chat(call.routes, call.chat, served)
    except DomainError as error:
        await run_in_pool(
            call.meter.finish, usage=None, counted=False, status="error", error=error.message
        )
        raise
    call.meter.served_by(served.route.entry if served.route else None)
    await run_in_pool(call.meter.finish, usage=result.usage, counted=False, status="ok")
    response = JsonResponse(openai_format.completion(request_id, name, result))
    return _decorate(response, call.resolved, request_id, served)


async def _stream(
    pieces: AsyncIterator[Any], call: ChatCall, request_id: str, model: str, served: routing.Served
) -> AsyncIterator[bytes]:
    created = int(time.time())
    first, usage, text = True, None, []
    status, failure = "cancelled", ""
    try:
        async for piece in pieces:
            if piece.usage is not None:
                usage = piece.usage
            if piece.text or piece.finish_reason:
                text.append(piece.text)
                yield openai_format.chunk(request_id, model, created, piece, first)
                first = False
        if call.include_usage and usage is not None:
            yield openai_format.usage_chunk(request_id, model, created, usage)
        status = "ok"
    except DomainError as error:
        status, failure = "error", error.message
        # Headers are gone already: the error travels as an event, as OpenAI's own API does.
        yield openai_format.error_event(error.message, error.code)
    finally:
        call.meter.served_by(served.route.entry if served.route else None)
        call.meter.finish_in_background(
            request=call.chat, usage=usage, text="".join(text), status=status, error=failure
        )
    yield openai_format.sse("[DONE]")


@dataclass
class EmbeddingCall:
    name: str
    resolved: ResolvedModel
    texts: list[str]
    encoding: str
    meter: Meter
    routes: list[routing.Route]


def _start_embedding(request: HttpRequest, request_id: str) -> EmbeddingCall:
    caller = _caller(request, "POST")
    body = _body(request)
    name = require_model(body)
    texts, encoding = embedding_inputs(body)
    resolved = _resolve(caller.tenant, name, Modality.EMBEDDING)
    tokens = rate_limits.estimate_prompt_tokens(texts)
    meter = _meter(caller, resolved, request_id, "embeddings", False, tokens, 0)
    return EmbeddingCall(name, resolved, texts, encoding, meter, routing.routes_for(resolved))


@endpoint
async def embeddings(request: HttpRequest) -> HttpResponseBase:
    """OpenAI's embeddings (float or base64)."""
    request_id = f"embd-{uuid.uuid4().hex}"
    call = await run_in_pool(_start_embedding, request, request_id)
    name = call.name
    served = routing.Served()
    try:
        result = await routing.embed(call.routes, call.texts, served)
    except DomainError as error:
        await run_in_pool(
            call.meter.finish, usage=None, counted=False, status="error", error=error.message
        )
        raise
    call.meter.served_by(served.route.entry if served.route else None)
    await run_in_pool(
        call.meter.finish, usage=Usage(result.prompt_tokens, 0), counted=False, status="ok"
    )
    response = JsonResponse(openai_format.embeddings(name, result, call.encoding))
    return _decorate(response, call.resolved, request_id, served)
