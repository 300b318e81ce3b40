"""Speaking OpenAI's chat format *to* upstreams (OpenAI-compatible servers, SageMaker endpoints
serving the Messages API): request bodies, answers and server-sent-event lines."""

from __future__ import annotations

import json
from typing import Any

from providers.types import ChatChunk, ChatRequest, ChatResult, Usage


def chat_body(request: ChatRequest, *, stream: bool, model: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "messages": [{"role": m.role, "content": m.content} for m in request.messages],
        "max_tokens": request.max_tokens,
        "stream": stream,
    }
    if model is not None:
        body["model"] = model
    if stream:
        body["stream_options"] = {"include_usage": True}
    if request.temperature is not None:
        body["temperature"] = request.temperature
    if request.top_p is not None:
        body["top_p"] = request.top_p
    if request.stop:
        body["stop"] = list(request.stop)
    return body


def usage_from(raw: dict[str, Any]) -> Usage:
    return Usage(
        prompt_tokens=int(raw.get("prompt_tokens", 0)),
        completion_tokens=int(raw.get("completion_tokens", 0)),
    )


def result_from(answer: dict[str, Any]) -> ChatResult:
    choice = answer["choices"][0]
    return ChatResult(
        text=choice["message"].get("content") or "",
        finish_reason=choice.get("finish_reason") or "stop",
        usage=usage_from(answer.get("usage") or {}),
    )


DONE = object()


def chunk_from_sse(line: str) -> ChatChunk | object | None:
    """A chunk for a `data:` line; DONE for `data: [DONE]`; None for anything without content."""
    text = line.strip()
    if not text.startswith("data:"):
        return None
    payload = text[5:].strip()
    if payload == "[DONE]":
        return DONE
    data = json.loads(payload)
    usage = data.get("usage")
    choices = data.get("choices") or [{}]
    delta = (choices[0].get("delta") or {}).get("content") or ""
    finish = choices[0].get("finish_reason")
    if not (delta or finish or usage):
        return None
    return ChatChunk(text=delta, finish_reason=finish, usage=usage_from(usage) if usage else None)
