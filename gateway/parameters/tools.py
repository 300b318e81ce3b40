"""Function tools: their definitions (chat's `tools`, the legacy `functions`, the Responses
API's `tools`), and which one the model must call (`tool_choice`, legacy `function_call`)."""

from __future__ import annotations

import re
from typing import Any

from gateway.parameters.fields import BadParameter, one_of
from providers.types import Tool, ToolChoice

TOOL_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def chat_tools(body: dict[str, Any]) -> tuple[tuple[Tool, ...], bool]:
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


def chat_tool_choice(
    body: dict[str, Any], tools: tuple[Tool, ...], legacy: bool
) -> ToolChoice | None:
    """`tool_choice` among `tools`, or the legacy `function_call` among the legacy `functions`
    (`legacy`): never the one with the other, as `tools` never comes with `functions`."""
    param = "function_call" if body.get("function_call") is not None else "tool_choice"
    raw = body.get(param)
    if raw is None:
        return None
    if param == "function_call" and body.get("tool_choice") is not None:
        raise BadParameter(param, "send tool_choice or the legacy function_call, not both.")
    if param == "function_call" and tools and not legacy:
        raise BadParameter(param, "goes with the legacy functions: with tools, send tool_choice.")
    if not tools:
        raise BadParameter(param, "is only allowed with tools.")
    if one_of(raw, {"auto", "none"}) or (raw, param) == ("required", "tool_choice"):
        return ToolChoice(mode=raw)
    name = None
    if param == "function_call" and isinstance(raw, dict):
        name = raw.get("name")
    elif isinstance(raw, dict) and raw.get("type") == "function":
        function = raw.get("function")
        name = function.get("name") if isinstance(function, dict) else None
    if not isinstance(name, str):
        raise BadParameter(
            param, "must be auto, none, required or {type: function, function: {name}}."
        )
    if name not in {tool.name for tool in tools}:
        raise BadParameter(param, f"names {name}, which is not among the tools.")
    return ToolChoice(mode="function", name=name)
