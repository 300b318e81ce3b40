"""Chat's `messages`: system, developer and user messages (images for the user's), assistant
messages with their tool calls (or a legacy `function_call`), and the tool results that answer
them."""

from __future__ import annotations

from typing import Any

from gateway.parameters.content import content_parts
from gateway.parameters.fields import BadParameter, one_of
from providers.types import Message, ToolCall

ROLES = {"system", "user", "assistant", "developer", "tool", "function"}
MESSAGE_FIELDS = {"role", "content", "tool_calls", "tool_call_id", "function_call"}


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


def chat_messages(raw_messages: Any) -> tuple[Message, ...]:
    """The conversation of a chat body; every tool result must answer an earlier call."""
    if not isinstance(raw_messages, list) or not raw_messages:
        raise BadParameter("messages", "must be a non-empty list of {role, content}.")
    messages: list[Message] = []
    call_ids: set[str] = set()
    legacy_ids: dict[str, str] = {}  # legacy `function_call`s have no ids: one per function name
    for index, raw in enumerate(raw_messages):
        where = f"messages[{index}]"
        if not isinstance(raw, dict) or not one_of(raw.get("role"), ROLES):
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
            legacy = raw.get("function_call")
            if legacy is not None:
                legacy = legacy if isinstance(legacy, dict) else {}  # refused just below
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
                if not one_of(name, legacy_ids):
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
