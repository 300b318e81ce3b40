"""A /chat/completions body, every field read for the catalogue model it names."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gateway.parameters.fields import BadParameter, exactly, number, unknown_fields
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
    if not exactly(body.get("store"), None, False):
        raise BadParameter("store", "stored completions are not supported (store: false).")
    if not exactly(body.get("metadata"), None, {}):
        raise BadParameter("metadata", "stored-completion metadata is not supported.")
    if body.get("service_tier") not in (None, "auto", "default"):
        raise BadParameter("service_tier", "only the default service tier is offered.")
    if not exactly(body.get("modalities"), None, ["text"]):
        raise BadParameter("modalities", 'only ["text"] output is supported.')
    if not exactly(body.get("n"), None, 1):
        raise BadParameter("n", "only one choice per request (n=1) is supported.")


def chat_request(body: dict[str, Any], entry: FoundationModel) -> ParsedChat:
    """A /chat/completions body, read for catalogue model `entry` (its output limit, the extra
    fields its server takes)."""
    extra = unknown_fields(body, CHAT_FIELDS, entry)
    messages = chat_messages(body.get("messages"))
    default = min(512, entry.max_output_tokens)
    limits = {
        token_limit(body[param], param, entry, default)
        for param in ("max_tokens", "max_completion_tokens")
        if body.get(param) is not None
    }
    if len(limits) > 1:
        raise BadParameter("max_tokens", "and max_completion_tokens disagree: send one of them "
                           "(max_completion_tokens replaces max_tokens).")  # fmt: skip
    max_tokens = limits.pop() if limits else default
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
        if legacy and parallel:
            raise BadParameter("parallel_tool_calls", "a legacy function_call answer holds one "
                               "call: send tools for parallel calls.")  # fmt: skip
    choice = chat_tool_choice(body, tools, legacy)
    named = choice is not None and choice.mode == "function"
    if legacy and named and parallel is None and entry.supports_parallel_tool_calls:
        parallel = False  # a named function_call asks for one call of it: hold the model to it
    request = ChatRequest(
        messages=messages,
        max_tokens=max_tokens,
        temperature=number(body, "temperature", 0, 2),
        top_p=number(body, "top_p", 0, 1),
        stop=stops,
        tools=tools,
        tool_choice=choice,
        parallel_tool_calls=parallel,
        response_format=chat_response_format(body.get("response_format")),
        options=optional_parameters(body, entry),
        extra=extra,
    )
    return ParsedChat(request, stream, include_usage, legacy)
