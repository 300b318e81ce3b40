"""Answers in the OpenAI schema, so that the official SDK and LangChain work unchanged."""

from __future__ import annotations

import base64
import json
import struct
import time
from typing import Any

from providers.types import ChatChunk, ChatResult, EmbeddingResult, Usage


def usage_body(usage: Usage) -> dict[str, int]:
    return {
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "total_tokens": usage.total_tokens,
    }


def completion(request_id: str, model: str, result: ChatResult) -> dict[str, Any]:
    return {
        "id": request_id,
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": result.text},
                "finish_reason": result.finish_reason,
                "logprobs": None,
            }
        ],
        "usage": usage_body(result.usage),
    }


def sse(data: dict[str, Any] | str) -> bytes:
    payload = data if isinstance(data, str) else json.dumps(data, separators=(",", ":"))
    return f"data: {payload}\n\n".encode()


def chunk(request_id: str, model: str, created: int, piece: ChatChunk, first: bool) -> bytes:
    delta: dict[str, Any] = {"content": piece.text}
    if first:
        delta["role"] = "assistant"
    return sse(
        {
            "id": request_id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": piece.finish_reason}],
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


def error_event(message: str, code: str) -> bytes:
    return sse({"error": {"message": message, "type": "api_error", "param": None, "code": code}})


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


def model_list(models: list[Any]) -> dict[str, Any]:
    return {
        "object": "list",
        "data": [
            {
                "id": model.name,
                "object": "model",
                "created": int(model.created_at.timestamp()),
                "owned_by": model.provider.name,
            }
            for model in models
        ],
    }
