"""Reading OpenAI-style request bodies. Every refusal names the parameter and what it accepts."""

from __future__ import annotations

from typing import Any

from kernel.errors import InvalidInput
from providers.types import ChatRequest, Message

ROLES = {"system", "user", "assistant", "developer"}


class BadParameter(InvalidInput):
    def __init__(self, param: str, message: str) -> None:
        super().__init__(f"{param}: {message}")
        self.param = param


def require_model(body: dict[str, Any]) -> str:
    model = body.get("model")
    if not isinstance(model, str) or not model.strip():
        raise BadParameter("model", "name the model to use (GET /models lists yours).")
    return model.strip()


def _content(value: Any, index: int) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list):  # content parts: text only
        texts = []
        for part in value:
            if not isinstance(part, dict) or part.get("type") != "text":
                raise BadParameter(f"messages[{index}].content", "only text parts are supported.")
            texts.append(str(part.get("text", "")))
        return "".join(texts)
    raise BadParameter(f"messages[{index}].content", "must be a string or a list of text parts.")


def _number(body: dict[str, Any], name: str, low: float, high: float) -> float | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise BadParameter(name, f"must be a number from {low} to {high}.")
    return float(value)


def chat_request(body: dict[str, Any], *, max_output_tokens: int) -> tuple[ChatRequest, bool, bool]:
    """(request, stream, include_usage) from a /chat/completions body."""
    raw_messages = body.get("messages")
    if not isinstance(raw_messages, list) or not raw_messages:
        raise BadParameter("messages", "must be a non-empty list of {role, content}.")
    messages = []
    for index, raw in enumerate(raw_messages):
        if not isinstance(raw, dict) or raw.get("role") not in ROLES:
            raise BadParameter(f"messages[{index}].role", "must be system, user or assistant.")
        role = "system" if raw["role"] == "developer" else raw["role"]
        messages.append(Message(role=role, content=_content(raw.get("content"), index)))
    max_tokens = body.get("max_completion_tokens", body.get("max_tokens"))
    if max_tokens is None:
        max_tokens = min(512, max_output_tokens)
    if isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or max_tokens < 1:
        raise BadParameter("max_tokens", "must be a whole number of at least 1.")
    if max_tokens > max_output_tokens:
        raise BadParameter("max_tokens", f"this model writes at most {max_output_tokens} tokens.")
    stop = body.get("stop")
    if stop is None:
        stops: tuple[str, ...] = ()
    elif isinstance(stop, str):
        stops = (stop,)
    elif isinstance(stop, list) and len(stop) <= 4 and all(isinstance(s, str) for s in stop):
        stops = tuple(stop)
    else:
        raise BadParameter("stop", "must be a string or a list of up to 4 strings.")
    if body.get("n", 1) != 1:
        raise BadParameter("n", "only one choice per request (n=1) is supported.")
    stream = body.get("stream", False)
    if not isinstance(stream, bool):
        raise BadParameter("stream", "must be true or false.")
    options = body.get("stream_options") or {}
    if not isinstance(options, dict):
        raise BadParameter("stream_options", "must be an object.")
    request = ChatRequest(
        messages=tuple(messages),
        max_tokens=max_tokens,
        temperature=_number(body, "temperature", 0, 2),
        top_p=_number(body, "top_p", 0, 1),
        stop=stops,
    )
    return request, stream, bool(options.get("include_usage", False))


def embedding_inputs(body: dict[str, Any]) -> tuple[list[str], str]:
    """(texts, encoding_format) from an /embeddings body."""
    raw = body.get("input")
    texts = [raw] if isinstance(raw, str) else raw
    if not isinstance(texts, list) or not texts or not all(isinstance(t, str) for t in texts):
        raise BadParameter("input", "must be a string or a non-empty list of strings.")
    if len(texts) > 2048:
        raise BadParameter("input", "at most 2048 strings per request.")
    encoding = body.get("encoding_format", "float")
    if encoding not in {"float", "base64"}:
        raise BadParameter("encoding_format", "must be float or base64.")
    return texts, encoding
