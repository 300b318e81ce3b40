"""The tenant's OpenAI-compatible API: /models, /chat/completions (streamed or not), /embeddings."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

from asgiref.sync import async_to_sync
from django.http import HttpResponseBase, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import http_date
from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from gateway import openai_format, rate_limits, routing
from gateway.parameters import BadParameter, chat_request, embedding_inputs, require_model
from gateway.types import ChatRequest, Usage
from gateway.usage import Meter
from models_catalog.models import Lifecycle, Modality
from models_catalog.selectors import ResolvedModel, decide, model_snapshot, usable_models
from portal.errors import DomainError, InvalidInput
from portal.hot_cache import cached


def _body(request: Request) -> dict[str, Any]:
    if not isinstance(request.data, dict):
        raise InvalidInput("The request body must be a JSON object.")
    return request.data


def _resolve(request: Request, name: str, modality: str) -> ResolvedModel:
    tenant = request._request.tenant  # type: ignore[attr-defined]
    snapshot = cached(("model", tenant.pk, name), lambda: model_snapshot(tenant, name))
    resolved = decide(snapshot, timezone.now())
    if resolved.entry.modality != modality:
        other = (
            "/embeddings" if resolved.entry.modality == Modality.EMBEDDING else "/chat/completions"
        )
        raise BadParameter("model", f"{name} is a {resolved.entry.modality} model: use {other}.")
    return resolved


def _decorate(response: HttpResponseBase, resolved: ResolvedModel, request_id: str) -> None:
    response["X-Request-Id"] = request_id
    if resolved.lifecycle == Lifecycle.DEPRECATED:
        entry = resolved.entry
        response["Deprecation"] = f"@{int(entry.deprecated_at.timestamp())}"  # type: ignore[union-attr]
        if entry.end_of_life_at:
            response["Sunset"] = http_date(entry.end_of_life_at.timestamp())


class ModelsView(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT, tags=["gateway"])
    def get(self, request: Request) -> Response:
        """The models this tenant may use right now."""
        models = list(usable_models(request._request.tenant, timezone.now()))  # type: ignore[attr-defined]
        return Response(openai_format.model_list(models))


class ChatCompletionsView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT, tags=["gateway"])
    def post(self, request: Request) -> HttpResponseBase:
        """OpenAI's chat completions, whole or streamed as server-sent events."""
        body = _body(request)
        name = require_model(body)
        resolved = _resolve(request, name, Modality.CHAT)
        chat, stream, include_usage = chat_request(
            body, max_output_tokens=resolved.entry.max_output_tokens
        )
        routes = routing.routes_for(resolved)
        served = routing.Served()
        request_id = f"chatcmpl-{uuid.uuid4().hex}"
        worst_case = chat.max_tokens + rate_limits.estimate_prompt_tokens(
            [message.content for message in chat.messages]
        )
        meter = _meter(request, resolved, request_id, "chat", stream, worst_case)
        if stream:
            pieces = routing.stream_chat(routes, chat, served)
            response: HttpResponseBase = StreamingHttpResponse(
                _stream(pieces, chat, request_id, name, include_usage, meter, served),
                content_type="text/event-stream",
            )
            response["Cache-Control"] = "no-cache"
            response["X-Accel-Buffering"] = "no"
        else:
            try:
                result = async_to_sync(routing.chat)(routes, chat, served)
            except DomainError as error:
                meter.finish(usage=None, counted=False, status="error", error=error.message)
                raise
            meter.served_by(served.route.entry if served.route else None)
            meter.finish(usage=result.usage, counted=False, status="ok")
            response = Response(openai_format.completion(request_id, name, result))
            _name_server(response, served)
        _decorate(response, resolved, request_id)
        return response


def _meter(
    request: Request,
    resolved: ResolvedModel,
    request_id: str,
    operation: str,
    streamed: bool,
    tokens: int,
) -> Meter:
    """Take the rate limits (tokens for the worst case), then start metering the call."""
    tenant = request._request.tenant  # type: ignore[attr-defined]
    reservation = rate_limits.take(
        tenant=tenant, grant=resolved.grant, model_name=resolved.entry.name, tokens=tokens
    )
    return Meter.start(
        request_id=request_id,
        tenant=tenant,
        principal=request.user,  # type: ignore[arg-type]
        model=resolved.entry,
        operation=operation,
        streamed=streamed,
        reservation=reservation,
    )


def _name_server(response: HttpResponseBase, served: routing.Served) -> None:
    if served.route is not None:
        response["X-Atrium-Served-By"] = served.route.entry.name


async def _stream(
    pieces: AsyncIterator[Any],
    chat: ChatRequest,
    request_id: str,
    model: str,
    include_usage: bool,
    meter: Meter,
    served: routing.Served,
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
        if include_usage and usage is not None:
            yield openai_format.usage_chunk(request_id, model, created, usage)
        status = "ok"
    except DomainError as error:
        status, failure = "error", error.message
        # Headers are gone already: the error travels as an event, as OpenAI's own API does.
        yield openai_format.error_event(error.message, error.code)
    finally:
        meter.served_by(served.route.entry if served.route else None)
        meter.finish_in_background(
            request=chat, usage=usage, text="".join(text), status=status, error=failure
        )
    yield openai_format.sse("[DONE]")


class EmbeddingsView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT, tags=["gateway"])
    def post(self, request: Request) -> Response:
        """OpenAI's embeddings (float or base64)."""
        body = _body(request)
        name = require_model(body)
        texts, encoding = embedding_inputs(body)
        resolved = _resolve(request, name, Modality.EMBEDDING)
        routes = routing.routes_for(resolved)
        served = routing.Served()
        request_id = f"embd-{uuid.uuid4().hex}"
        tokens = rate_limits.estimate_prompt_tokens(texts)
        meter = _meter(request, resolved, request_id, "embeddings", False, tokens)
        try:
            result = async_to_sync(routing.embed)(routes, texts, served)
        except DomainError as error:
            meter.finish(usage=None, counted=False, status="error", error=error.message)
            raise
        meter.served_by(served.route.entry if served.route else None)
        meter.finish(usage=Usage(result.prompt_tokens, 0), counted=False, status="ok")
        response = Response(openai_format.embeddings(name, result, encoding))
        _name_server(response, served)
        _decorate(response, resolved, request_id)
        return response
