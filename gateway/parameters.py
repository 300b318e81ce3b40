"""Reading OpenAI-style request bodies: every field is honoured or refused with a 400 that names
it (`error.param`) — never accepted and ignored. Parsing checks the shape of each field; the
model's capabilities (from the catalogue) decide what it may ask for (`unmet_need`)."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from kernel.errors import InvalidInput
from models_catalog.models import OPTIONAL_PARAMETERS, FoundationModel, Provider
from providers.types import (
    ChatRequest,
    ImagePart,
    Message,
    ResponseFormat,
    TextPart,
    Tool,
    ToolCall,
    ToolChoice,
)

ROLES = {"system", "user", "assistant", "developer", "tool", "function"}
MESSAGE_FIELDS = {"role", "content", "tool_calls", "tool_call_id", "function_call"}
TOOL_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
IMAGE_DATA_URL = re.compile(r"^data:image/(png|jpeg|jpg|gif|webp);base64,(.*)$", re.S)

# Every field of OpenAI's chat completions request, and what Atrium does with it.
CHAT_FIELDS = {
    "model", "messages", "stream", "stream_options", "max_tokens", "max_completion_tokens",
    "temperature", "top_p", "stop", "n", "tools", "tool_choice", "parallel_tool_calls",
    "functions", "function_call", "response_format", *OPTIONAL_PARAMETERS,
    # Accepted only at the value that asks for nothing Atrium does not do:
    "store", "metadata", "service_tier", "modalities",
}  # fmt: skip
# Fields of OpenAI's API that no provider behind Atrium serves (unless the catalogue lets them
# through to an OpenAI-compatible server as extra parameters).
NOT_SERVED = {
    "audio": "audio output is not supported.",
    "prediction": "predicted outputs are not supported.",
    "web_search_options": "web search is not supported.",
    "reasoning_effort": "this model takes no reasoning effort.",
    "verbosity": "this model takes no verbosity setting.",
    "prompt_cache_key": "prompt cache keys are not supported.",
    "safety_identifier": "safety identifiers are not supported; the caller is known from the "
    "token.",
}
EMBEDDING_FIELDS = {"model", "input", "encoding_format", "dimensions", "user"}


class BadParameter(InvalidInput):
    def __init__(self, param: str, message: str) -> None:
        super().__init__(f"{param}: {message}", param=param)


@dataclass(frozen=True)
class ParsedChat:
    request: ChatRequest
    stream: bool
    include_usage: bool
    legacy_functions: bool  # asked with `functions`: answer with `function_call`


def require_model(body: dict[str, Any]) -> str:
    model = body.get("model")
    if not isinstance(model, str) or not model.strip():
        raise BadParameter("model", "name the model to use (GET /models lists yours).")
    return model.strip()


def _passes_through(entry: FoundationModel, name: str) -> bool:
    return entry.provider.kind == Provider.Kind.OPENAI_COMPATIBLE and name in (
        entry.extra_parameters or []
    )


def unknown_fields(body: dict[str, Any], known: set[str], entry: FoundationModel) -> dict[str, Any]:
    """The fields the catalogue passes through to this model's server; 400 for any other field
    that is not `known`."""
    extra: dict[str, Any] = {}
    for name in body:
        if name in known:
            continue
        if _passes_through(entry, name):
            extra[name] = body[name]
        elif name in NOT_SERVED:
            raise BadParameter(name, NOT_SERVED[name])
        else:
            raise BadParameter(name, "unknown parameter.")
    return extra


def number(body: dict[str, Any], name: str, low: float, high: float) -> float | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise BadParameter(name, f"must be a number from {low} to {high}.")
    return float(value)


def whole(value: Any, param: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise BadParameter(param, f"must be a whole number from {low} to {high}.")
    return value


def _image(raw: Any, param: str) -> ImagePart:
    spec = raw.get("image_url") if isinstance(raw, dict) else None
    if isinstance(spec, str):
        spec = {"url": spec}
    if not isinstance(spec, dict) or not isinstance(spec.get("url"), str):
        raise BadParameter(f"{param}.image_url", "must be an object with a url.")
    return image_part(spec["url"], spec.get("detail"), f"{param}.image_url")


def image_part(url: str, detail: Any, param: str) -> ImagePart:
    """An image given by `url` (a data URL within the size limit, or an https URL where the
    platform fetches them); `param` names where it was in the request (chat and Responses
    bodies put it in different places)."""
    if detail is not None and detail not in {"auto", "low", "high"}:
        raise BadParameter(f"{param}.detail", "must be auto, low or high.")
    if url.startswith("data:"):
        found = IMAGE_DATA_URL.match(url)
        if found is None:
            raise BadParameter(
                f"{param}.url",
                "a data URL must be data:image/<png|jpeg|gif|webp>;base64,<data>.",
            )
        try:
            size = len(base64.b64decode(found.group(2), validate=True))
        except (binascii.Error, ValueError):
            raise BadParameter(f"{param}.url", "the image is not valid base64.") from None
        limit = settings.GATEWAY_IMAGE_MAX_BYTES
        if size > limit:
            raise BadParameter(f"{param}.url", f"images are at most {limit // 1024 // 1024} MB.")
    elif url.startswith("https://"):
        if not settings.GATEWAY_FETCH_IMAGE_URLS:
            raise BadParameter(
                f"{param}.url",
                "image URLs are not fetched on this platform: send the image as a data URL "
                "(data:image/png;base64,...).",
            )
    else:
        raise BadParameter(f"{param}.url", "must be a data: URL or an https URL.")
    return ImagePart(url=url, detail=detail)


def content_parts(
    value: Any, param: str, *, images: bool, text_type: str = "text",
    image_type: str = "image_url",
    read_image: Callable[[dict[str, Any], str], ImagePart] = _image,
) -> tuple[str, tuple[TextPart | ImagePart, ...]]:  # fmt: skip
    """(text, parts) of a message's content: a string, or text and (where `images`) image parts,
    of the types the body's API names them (chat's `text` / `image_url`, the Responses API's
    `input_text` / `input_image`). Parts are kept only when the content has an image."""
    if isinstance(value, str):
        return value, ()
    if not isinstance(value, list):
        raise BadParameter(param, "must be a string or a list of content parts.")
    parts: list[TextPart | ImagePart] = []
    for index, part in enumerate(value):
        kind = part.get("type") if isinstance(part, dict) else None
        if kind == text_type and isinstance(part.get("text"), str):
            parts.append(TextPart(part["text"]))
        elif kind == image_type and images:
            parts.append(read_image(part, f"{param}[{index}]"))
        elif kind == image_type:
            raise BadParameter(f"{param}[{index}]", "images are only for user messages.")
        else:
            raise BadParameter(
                f"{param}[{index}].type",
                f"content parts are {text_type}" + (f" or {image_type}." if images else "."),
            )
    text = "".join(part.text for part in parts if isinstance(part, TextPart))
    has_image = any(isinstance(part, ImagePart) for part in parts)
    return text, tuple(parts) if has_image else ()


def _tool_calls(raw: Any, param: str) -> tuple[ToolCall, ...]:
    if not isinstance(raw, list) or not raw:
        raise BadParameter(param, "must be a non-empty list of function calls.")
    calls = []
    for index, call in enumerate(raw):
        where = f"{param}[{index}]"
        function = call.get("function") if isinstance(call, dict) else None
        if not isinstance(function, dict) or call.get("type", "function") != "function":
            raise BadParameter(where, "must be {id, type: function, function: {name, arguments}}.")
        if not isinstance(call.get("id"), str) or not call["id"]:
            raise BadParameter(f"{where}.id", "must be the call's id (a string).")
        if not isinstance(function.get("name"), str) or not function["name"]:
            raise BadParameter(f"{where}.function.name", "must name the function.")
        arguments = function.get("arguments", "")
        if not isinstance(arguments, str):
            raise BadParameter(f"{where}.function.arguments", "must be a JSON string.")
        calls.append(ToolCall(id=call["id"], name=function["name"], arguments=arguments))
    return tuple(calls)


def _messages(raw_messages: Any) -> tuple[Message, ...]:
    if not isinstance(raw_messages, list) or not raw_messages:
        raise BadParameter("messages", "must be a non-empty list of {role, content}.")
    messages: list[Message] = []
    call_ids: set[str] = set()
    legacy_ids: dict[str, str] = {}  # legacy `function_call`s have no ids: one per function name
    for index, raw in enumerate(raw_messages):
        where = f"messages[{index}]"
        if not isinstance(raw, dict) or raw.get("role") not in ROLES:
            raise BadParameter(
                f"{where}.role", "must be system, developer, user, assistant or tool."
            )
        role = raw["role"]
        for field_name in raw:
            legacy_name = field_name == "name" and role == "function"
            if field_name not in MESSAGE_FIELDS and not legacy_name:
                raise BadParameter(f"{where}.{field_name}", "is not supported.")
        if role == "assistant":
            calls = _tool_calls(raw["tool_calls"], f"{where}.tool_calls") if raw.get(
                "tool_calls") else ()  # fmt: skip
            if isinstance(raw.get("function_call"), dict):
                legacy = raw["function_call"]
                name, arguments = legacy.get("name"), legacy.get("arguments", "")
                if not isinstance(name, str) or not isinstance(arguments, str):
                    raise BadParameter(f"{where}.function_call", "must be {name, arguments}.")
                legacy_ids[name] = f"call_{index}_{name}"
                calls = (*calls, ToolCall(id=legacy_ids[name], name=name, arguments=arguments))
            content = raw.get("content")
            if content is None and not calls:
                raise BadParameter(f"{where}.content", "an assistant message needs content.")
            text, _ = content_parts(content or "", f"{where}.content", images=False)
            call_ids.update(call.id for call in calls)
            messages.append(Message(role="assistant", content=text, tool_calls=calls))
        elif role in {"tool", "function"}:
            if role == "function":
                name = raw.get("name")
                if name not in legacy_ids:
                    raise BadParameter(f"{where}.name", "answers no earlier function_call.")
                call_id = legacy_ids[name]
            else:
                call_id = str(raw.get("tool_call_id"))
                if call_id not in call_ids:
                    raise BadParameter(
                        f"{where}.tool_call_id", "must name a tool call of an earlier message."
                    )
            text, _ = content_parts(raw.get("content"), f"{where}.content", images=False)
            messages.append(Message(role="tool", content=text, tool_call_id=call_id))
        else:
            if raw.get("tool_calls") or raw.get("tool_call_id") or raw.get("function_call"):
                raise BadParameter(f"{where}", f"a {role} message carries no tool calls.")
            text, parts = content_parts(
                raw.get("content"), f"{where}.content", images=role == "user"
            )
            messages.append(
                Message(role="system" if role == "developer" else role, content=text, parts=parts)
            )
    return tuple(messages)


def _tools(body: dict[str, Any]) -> tuple[tuple[Tool, ...], bool]:
    """(tools, legacy): `tools`, or the legacy `functions`."""
    if body.get("tools") is not None and body.get("functions") is not None:
        raise BadParameter("functions", "send tools or the legacy functions, not both.")
    legacy = body.get("functions") is not None
    param = "functions" if legacy else "tools"
    raw = body.get(param)
    if raw is None:
        return (), False
    if not isinstance(raw, list) or not raw:
        raise BadParameter(param, "must be a non-empty list of functions.")
    tools: list[Tool] = []
    for index, item in enumerate(raw):
        where = f"{param}[{index}]"
        if legacy:
            function = item
        else:
            if not isinstance(item, dict) or item.get("type") != "function":
                raise BadParameter(f"{where}.type", "only function tools are supported.")
            function = item.get("function")
            where = f"{where}.function"
        tools.append(function_tool(function, where))
    return unique_tools(tools, param), legacy


def function_tool(function: Any, where: str) -> Tool:
    """One function definition {name, description, parameters, strict}, wherever a body puts
    it (chat's `tools[i].function`, legacy `functions[i]`, the Responses API's `tools[i]`)."""
    if not isinstance(function, dict):
        raise BadParameter(where, "must be {name, description, parameters}.")
    name = function.get("name")
    if not isinstance(name, str) or not TOOL_NAME.match(name):
        raise BadParameter(f"{where}.name", "must be 1-64 letters, digits, _ or -.")
    parameters = function.get("parameters", {"type": "object", "properties": {}})
    if not isinstance(parameters, dict):
        raise BadParameter(f"{where}.parameters", "must be a JSON Schema object.")
    description = function.get("description", "")
    if not isinstance(description, str):
        raise BadParameter(f"{where}.description", "must be a string.")
    strict = function.get("strict")
    if strict is not None and not isinstance(strict, bool):
        raise BadParameter(f"{where}.strict", "must be true or false.")
    return Tool(name=name, description=description, parameters=parameters, strict=strict)


def unique_tools(tools: list[Tool], param: str) -> tuple[Tool, ...]:
    """`tools`, refused if two share a name (a model's call could not say which it meant)."""
    names = [tool.name for tool in tools]
    if len(set(names)) != len(names):
        raise BadParameter(param, "function names must be unique.")
    return tuple(tools)


def _tool_choice(body: dict[str, Any], tools: tuple[Tool, ...]) -> ToolChoice | None:
    param = "function_call" if body.get("function_call") is not None else "tool_choice"
    raw = body.get(param)
    if raw is None:
        return None
    if not tools:
        raise BadParameter(param, "is only allowed with tools.")
    if isinstance(raw, str) and (
        raw in {"auto", "none"} or (raw, param) == ("required", "tool_choice")
    ):
        return ToolChoice(mode=raw)
    name = None
    if param == "function_call" and isinstance(raw, dict):
        name = raw.get("name")
    elif isinstance(raw, dict) and raw.get("type") == "function":
        name = (raw.get("function") or {}).get("name")
    if not isinstance(name, str):
        raise BadParameter(
            param, "must be auto, none, required or {type: function, function: {name}}."
        )
    if name not in {tool.name for tool in tools}:
        raise BadParameter(param, f"names {name}, which is not among the tools.")
    return ToolChoice(mode="function", name=name)


def _response_format(raw: Any) -> ResponseFormat | None:
    if raw is None:
        return None
    kind = raw.get("type") if isinstance(raw, dict) else None
    if kind == "text":
        return None
    if kind == "json_object":
        return ResponseFormat(kind="json_object")
    if kind != "json_schema":
        raise BadParameter("response_format.type", "must be text, json_object or json_schema.")
    return schema_format(raw.get("json_schema"), "response_format.json_schema")


def schema_format(spec: Any, param: str) -> ResponseFormat:
    """A JSON Schema answer format {name, schema, strict}: chat's `response_format.json_schema`,
    the Responses API's `text.format`."""
    if not isinstance(spec, dict):
        raise BadParameter(param, "must be {name, schema, strict}.")
    name = spec.get("name")
    if not isinstance(name, str) or not TOOL_NAME.match(name):
        raise BadParameter(f"{param}.name", "must be 1-64 letters, digits, _ or -.")
    schema = spec.get("schema", {"type": "object"})
    if not isinstance(schema, dict):
        raise BadParameter(f"{param}.schema", "must be a JSON Schema object.")
    strict = spec.get("strict") or False
    if not isinstance(strict, bool):
        raise BadParameter(f"{param}.strict", "must be true or false.")
    return ResponseFormat(kind="json_schema", schema=schema, name=name, strict=strict)


def optional_parameters(body: dict[str, Any]) -> dict[str, Any]:
    """The optional parameters that ask for something (a default value asks for nothing)."""
    options: dict[str, Any] = {}
    if body.get("seed") is not None:
        options["seed"] = whole(body["seed"], "seed", -(2**63), 2**63 - 1)
    for name in ("frequency_penalty", "presence_penalty"):
        value = number(body, name, -2, 2)
        if value:
            options[name] = value
    bias = body.get("logit_bias")
    if bias:
        if not isinstance(bias, dict) or not all(
            isinstance(k, str) and k.isdigit() and isinstance(v, int | float)
            and not isinstance(v, bool) and -100 <= v <= 100
            for k, v in bias.items()
        ):  # fmt: skip
            raise BadParameter("logit_bias", "must map token ids to numbers from -100 to 100.")
        options["logit_bias"] = bias
    logprobs = body.get("logprobs")
    if logprobs is not None and not isinstance(logprobs, bool):
        raise BadParameter("logprobs", "must be true or false.")
    if logprobs:
        options["logprobs"] = True
    if body.get("top_logprobs") is not None:
        if not logprobs:
            raise BadParameter("top_logprobs", "needs logprobs: true.")
        options["top_logprobs"] = whole(body["top_logprobs"], "top_logprobs", 0, 20)
    if body.get("user") is not None:
        if not isinstance(body["user"], str):
            raise BadParameter("user", "must be a string.")
        options["user"] = body["user"]
    return options


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
    messages = _messages(body.get("messages"))
    param = "max_completion_tokens" if "max_completion_tokens" in body else "max_tokens"
    max_tokens = token_limit(body.get(param), param, entry, min(512, entry.max_output_tokens))
    stops = stop_sequences(body.get("stop"))
    _asks_nothing_more(body)
    stream, include_usage = streaming(body)
    tools, legacy = _tools(body)
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
        tool_choice=_tool_choice(body, tools),
        parallel_tool_calls=parallel,
        response_format=_response_format(body.get("response_format")),
        options=optional_parameters(body),
        extra=extra,
    )
    return ParsedChat(request, stream, include_usage, legacy)


def token_limit(value: Any, param: str, entry: FoundationModel, default: int) -> int:
    """The most tokens the answer may have (`default` when not asked), within what `entry`
    writes."""
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise BadParameter(param, "must be a whole number of at least 1.")
    if value > entry.max_output_tokens:
        raise BadParameter(param, f"this model writes at most {entry.max_output_tokens} tokens.")
    return value


def stop_sequences(stop: Any) -> tuple[str, ...]:
    """`stop`: a string or up to four."""
    if stop is None:
        return ()
    if isinstance(stop, str):
        return (stop,)
    if isinstance(stop, list) and len(stop) <= 4 and all(isinstance(s, str) for s in stop):
        return tuple(stop)
    raise BadParameter("stop", "must be a string or a list of up to 4 strings.")


def streaming(body: dict[str, Any]) -> tuple[bool, bool]:
    """(stream, include_usage) from `stream` and `stream_options` (chat and legacy
    completions share them)."""
    stream = body.get("stream", False)
    if not isinstance(stream, bool):
        raise BadParameter("stream", "must be true or false.")
    options = body.get("stream_options") or {}
    if not isinstance(options, dict):
        raise BadParameter("stream_options", "must be an object.")
    for key, value in options.items():
        if key != "include_usage" or not isinstance(value, bool):
            raise BadParameter(f"stream_options.{key}", "only include_usage (true or false).")
    if options and not stream:
        raise BadParameter("stream_options", "is only allowed with stream: true.")
    return stream, bool(options.get("include_usage", False))


def unmet_need(entry: FoundationModel, request: ChatRequest, stream: bool) -> BadParameter | None:
    """Why catalogue model `entry` cannot serve `request` as asked (the field named), or None."""
    name = entry.name
    uses_tools = bool(request.tools) or any(
        m.tool_calls or m.role == "tool" for m in request.messages
    )
    if uses_tools and not entry.supports_tools:
        param = "tools" if request.tools else "messages"
        return BadParameter(param, f"{name} cannot call tools.")
    if request.parallel_tool_calls and not entry.supports_parallel_tool_calls:
        return BadParameter(
            "parallel_tool_calls", f"{name} makes one tool call at a time: set it to false."
        )
    if stream and request.tools and not entry.supports_tool_streaming:
        return BadParameter("stream", f"{name} cannot stream tool calls: set stream to false.")
    response_format = request.response_format
    if response_format is not None:
        kind = response_format.kind
        able = entry.supports_json_schema if kind == "json_schema" else entry.supports_json_mode
        if not able:
            return BadParameter("response_format", f"{name} does not support {kind} output.")
    for index, message in enumerate(request.messages):
        if message.images and not entry.supports_image_input:
            return BadParameter(f"messages[{index}].content", f"{name} takes text only, no images.")
    honoured = set(entry.optional_parameters or [])
    for option in request.options:
        if option not in honoured:
            return BadParameter(option, f"{name} does not support {option}.")
    return None


def embedding_request(
    body: dict[str, Any], entry: FoundationModel
) -> tuple[list[str], str, int | None]:
    """(texts, encoding_format, dimensions) from an /embeddings body, for model `entry`."""
    extra = unknown_fields(body, EMBEDDING_FIELDS, entry)
    if extra:
        raise BadParameter(next(iter(extra)), "embeddings take no extra parameters.")
    raw = body.get("input")
    texts = [raw] if isinstance(raw, str) else raw
    if not isinstance(texts, list) or not texts or not all(isinstance(t, str) for t in texts):
        raise BadParameter("input", "must be a string or a non-empty list of strings.")
    if len(texts) > 2048:
        raise BadParameter("input", "at most 2048 strings per request.")
    encoding = body.get("encoding_format", "float")
    if encoding not in {"float", "base64"}:
        raise BadParameter("encoding_format", "must be float or base64.")
    if body.get("user") is not None:
        raise BadParameter("user", "embeddings take no user.")
    dimensions = body.get("dimensions")
    if dimensions is None or dimensions == entry.embedding_dimensions:
        return texts, encoding, None
    choices = sorted(entry.embedding_dimension_choices or [])
    if isinstance(dimensions, bool) or dimensions not in choices:
        native = entry.embedding_dimensions
        offered = ", ".join(str(d) for d in [*choices, native] if d)
        raise BadParameter("dimensions", f"{entry.name} gives vectors of {offered} dimensions.")
    return texts, encoding, int(dimensions)
