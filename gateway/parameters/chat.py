"""A /chat/completions body, every field read for the catalogue model it names."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gateway.parameters.fields import BadParameter, number, unknown_fields
from gateway.parameters.formats import chat_response_format
from gateway.parameters.generation import (
    optional_parameters,
    stop_sequences,
    streaming,
    token_limit,
)
from gateway.parameters.messages import chat_messages
from gateway.parameters.tools import chat_tool_choice, chat_tools
from models_catalog.models import OPTIONAL_PARAMETERS, FoundationModel
from providers.types import ChatRequest

# Every field of OpenAI's chat completions request, and what Atrium does with it.
CHAT_FIELDS = {
    "model", "messages", "stream", "stream_options", "max_tokens", "max_completion_tokens",
    "temperature", "top_p", "stop", "n", "tools", "tool_choice", "parallel_tool_calls",
    "functions", "function_call", "response_format", *OPTIONAL_PARAMETERS,
    # Accepted only at the value that asks for nothing Atrium does not do:
    "store", "metadata", "service_tier", "modalities",
}  # fmt: skip


@dataclass(frozen=True)
class ParsedChat:
    request: ChatRequest
    stream: bool
    include_usage: bool
    legacy_functions: bool  # asked with `functions`: answer with `function_call`


def _asks_nothing_more(body: dict[str, Any]) -> None:
    """Fields accepted only at values that ask nothing Atrium does not do."""
    if body.get("store") not in (None, False):
        raise BadParameter("store", "stored completions are not supported (store: false).")
    if body.get("metadata"):
        raise BadParameter("metadata", "stored-completion metadata is not supported.")
    if body.get("service_tier") not in (None, "auto", "default"):
        raise BadParameter("service_tier", "only the default service tier is offered.")
    if body.get("modalities") not in (None, ["text"]):
        raise BadParameter("modalities", 'only ["text"] output is supported.')
    n = body.get("n", 1)
    if n is not None and n != 1:
        raise BadParameter("n", "only one choice per request (n=1) is supported.")


def chat_request(body: dict[str, Any], entry: FoundationModel) -> ParsedChat:
    """A /chat/completions body, read for catalogue model `entry` (its output limit, the extra
    fields its server takes)."""
    extra = unknown_fields(body, CHAT_FIELDS, entry)
    messages = chat_messages(body.get("messages"))
    both = body.get("max_tokens") is not None and body.get("max_completion_tokens") is not None
    if both and body["max_tokens"] != body["max_completion_tokens"]:
        raise BadParameter("max_tokens", "and max_completion_tokens disagree: send one of them "
                           "(max_completion_tokens replaces max_tokens).")  # fmt: skip
    param = "max_tokens" if body.get("max_completion_tokens") is None else "max_completion_tokens"
    max_tokens = token_limit(body.get(param), param, entry, min(512, entry.max_output_tokens))
    stops = stop_sequences(body.get("stop"))
    _asks_nothing_more(body)
    stream, include_usage = streaming(body)
    tools, legacy = chat_tools(body)
    parallel = body.get("parallel_tool_calls")
    if parallel is not None:
        if not isinstance(parallel, bool):
            raise BadParameter("parallel_tool_calls", "must be true or false.")
        if not tools:
            raise BadParameter("parallel_tool_calls", "is only allowed with tools.")
    if legacy and parallel is None and entry.supports_parallel_tool_calls:
        parallel = False  # the legacy answer holds one function_call: never drop a second one
    request = ChatRequest(
        messages=messages,
        max_tokens=max_tokens,
        temperature=number(body, "temperature", 0, 2),
        top_p=number(body, "top_p", 0, 1),
        stop=stops,
        tools=tools,
        tool_choice=chat_tool_choice(body, tools),
        parallel_tool_calls=parallel,
        response_format=chat_response_format(body.get("response_format")),
        options=optional_parameters(body),
        extra=extra,
    )
    return ParsedChat(request, stream, include_usage, legacy)
