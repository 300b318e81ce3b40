"""Reading a Responses API body (`POST /responses`) into a chat request: every field honoured or
refused with a 400 that names it, as on /chat/completions (`gateway.parameters`, whose pieces
this reuses); the model's capabilities are checked after (`unmet_need`).

Input items become chat messages: `message` items (text and image parts), `function_call`
items (the assistant's tool calls) and `function_call_output` items (their results); the
`instructions` come first, as a system message.

The query strings of the stored-response endpoints are read here too: each parameter honoured
(`limit`, `order`, `after` of the input-item list) or refused by name.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any, cast

from django.http import QueryDict

from gateway.parameters import (
    BadParameter,
    content_parts,
    exactly,
    function_tool,
    image_part,
    number,
    one_of,
    optional_parameters,
    part_text,
    schema_format,
    stream_options,
    token_limit,
    unique_tools,
    unknown_fields,
)
from models_catalog.models import FoundationModel
from providers.types import (
    ChatRequest,
    ImagePart,
    Message,
    ResponseFormat,
    Tool,
    ToolCall,
    ToolChoice,
)

RESPONSES_FIELDS = {
    "model", "input", "instructions", "max_output_tokens", "temperature", "top_p", "tools",
    "tool_choice", "parallel_tool_calls", "text", "stream", "stream_options",
    "previous_response_id", "store", "metadata", "user",
    # Accepted only at the value that asks for nothing Atrium does not do:
    "include", "truncation", "service_tier", "background", "reasoning", "top_logprobs",
    "max_tool_calls", "prompt", "conversation",
}  # fmt: skip
MESSAGE_ROLES = {"user", "system", "developer", "assistant"}
MESSAGE_KEYS = {"type", "role", "content", "id", "status", "phase"}
FUNCTION_CALL_KEYS = {"type", "call_id", "name", "arguments", "id", "status"}
FUNCTION_OUTPUT_KEYS = {"type", "call_id", "output", "id", "status"}


@dataclass(frozen=True)
class ParsedResponse:
    request: ChatRequest
    stream: bool
    store: bool
    # This request's input as items (a string input is one user message), kept with the
    # response for a follow-up.
    input_items: list[dict[str, Any]]
    # The request's settings as the response object repeats them.
    settings: dict[str, Any]


def _keys(raw: dict[str, Any], allowed: set[str], where: str) -> None:
    for key in raw:
        if key not in allowed:
            raise BadParameter(f"{where}.{key}", "is not supported.")


def _text_of(value: Any, where: str, kinds: set[str]) -> str:
    """The text of content given as a string or as text parts of `kinds`."""
    if isinstance(value, str):
        return value
    if not isinstance(value, list):
        raise BadParameter(where, "must be a string or a list of content parts.")
    texts = []
    for index, part in enumerate(value):
        kind = part.get("type") if isinstance(part, dict) else None
        if one_of(kind, kinds):
            texts.append(part_text(part, f"{where}[{index}]"))
        elif kind == "refusal" and "output_text" in kinds and isinstance(part.get("refusal"), str):
            texts.append(part["refusal"])
        else:
            raise BadParameter(f"{where}[{index}].type", f"must be {' or '.join(sorted(kinds))}.")
    return "".join(texts)


def _input_image(part: dict[str, Any], where: str) -> ImagePart:
    """An `input_image` part: its `image_url` (a data URL, or https where allowed)."""
    if part.get("file_id") is not None:
        raise BadParameter(f"{where}.file_id", "files are not supported: send image_url.")
    if not isinstance(part.get("image_url"), str):
        raise BadParameter(f"{where}.image_url", "must be a data: URL or an https URL.")
    return image_part(part["image_url"], part.get("detail"), f"{where}.image_url")


def _message(raw: dict[str, Any], where: str) -> Message:
    _keys(raw, MESSAGE_KEYS, where)
    role = raw.get("role")
    if not one_of(role, MESSAGE_ROLES):
        raise BadParameter(f"{where}.role", "must be user, system, developer or assistant.")
    if role == "assistant":
        text = _text_of(raw.get("content"), f"{where}.content", {"output_text", "input_text"})
        return Message(role="assistant", content=text)
    text, parts = content_parts(
        raw.get("content"), f"{where}.content", images=role == "user", text_type="input_text",
        image_type="input_image", read_image=_input_image,
    )  # fmt: skip
    return Message(role="system" if role == "developer" else role, content=text, parts=parts)


def _string(raw: dict[str, Any], key: str, where: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value:
        raise BadParameter(f"{where}.{key}", "must be a non-empty string.")
    return value


def conversation_messages(items: Any, param: str, call_ids: set[str]) -> list[Message]:
    """Chat messages from Responses input items. `call_ids`: the function calls made so far
    (each output must answer one); the calls among `items` are added to it."""
    if isinstance(items, str):
        items = [{"type": "message", "role": "user", "content": items}]
    if not isinstance(items, list) or not items:
        raise BadParameter(param, "must be a string or a non-empty list of input items.")
    messages: list[Message] = []
    for index, raw in enumerate(items):
        where = f"{param}[{index}]"
        if not isinstance(raw, dict):
            raise BadParameter(where, "must be an input item object.")
        kind = raw.get("type", "message" if "role" in raw else None)
        if kind == "message":
            messages.append(_message(raw, where))
        elif kind == "function_call":
            _keys(raw, FUNCTION_CALL_KEYS, where)
            arguments = raw.get("arguments", "")
            if not isinstance(arguments, str):
                raise BadParameter(f"{where}.arguments", "must be a JSON string.")
            call = ToolCall(id=_string(raw, "call_id", where), name=_string(raw, "name", where),
                            arguments=arguments)  # fmt: skip
            call_ids.add(call.id)
            last = messages[-1] if messages else None
            if last is not None and last.role == "assistant":  # one turn: text, then its calls
                messages[-1] = replace(last, tool_calls=(*last.tool_calls, call))
            else:
                messages.append(Message(role="assistant", content="", tool_calls=(call,)))
        elif kind == "function_call_output":
            _keys(raw, FUNCTION_OUTPUT_KEYS, where)
            call_id = _string(raw, "call_id", where)
            if call_id not in call_ids:
                raise BadParameter(f"{where}.call_id", "must name an earlier function_call.")
            output = _text_of(raw.get("output"), f"{where}.output", {"input_text"})
            messages.append(Message(role="tool", content=output, tool_call_id=call_id))
        else:
            raise BadParameter(
                f"{where}.type", "input items are message, function_call or function_call_output."
            )
    return messages


def _tools(raw: Any) -> tuple[tuple[Tool, ...], list[dict[str, Any]]]:
    """(tools, as the response object repeats them): function tools only."""
    if raw is None or raw == []:
        return (), []
    if not isinstance(raw, list):
        raise BadParameter("tools", "must be a list of function tools.")
    tools: list[Tool] = []
    for index, item in enumerate(raw):
        where = f"tools[{index}]"
        if not isinstance(item, dict) or item.get("type") != "function":
            raise BadParameter(f"{where}.type", "only function tools are supported.")
        spec = {key: value for key, value in item.items() if value is not None}
        _keys(spec, {"type", "name", "description", "parameters", "strict"}, where)
        tools.append(function_tool(spec, where))
    unique = unique_tools(tools, "tools")
    echoed = [
        {"type": "function", "name": tool.name, "description": tool.description or None,
         "parameters": tool.parameters, "strict": tool.strict}
        for tool in unique
    ]  # fmt: skip
    return unique, echoed


def _tool_choice(raw: Any, tools: tuple[Tool, ...]) -> ToolChoice | None:
    """`tool_choice`: auto, none, required, or the function the model must call
    (`{type: function, name}`, as the openai SDK sends it)."""
    if raw is None or (one_of(raw, {"auto", "none"}) and not tools):  # nothing to choose from
        return None
    if not tools:
        raise BadParameter("tool_choice", "is only allowed with tools.")
    if one_of(raw, {"auto", "none", "required"}):
        return ToolChoice(mode=raw)
    if not isinstance(raw, dict) or raw.get("type") != "function":
        raise BadParameter("tool_choice", "must be auto, none, required or {type: function, "
                           "name}: only function tools are supported.")  # fmt: skip
    _keys(raw, {"type", "name"}, "tool_choice")
    name = raw.get("name")
    if not one_of(name, {tool.name for tool in tools}):
        raise BadParameter("tool_choice.name", "must name one of the tools.")
    return ToolChoice(mode="function", name=name)


def _text_format(raw: Any) -> tuple[ResponseFormat | None, dict[str, Any]]:
    """(the answer's format, `text` as the response object repeats it)."""
    if raw is None:
        return None, {"format": {"type": "text"}}
    if not isinstance(raw, dict):
        raise BadParameter("text", "must be an object: {format}.")
    _keys({k: v for k, v in raw.items() if v is not None}, {"format"}, "text")
    spec = {"type": "text"} if raw.get("format") is None else raw["format"]
    if not isinstance(spec, dict):
        raise BadParameter("text.format", "must be an object: {type, ...}.")
    kind = spec.get("type")
    if kind == "text":
        return None, {"format": {"type": "text"}}
    if kind == "json_object":
        return ResponseFormat(kind="json_object"), {"format": {"type": "json_object"}}
    if kind != "json_schema":
        raise BadParameter("text.format.type", "must be text, json_object or json_schema.")
    found = schema_format({k: v for k, v in spec.items() if k != "type"}, "text.format")
    return found, {"format": {**spec, "strict": found.strict}}


def _metadata(raw: Any) -> dict[str, str] | None:
    if raw is None:
        return None
    if (
        not isinstance(raw, dict) or len(raw) > 16
        or not all(isinstance(k, str) and len(k) <= 64 and isinstance(v, str) and len(v) <= 512
                   for k, v in raw.items())
    ):  # fmt: skip
        raise BadParameter("metadata", "must map up to 16 keys (64 characters) to strings (512).")
    return raw


def _asks_nothing_more(body: dict[str, Any]) -> None:
    """Fields accepted only at values that ask for nothing Atrium does not do."""
    if not exactly(body.get("include"), None, []):
        raise BadParameter("include", "no additional output data is offered.")
    if not exactly(body.get("truncation"), None, "disabled"):
        raise BadParameter("truncation", "only truncation: disabled (the default) is offered.")
    if body.get("service_tier") not in (None, "auto", "default"):
        raise BadParameter("service_tier", "only the default service tier is offered.")
    if not exactly(body.get("background"), None, False):
        raise BadParameter("background", "background responses are not supported.")
    reasoning = body.get("reasoning")
    if reasoning is not None and (
        not isinstance(reasoning, dict) or any(v is not None for v in reasoning.values())
    ):
        raise BadParameter("reasoning", "this model takes no reasoning settings.")
    if not exactly(body.get("top_logprobs"), None, 0):
        raise BadParameter("top_logprobs", "log probabilities are not offered on /responses.")
    if body.get("max_tool_calls") is not None:
        raise BadParameter("max_tool_calls", "is not supported.")
    if body.get("prompt") is not None:
        raise BadParameter("prompt", "reusable prompts are not supported: send input.")
    if body.get("conversation") is not None:
        raise BadParameter("conversation", "conversations are not supported: use "
                           "previous_response_id.")  # fmt: skip


def _flag(body: dict[str, Any], name: str, default: bool) -> bool:
    value = body.get(name)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise BadParameter(name, "must be true or false.")
    return value


def response_request(
    body: dict[str, Any], entry: FoundationModel, history: list[dict[str, Any]]
) -> ParsedResponse:
    """A /responses body, read for catalogue model `entry`, following the conversation
    `history` (the items of the response `previous_response_id` names; [] without one)."""
    extra = unknown_fields(body, RESPONSES_FIELDS, entry)
    _asks_nothing_more(body)
    stream = _flag(body, "stream", False)
    stream_options(body.get("stream_options"), stream, set())
    instructions = body.get("instructions")
    if instructions is not None and not isinstance(instructions, str):
        raise BadParameter("instructions", "must be a string.")
    call_ids: set[str] = set()
    earlier = conversation_messages(history, "previous_response_id", call_ids) if history else []
    raw_input = body.get("input")
    messages = conversation_messages(raw_input, "input", call_ids)
    # This request's instructions only: OpenAI carries no earlier response's over either.
    system = [Message(role="system", content=instructions)] if instructions else []
    tools, echoed_tools = _tools(body.get("tools"))
    parallel = body.get("parallel_tool_calls")
    if parallel is not None and not isinstance(parallel, bool):
        raise BadParameter("parallel_tool_calls", "must be true or false.")
    response_format, text = _text_format(body.get("text"))
    max_tokens = token_limit(body.get("max_output_tokens"), "max_output_tokens", entry,
                             min(512, entry.max_output_tokens))  # fmt: skip
    tool_choice = _tool_choice(body.get("tool_choice"), tools)
    request = ChatRequest(
        messages=(*system, *earlier, *messages),
        max_tokens=max_tokens,
        temperature=number(body, "temperature", 0, 2),
        top_p=number(body, "top_p", 0, 1),
        tools=tools,
        tool_choice=tool_choice,
        parallel_tool_calls=parallel if tools else None,
        response_format=response_format,
        options=optional_parameters({"user": body.get("user")}),
        extra=extra,
    )
    items: list[dict[str, Any]] = (
        [{"type": "message", "role": "user", "content": raw_input}]
        if isinstance(raw_input, str)
        else cast(list[dict[str, Any]], raw_input)
    )  # a list of items: conversation_messages saw to it
    choice: Any = "auto"
    if tool_choice is not None:
        choice = tool_choice.mode if tool_choice.mode != "function" else {
            "type": "function", "name": tool_choice.name}  # fmt: skip
    settings = {
        "instructions": instructions,
        "max_output_tokens": body.get("max_output_tokens"),
        "metadata": _metadata(body.get("metadata")) or {},
        "parallel_tool_calls": True if parallel is None else parallel,
        "previous_response_id": body.get("previous_response_id"),
        "store": _flag(body, "store", True),
        "temperature": request.temperature if request.temperature is not None else 1.0,
        "text": text,
        "tool_choice": choice,
        "tools": echoed_tools,
        "top_p": request.top_p if request.top_p is not None else 1.0,
        "truncation": "disabled",
        "user": body.get("user"),
    }
    return ParsedResponse(request, stream, settings["store"], items, settings)


# A stored response is answered whole: GET /responses/{id} takes its query parameters only at the
# values that ask for nothing more (the openai SDK sends `include[]` for `include`).
RETRIEVE_HARMLESS = {("stream", "false"), ("include", "")}
RETRIEVE_REFUSED = {
    "stream": "a stored response is not streamed again: GET it whole.",
    "starting_after": "a stored response is not streamed again: GET it whole.",
    "include_obfuscation": "a stored response is not streamed again: GET it whole.",
    "include": "no additional output data is offered.",
}


def _query(query: QueryDict) -> Iterator[tuple[str, str]]:
    """(name, value) of each query parameter, `include[]` named `include`."""
    for key, values in query.lists():
        for value in values:
            yield key.removesuffix("[]"), value


def retrieve_query(query: QueryDict, method: str) -> None:
    """The query of GET (or DELETE) /responses/{id}: each parameter refused with a 400 naming
    it, but at a value that asks for nothing more on a GET (`stream=false`, an empty
    `include`)."""
    for name, value in _query(query):
        if method != "GET" or (name, value) not in RETRIEVE_HARMLESS:
            raise BadParameter(name, RETRIEVE_REFUSED.get(name, "unknown parameter."))


@dataclass(frozen=True)
class ItemsPage:
    """Which input items to list: up to `limit`, in `order` (asc: as given), after item `after`."""

    limit: int = 20
    order: str = "desc"
    after: str | None = None


def input_items_query(query: QueryDict) -> ItemsPage:
    """The query of GET /responses/{id}/input_items (OpenAI's `limit`, `order`, `after`; an
    empty `include` only); any other parameter, or one given twice, refused by name."""
    page = ItemsPage()
    seen: set[str] = set()
    for name, value in _query(query):
        if name in seen and name != "include":
            raise BadParameter(name, "is given more than once.")
        seen.add(name)
        if name == "limit":
            if not (value.isascii() and value.isdigit() and 1 <= int(value) <= 100):
                raise BadParameter("limit", "must be a whole number from 1 to 100.")
            page = replace(page, limit=int(value))
        elif name == "order":
            if not one_of(value, {"asc", "desc"}):
                raise BadParameter("order", "must be asc or desc.")
            page = replace(page, order=value)
        elif name == "after":
            page = replace(page, after=value or None)
        elif name == "include":
            if value:
                raise BadParameter("include", "no additional item data is offered.")
        else:
            raise BadParameter(name, "unknown parameter.")
    return page
