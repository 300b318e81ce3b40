"""OpenAI's legacy `POST /completions`, for the tools that still call it: the prompt becomes the
one user message of a chat call (`gateway.calls`: the same admission, budgets, guardrails,
fallbacks and metering as /chat/completions), answered as `text_completion` objects.

A chat model answers the prompt rather than continuing it; docs/gateway.md says so. Fields that
only a raw completion model could honour (`echo`, `suffix`, `best_of` > 1, `logprobs`, `n` > 1)
are refused with a 400 naming them, never accepted and ignored.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

from django.http import HttpRequest, HttpResponseBase, JsonResponse

from gateway import calls, openai_format
from gateway.api import answer_of, api_caller, endpoint, event_stream, json_body
from gateway.parameters import (
    BadParameter,
    exactly,
    number,
    optional_parameters,
    require_model,
    stop_sequences,
    streaming,
    token_limit,
    unknown_fields,
    unmet_need,
)
from gateway.usage import usage_of_event
from kernel.ids import time_ordered_hex
from kernel.pool_threads import run_in_pool_or_undo
from models_catalog.models import FoundationModel, Modality
from providers.types import ChatChunk, ChatRequest, ChatResult, Message, Usage

COMPLETION_FIELDS = {
    "model", "prompt", "max_tokens", "temperature", "top_p", "stop", "stream", "stream_options",
    "n", "echo", "best_of", "suffix", "logprobs", "seed", "frequency_penalty",
    "presence_penalty", "logit_bias", "user",
}  # fmt: skip
DEFAULT_MAX_TOKENS = 16  # OpenAI's documented default for this endpoint


def _prompt(raw: Any) -> str:
    if isinstance(raw, list) and len(raw) == 1:
        raw = raw[0]
    if not isinstance(raw, str) or not raw:
        raise BadParameter(
            "prompt", "must be a non-empty string (or a list of one): one prompt per request."
        )
    return raw


def _refuse_raw_completion_fields(body: dict[str, Any]) -> None:
    """What only a raw completion model does: accepted at the values that ask for nothing."""
    if not exactly(body.get("echo"), None, False):
        raise BadParameter("echo", "the prompt is not echoed: it is asked of a chat model.")
    if not exactly(body.get("suffix"), None, ""):
        raise BadParameter("suffix", "insertion (suffix) is not supported.")
    if not exactly(body.get("best_of"), None, 1):
        raise BadParameter("best_of", "only best_of=1 is supported.")
    if not exactly(body.get("n"), None, 1):
        raise BadParameter("n", "only one choice per request (n=1) is supported.")
    if body.get("logprobs") is not None:
        raise BadParameter("logprobs", "token log probabilities are not offered on /completions "
                           "(use /chat/completions with logprobs: true).")  # fmt: skip


def completion_request(body: dict[str, Any], entry: FoundationModel) -> tuple[ChatRequest, bool,
                                                                              bool]:  # fmt: skip
    """(the chat request, stream, include_usage) for a /completions body and model `entry`."""
    extra = unknown_fields(body, COMPLETION_FIELDS, entry)
    _refuse_raw_completion_fields(body)
    prompt = _prompt(body.get("prompt"))
    stream, include_usage = streaming(body)
    default = min(DEFAULT_MAX_TOKENS, entry.max_output_tokens)
    request = ChatRequest(
        messages=(Message(role="user", content=prompt),),
        max_tokens=token_limit(body.get("max_tokens"), "max_tokens", entry, default),
        temperature=number(body, "temperature", 0, 2),
        top_p=number(body, "top_p", 0, 1),
        stop=stop_sequences(body.get("stop")),
        options=optional_parameters(body, entry),
        extra=extra,
    )
    return request, stream, include_usage


def _start(request: HttpRequest) -> calls.ChatCall:
    caller = api_caller(request, "POST")
    body = json_body(request)
    name = require_model(body)
    with calls.refusals_recorded(caller, name, "chat"):
        resolved = calls.resolve(caller.tenant, name, Modality.CHAT, caller.principal.unit_ids)
        chat, stream, include_usage = completion_request(body, resolved.entry)
        refusal = unmet_need(resolved.entry, chat, stream)
        if refusal is not None:
            raise refusal
        return calls.start_chat(
            caller, resolved, name, chat, stream=stream, include_usage=include_usage,
            request_id=f"cmpl-{time_ordered_hex()}",
        )  # fmt: skip


def _completion(
    request_id: str, model: str, created: int, text: str, finish_reason: str | None,
    usage: Usage | None = None,
) -> dict[str, Any]:  # fmt: skip
    body: dict[str, Any] = {
        "id": request_id,
        "object": "text_completion",
        "created": created,
        "model": model,
        "choices": [{"text": text, "index": 0, "logprobs": None, "finish_reason": finish_reason}],
    }
    if usage is not None:
        body["usage"] = openai_format.usage_body(usage)
    return body


def _whole(call: calls.ChatCall, result: ChatResult) -> dict[str, Any]:
    created = int(time.time())
    return _completion(call.request_id, call.name, created, result.text, result.finish_reason,
                       result.usage)  # fmt: skip


async def _stream(
    call: calls.ChatCall, items: AsyncIterator[ChatChunk | calls.Settled]
) -> AsyncIterator[bytes]:
    """`text_completion` chunks; usage last when asked (`stream_options.include_usage`); a
    failure after the headers as an error event, as on /chat/completions."""
    created = int(time.time())
    async for item in items:
        if isinstance(item, calls.Settled):
            if item.failure is not None:
                yield openai_format.error_event(item.failure)
            elif call.include_usage:
                usage = usage_of_event(item.event)
                body = _completion(call.request_id, call.name, created, "", None, usage)
                body["choices"] = []
                yield openai_format.sse(body)
        elif item.text or item.finish_reason:
            yield openai_format.sse(
                _completion(call.request_id, call.name, created, item.text, item.finish_reason)
            )
    yield openai_format.sse("[DONE]")


@endpoint
async def completions(request: HttpRequest) -> HttpResponseBase:
    """OpenAI's legacy text completions, whole or streamed, served by a chat model."""
    call = await run_in_pool_or_undo(calls.abandoned, _start, request)

    async def respond() -> HttpResponseBase:
        if call.stream:  # a failure before the first piece: its own status, as on chat
            return event_stream(_stream(call, await calls.opened(call)))
        return JsonResponse(_whole(call, await calls.complete(call)))

    return await answer_of(call, respond)
