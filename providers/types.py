"""Values that cross the gateway's module boundaries: requests to providers and their answers."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ToolCall:
    """A function call the model asked for; `arguments` is the JSON text it wrote."""

    id: str
    name: str
    arguments: str


@dataclass(frozen=True)
class ToolCallDelta:
    """A piece of a streamed tool call: the first piece of call `index` carries its id and name,
    the following ones more of its arguments."""

    index: int
    id: str | None = None
    name: str | None = None
    arguments: str = ""


@dataclass(frozen=True)
class Tool:
    """A function the model may call: its JSON Schema `parameters` (an object schema)."""

    name: str
    description: str = ""
    parameters: dict[str, Any] = field(default_factory=dict)
    strict: bool | None = None


@dataclass(frozen=True)
class ToolChoice:
    """`auto`, `none`, `required`, or `function` (then `name` says which)."""

    mode: str
    name: str | None = None


@dataclass(frozen=True)
class ResponseFormat:
    """`json_object` (any JSON object) or `json_schema` (this `schema`, named `name`)."""

    kind: str
    schema: dict[str, Any] | None = None
    name: str = "response"
    strict: bool = False


@dataclass(frozen=True)
class ImagePart:
    """An image in a message: a `data:` URL (or an https URL where the platform allows it)."""

    url: str
    detail: str | None = None


@dataclass(frozen=True)
class TextPart:
    text: str


@dataclass(frozen=True)
class Message:
    """`role`: system, user, assistant or tool. `content` is the message's text (all its text
    parts joined); `parts` keeps text and images in order when the message had images."""

    role: str
    content: str
    tool_calls: tuple[ToolCall, ...] = ()
    tool_call_id: str | None = None  # a tool message answers this call
    parts: tuple[TextPart | ImagePart, ...] = ()

    @property
    def images(self) -> tuple[ImagePart, ...]:
        return tuple(part for part in self.parts if isinstance(part, ImagePart))


@dataclass(frozen=True)
class ChatRequest:
    messages: tuple[Message, ...]
    max_tokens: int
    temperature: float | None = None
    top_p: float | None = None
    stop: tuple[str, ...] = ()
    tools: tuple[Tool, ...] = ()
    tool_choice: ToolChoice | None = None
    parallel_tool_calls: bool | None = None
    response_format: ResponseFormat | None = None
    # OpenAI's optional parameters the model's provider takes as they are (seed, penalties,
    # logit_bias, logprobs, top_logprobs, user), checked against the catalogue's capabilities.
    options: dict[str, Any] = field(default_factory=dict)
    # Fields the catalogue lets through to an OpenAI-compatible server unchecked (vLLM's top_k).
    extra: dict[str, Any] = field(default_factory=dict)

    def prompt_texts(self) -> list[str]:
        """Everything the model reads as text: messages, earlier calls' arguments, the tools'
        and the response schema's definitions (for estimates and counted usage)."""
        texts = [message.content for message in self.messages]
        texts += [call.arguments for m in self.messages for call in m.tool_calls]
        texts += [json.dumps([tool.name, tool.description, tool.parameters]) for tool in self.tools]
        if self.response_format is not None and self.response_format.schema is not None:
            texts.append(json.dumps(self.response_format.schema))
        return texts

    @property
    def image_count(self) -> int:
        return sum(len(message.images) for message in self.messages)


def reported_tokens(value: Any) -> int:
    """A token count as a provider reported it (absent: 0). What cannot be a count (a word, a
    fraction, a list) is -1, which the gateway's usage checks replace with their estimate and
    flag: the call the provider answered is still billed, never a 500."""
    if value is None:
        return 0
    if isinstance(value, bool):
        return -1
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return -1


@dataclass(frozen=True)
class Usage:
    """Tokens as the provider reported them. `prompt_tokens` counts every input token, those
    read from the provider's prompt cache (`cached_tokens`) and written to it
    (`cache_write_tokens`) included: each kind has its own price."""

    prompt_tokens: int
    completion_tokens: int
    cached_tokens: int = 0
    cache_write_tokens: int = 0
    reasoning_tokens: int = 0  # part of completion_tokens
    counted: bool = False  # counted here: the provider reported none

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@dataclass(frozen=True)
class ChatResult:
    text: str
    finish_reason: str  # "stop", "length" or "tool_calls"
    usage: Usage
    tool_calls: tuple[ToolCall, ...] = ()
    logprobs: dict[str, Any] | None = None  # as the provider wrote it (OpenAI's shape)


@dataclass(frozen=True)
class ChatChunk:
    """A piece of a streamed answer; the last one has a finish reason and, if known, usage."""

    text: str = ""
    finish_reason: str | None = None
    usage: Usage | None = None
    tool_calls: tuple[ToolCallDelta, ...] = ()
    logprobs: dict[str, Any] | None = None


@dataclass(frozen=True)
class EmbeddingResult:
    vectors: list[list[float]] = field(default_factory=list)
    prompt_tokens: int = 0
    tokens_counted: bool = False  # counted here: the provider reported none
