"""Speaking OpenAI's chat format *to* upstreams (OpenAI-compatible servers, SageMaker endpoints
serving the Messages API): request bodies, answers and server-sent-event lines. Everything the
gateway accepted travels: tools and tool results, images, structured output, the optional
parameters and the catalogue's extra fields."""

from __future__ import annotations

import json
import re
from typing import Any

import orjson

from providers.errors import UnusableAnswer, UpstreamError
from providers.types import (
    ChatChunk,
    ChatRequest,
    ChatResult,
    ImagePart,
    Message,
    TextPart,
    ToolCall,
    ToolCallDelta,
    Usage,
    reported_tokens,
)


def _content(message: Message) -> str | list[dict[str, Any]] | None:
    if not message.parts:
        return message.content if message.content or not message.tool_calls else None
    parts: list[dict[str, Any]] = []
    for part in message.parts:
        if isinstance(part, TextPart):
            parts.append({"type": "text", "text": part.text})
        elif isinstance(part, ImagePart):
            image: dict[str, Any] = {"url": part.url}
            if part.detail is not None:
                image["detail"] = part.detail
            parts.append({"type": "image_url", "image_url": image})
    return parts


def _message(message: Message) -> dict[str, Any]:
    body: dict[str, Any] = {"role": message.role, "content": _content(message)}
    if message.tool_calls:
        body["tool_calls"] = [
            {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}
            for c in message.tool_calls
        ]
    if message.tool_call_id is not None:
        body["tool_call_id"] = message.tool_call_id
    return body


def _tools(request: ChatRequest, body: dict[str, Any]) -> None:
    if not request.tools:
        return
    tools = []
    for tool in request.tools:
        function: dict[str, Any] = {"name": tool.name, "parameters": tool.parameters}
        if tool.description:
            function["description"] = tool.description
        if tool.strict is not None:
            function["strict"] = tool.strict
        tools.append({"type": "function", "function": function})
    body["tools"] = tools
    choice = request.tool_choice
    if choice is not None:
        body["tool_choice"] = (
            {"type": "function", "function": {"name": choice.name}}
            if choice.mode == "function"
            else choice.mode
        )
    if request.parallel_tool_calls is not None:
        body["parallel_tool_calls"] = request.parallel_tool_calls


def chat_body(request: ChatRequest, *, stream: bool, model: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        **request.extra,
        "messages": [_message(m) for m in request.messages],
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
    _tools(request, body)
    response_format = request.response_format
    if response_format is not None and response_format.kind == "json_object":
        body["response_format"] = {"type": "json_object"}
    elif response_format is not None:
        body["response_format"] = {
            "type": "json_schema",
            "json_schema": {
                "name": response_format.name,
                "schema": response_format.schema,
                "strict": response_format.strict,
            },
        }
    body.update(request.options)
    return body


def usage_from(raw: Any) -> Usage:
    """OpenAI's usage, with the cached prompt tokens and reasoning tokens it details."""
    raw = raw if isinstance(raw, dict) else {}
    prompt, completion = (
        details if isinstance(details, dict) else {}
        for details in (raw.get("prompt_tokens_details"), raw.get("completion_tokens_details"))
    )
    return Usage(
        prompt_tokens=reported_tokens(raw.get("prompt_tokens")),
        completion_tokens=reported_tokens(raw.get("completion_tokens")),
        cached_tokens=max(reported_tokens(prompt.get("cached_tokens")), 0),
        reasoning_tokens=max(reported_tokens(completion.get("reasoning_tokens")), 0),
    )


def _arguments(value: Any) -> str:
    """A tool call's arguments as JSON text: some servers (TGI's Messages API) write them as a
    JSON object rather than the string OpenAI's format has."""
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value)


def _calls(raw: Any) -> tuple[ToolCall, ...]:
    return tuple(
        ToolCall(
            id=str(call.get("id") or f"call_{index}"),
            name=str((call.get("function") or {}).get("name", "")),
            arguments=_arguments((call.get("function") or {}).get("arguments")),
        )
        for index, call in enumerate(raw or [])
    )


def _text_of(content: Any) -> str | None:
    """A message's text: a string, or the text parts of a list of parts (as Mistral's servers
    answer, a reasoning part beside the text); None for anything else."""
    if content is None or isinstance(content, str):
        return content or ""
    if not isinstance(content, list) or not all(isinstance(part, dict) for part in content):
        return None
    texts = [part.get("text") for part in content if part.get("type") == "text"]
    return "".join(texts) if all(isinstance(text, str) for text in texts) else None


def _tool_calls_problem(raw: Any) -> bool:
    """Whether tool calls are not a list of objects, each with its `function` an object."""
    if raw is None:
        return False
    return not isinstance(raw, list) or not all(
        isinstance(call, dict) and isinstance(call.get("function") or {}, dict) for call in raw
    )


def _missing(answer: Any) -> str | None:
    """What a whole answer lacks of OpenAI's shape, or None."""
    if not isinstance(answer, dict):
        return "a JSON object"
    choices = answer.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        return "choices[0]"
    message = choices[0].get("message") or {}
    if not isinstance(message, dict):
        return "choices[0].message"
    if _text_of(message.get("content")) is None:
        return "choices[0].message.content as text"
    if _tool_calls_problem(message.get("tool_calls")):
        return "choices[0].message.tool_calls as a list of calls"
    return None


def result_from(answer: Any, source: str) -> ChatResult:
    """A whole answer of `source` (who answered, for the error), or UnusableAnswer naming what
    it lacks: billed with the usage it carried, since the server did answer."""
    missing = _missing(answer)
    if missing is not None:
        usage = usage_from(answer.get("usage")) if isinstance(answer, dict) else None
        raise UnusableAnswer(f"{source} answered without {missing}.", usage=usage)
    choice = answer["choices"][0]
    message = choice.get("message") or {}
    calls = _calls(message.get("tool_calls"))
    finish = choice.get("finish_reason") or "stop"
    return ChatResult(
        text=_text_of(message.get("content")) or "",
        finish_reason="tool_calls" if finish == "function_call" else finish,
        usage=usage_from(answer.get("usage") or {}),
        tool_calls=calls,
        logprobs=choice.get("logprobs"),
    )


DONE = object()


def _deltas(raw: Any) -> tuple[ToolCallDelta, ...]:
    deltas = []
    for position, call in enumerate(raw or []):
        function = call.get("function") or {}
        deltas.append(
            ToolCallDelta(
                index=int(call.get("index", position)),
                id=call.get("id"),
                name=function.get("name"),
                arguments=_arguments(function.get("arguments")),
            )
        )
    return tuple(deltas)


# Half of a UTF-16 pair with no other half: JSON may escape one ("\ud83d"), but it is no text
# (UTF-8 has no form for it), as a model that splits an emoji across two tokens may send.
LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def without_lone_surrogates(value: Any) -> Any:
    """Parsed JSON with each lone surrogate in its strings replaced by U+FFFD, as a UTF-8
    decoder replaces bytes that are not text."""
    if isinstance(value, str):
        return LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [without_lone_surrogates(item) for item in value]
    if isinstance(value, dict):
        return {without_lone_surrogates(k): without_lone_surrogates(v) for k, v in value.items()}
    return value


def answer_json(raw: bytes) -> Any:
    """An upstream's JSON answer. One with a lone surrogate escaped in it (which orjson refuses)
    is still the answer the provider billed: it is read with the replacement character in its
    place, not refused and asked for again. Raises ValueError for what is not JSON at all."""
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return without_lone_surrogates(json.loads(raw))


def vectors_from(data: dict[str, Any], count: int, where: str) -> list[list[float]]:
    """The vectors of an OpenAI-shaped embeddings answer, in the order of the `count` texts
    sent. An answer that is not one list of numbers per text is an UnusableAnswer: the server
    embedded (and charges for) the texts all the same."""
    items: Any = data.get("data")
    try:
        by_index = {item["index"]: item["embedding"] for item in items}
        vectors = [by_index[index] for index in range(count)]
        whole = len(items) == count and all(
            isinstance(vector, list) and vector and type(vector[0]) in (float, int)
            for vector in vectors
        )
    except (TypeError, KeyError):
        whole = False
    if not whole:
        usage = usage_from(data.get("usage"))
        raise UnusableAnswer(
            f"{where} answered embeddings not in OpenAI's shape (one 'embedding' list of "
            f"numbers per text, with its 'index'): {orjson.dumps(data)[:200]!r}",
            usage=usage if usage.prompt_tokens > 0 else None,
        )
    return vectors


def chunk_from_sse(line: str) -> ChatChunk | object | None:
    """A chunk for a `data:` line; DONE for `data: [DONE]`; None for anything without content."""
    text = line.strip()
    if not text.startswith("data:"):
        return None
    payload = text[5:].strip()
    if payload == "[DONE]":
        return DONE
    try:
        data = json.loads(payload)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise UpstreamError(f"The model's server sent a stream event that is not a JSON "
                            f"object: {payload[:200]!r}")  # fmt: skip
    if "\\ud" in payload or "\\uD" in payload:  # an escaped surrogate, maybe a lone one
        data = without_lone_surrogates(data)
    if data.get("error") and not data.get("choices"):  # vLLM's and TGI's failure mid-stream
        failure = data["error"]
        said = failure.get("message") if isinstance(failure, dict) else failure
        raise UpstreamError(f"The model's server failed mid-stream: {str(said)[:300]}")
    usage = data.get("usage")
    try:
        choices = data.get("choices") or [{}]
        delta = choices[0].get("delta") or {}
        content = _text_of(delta.get("content"))
        if _tool_calls_problem(delta.get("tool_calls")):
            raise TypeError
        calls = _deltas(delta.get("tool_calls"))
        finish = choices[0].get("finish_reason")
        logprobs = choices[0].get("logprobs")
        if content is None or not isinstance(finish, str | None):
            raise TypeError
    except (AttributeError, TypeError, ValueError, KeyError):
        raise UpstreamError(f"The model's server sent a stream event not in OpenAI's shape: "
                            f"{payload[:200]!r}") from None  # fmt: skip
    if not (content or calls or finish or usage or logprobs):
        return None
    return ChatChunk(
        text=content,
        finish_reason="tool_calls" if finish == "function_call" else finish,
        usage=usage_from(usage) if usage else None,
        tool_calls=calls,
        logprobs=logprobs,
    )
