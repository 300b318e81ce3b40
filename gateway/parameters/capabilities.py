"""Whether a catalogue model can serve a request as asked: checked after parsing, before
anything is reserved or charged."""

from __future__ import annotations

from gateway.parameters.fields import BadParameter
from models_catalog.models import FoundationModel
from providers.types import ChatRequest


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
