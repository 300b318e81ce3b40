"""Answers in the OpenAI schema, so that the official SDK and LangChain work unchanged."""

from __future__ import annotations

import base64
import json
import struct
import time
from typing import Any

from kernel.errors import DomainError
from kernel.http_errors import domain_error_body
from providers.types import ChatChunk, ChatResult, EmbeddingResult, ToolCall, ToolCallDelta, Usage


def usage_body(usage: Usage) -> dict[str, Any]:
    return {
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "total_tokens": usage.total_tokens,
        "prompt_tokens_details": {
            "cached_tokens": usage.cached_tokens,
            "cache_write_tokens": usage.cache_write_tokens,
        },
        "completion_tokens_details": {"reasoning_tokens": usage.reasoning_tokens},
    }


def _tool_call(call: ToolCall) -> dict[str, Any]:
    return {
        "id": call.id,
        "type": "function",
        "function": {"name": call.name, "arguments": call.arguments},
    }


def _finish_reason(reason: str | None, legacy: bool) -> str | None:
    return "function_call" if legacy and reason == "tool_calls" else reason


def completion(
    request_id: str, model: str, result: ChatResult, *, legacy_functions: bool = False
) -> dict[str, Any]:
    """A chat.completion; tool calls as `tool_calls`, or as the legacy `function_call` when the
    request used `functions`."""
    message: dict[str, Any] = {"role": "assistant", "content": result.text or None}
    if result.tool_calls and legacy_functions:
        first = result.tool_calls[0]
        message["function_call"] = {"name": first.name, "arguments": first.arguments}
    elif result.tool_calls:
        message["tool_calls"] = [_tool_call(call) for call in result.tool_calls]
    elif not result.text:
        message["content"] = ""
    return {
        "id": request_id,
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": message,
                "finish_reason": _finish_reason(result.finish_reason, legacy_functions),
                "logprobs": result.logprobs,
            }
        ],
        "usage": usage_body(result.usage),
    }


def sse(data: dict[str, Any] | str) -> bytes:
    payload = data if isinstance(data, str) else json.dumps(data, separators=(",", ":"))
    return f"data: {payload}\n\n".encode()


def _delta_call(delta: ToolCallDelta, legacy: bool) -> dict[str, Any]:
    function: dict[str, Any] = {"arguments": delta.arguments}
    if delta.name is not None:
        function["name"] = delta.name
    if legacy:
        return function
    call: dict[str, Any] = {"index": delta.index, "function": function}
    if delta.id is not None:
        call.update(id=delta.id, type="function")
    return call


def chunk(
    request_id: str, model: str, created: int, piece: ChatChunk, first: bool,
    *, legacy_functions: bool = False,
) -> bytes:  # fmt: skip
    delta: dict[str, Any] = {"content": piece.text}
    if first:
        delta["role"] = "assistant"
    if piece.tool_calls and legacy_functions:
        # A legacy answer holds one call: the first (a model may make more unless told not to)
        opening = [call for call in piece.tool_calls if call.index == 0]
        delta["content"] = None
        if opening:
            delta["function_call"] = _delta_call(opening[0], True)
    elif piece.tool_calls:
        delta["content"] = piece.text or None
        delta["tool_calls"] = [_delta_call(call, False) for call in piece.tool_calls]
    choice: dict[str, Any] = {
        "index": 0,
        "delta": delta,
        "finish_reason": _finish_reason(piece.finish_reason, legacy_functions),
    }
    if piece.logprobs is not None:
        choice["logprobs"] = piece.logprobs
    return sse(
        {
            "id": request_id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
            "choices": [choice],
        }
    )


def usage_chunk(request_id: str, model: str, created: int, usage: Usage) -> bytes:
    return sse(
        {
            "id": request_id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
            "choices": [],
            "usage": usage_body(usage),
        }
    )


def error_event(failure: DomainError) -> bytes:
    """A failure after the stream's headers went out, in the same body a refusal has."""
    return sse(domain_error_body(failure))


def embeddings(model: str, result: EmbeddingResult, encoding: str) -> dict[str, Any]:
    def encode(vector: list[float]) -> list[float] | str:
        if encoding == "base64":
            return base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode()
        return vector

    return {
        "object": "list",
        "data": [
            {"object": "embedding", "index": index, "embedding": encode(vector)}
            for index, vector in enumerate(result.vectors)
        ],
        "model": model,
        "usage": {"prompt_tokens": result.prompt_tokens, "total_tokens": result.prompt_tokens},
    }


def model_object(model: Any) -> dict[str, Any]:
    """OpenAI's model object, with what the model can do (the gateway refuses the rest)."""
    capabilities: dict[str, Any] = {
        "modality": model.modality,
        "context_window": model.context_window,
    }
    if model.modality == "embedding":
        native = model.embedding_dimensions
        capabilities["dimensions"] = sorted(
            {*(model.embedding_dimension_choices or []), *([native] if native else [])}
        )
    else:
        capabilities.update(
            max_output_tokens=model.max_output_tokens,
            tools=model.supports_tools,
            parallel_tool_calls=model.supports_parallel_tool_calls,
            tool_streaming=model.supports_tool_streaming,
            json_mode=model.supports_json_mode,
            json_schema=model.supports_json_schema,
            image_input=model.supports_image_input,
            parameters=list(model.optional_parameters or []),
        )
    return {
        "id": model.name,
        "object": "model",
        "created": int(model.created_at.timestamp()),
        "owned_by": model.provider.name,
        "capabilities": capabilities,
    }


def model_list(models: list[Any]) -> dict[str, Any]:
    return {"object": "list", "data": [model_object(model) for model in models]}
