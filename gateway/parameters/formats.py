"""The answer's format: text, a JSON object, or JSON following a schema (chat's
`response_format`, the Responses API's `text.format`)."""

from __future__ import annotations

from typing import Any

from gateway.parameters.fields import BadParameter
from gateway.parameters.tools import TOOL_NAME
from providers.types import ResponseFormat

SCHEMA_FORMAT_KEYS = {"name", "schema", "strict", "description"}


def chat_response_format(raw: Any) -> ResponseFormat | None:
    """Chat's `response_format` (None: plain text)."""
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
    """A JSON Schema answer format {name, schema, strict, description}: chat's
    `response_format.json_schema`, the Responses API's `text.format` (less its `type`)."""
    if not isinstance(spec, dict):
        raise BadParameter(param, "must be {name, schema, strict}.")
    for key in spec:
        if key not in SCHEMA_FORMAT_KEYS:
            raise BadParameter(f"{param}.{key}", "is not supported.")
    name = spec.get("name")
    if not isinstance(name, str) or not TOOL_NAME.match(name):
        raise BadParameter(f"{param}.name", "must be 1-64 letters, digits, _ or -.")
    schema = spec.get("schema", {"type": "object"})
    if not isinstance(schema, dict):
        raise BadParameter(f"{param}.schema", "must be a JSON Schema object.")
    strict = spec.get("strict")
    if strict is not None and not isinstance(strict, bool):
        raise BadParameter(f"{param}.strict", "must be true or false.")
    description = spec.get("description")
    if description is not None and not isinstance(description, str):
        raise BadParameter(f"{param}.description", "must be a string.")
    if description and description != schema.get("description"):
        # What the answer is for, told to the model: no provider takes it beside the schema,
        # every one reads the schema's own description.
        own = schema.get("description")
        schema = {**schema, "description": f"{description}\n\n{own}" if own else description}
    return ResponseFormat(kind="json_schema", schema=schema, name=name, strict=bool(strict))
