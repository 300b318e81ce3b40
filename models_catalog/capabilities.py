"""What the seeded catalogue's models can do, from the providers' model cards (Amazon Bedrock's
"supported models and model features" for the Converse API) and from what Atrium's own
translation for each provider kind implements. The seed and a data migration apply it; an
administrator's later changes are kept.

A capability is claimed only where the gateway translates it faithfully: a request the model
cannot serve is refused with a 400 that names the field, never answered while ignoring it."""

from __future__ import annotations

from typing import Any

# Bedrock has no JSON mode: structured output is one forced tool (toolChoice `tool`), which
# Converse offers for Claude 3 and Nova only (Bedrock's ToolChoice reference).
FORCED_TOOL_JSON = {"supports_json_mode": True, "supports_json_schema": True}
CLAUDE_3 = {
    "supports_tools": True,
    "supports_parallel_tool_calls": True,
    "supports_tool_streaming": True,
    "supports_image_input": True,
    **FORCED_TOOL_JSON,
}
NOVA_MULTIMODAL = {
    "supports_tools": True,
    "supports_parallel_tool_calls": True,
    "supports_tool_streaming": True,
    "supports_image_input": True,
    **FORCED_TOOL_JSON,
}
TOOLS_NOT_STREAMED = {"supports_tools": True}

KNOWN: dict[str, dict[str, Any]] = {
    "local/gemma-3-270m": {
        # llama.cpp constrains the output with a grammar built from the JSON schema.
        "supports_json_mode": True,
        "supports_json_schema": True,
        "optional_parameters": ["seed", "frequency_penalty", "presence_penalty"],
    },
    "anthropic.claude-3-5-sonnet-20240620-v1:0": CLAUDE_3,
    "anthropic.claude-3-haiku-20240307-v1:0": CLAUDE_3,
    "anthropic.claude-3-opus-20240229-v1:0": CLAUDE_3,
    "amazon.nova-pro-v1:0": NOVA_MULTIMODAL,
    "amazon.nova-lite-v1:0": NOVA_MULTIMODAL,
    "amazon.nova-micro-v1:0": {
        "supports_tools": True,
        "supports_parallel_tool_calls": True,
        "supports_tool_streaming": True,
        **FORCED_TOOL_JSON,
    },
    "meta.llama3-1-70b-instruct-v1:0": TOOLS_NOT_STREAMED,
    "meta.llama3-1-8b-instruct-v1:0": TOOLS_NOT_STREAMED,
    "mistral.mistral-large-2402-v1:0": TOOLS_NOT_STREAMED,
    "cohere.command-r-plus-v1:0": TOOLS_NOT_STREAMED,
    "amazon.titan-embed-text-v2:0": {"embedding_dimension_choices": [256, 512]},
}


def capabilities_of(name: str) -> dict[str, Any]:
    """The capability fields of seeded model `name` (nothing for a model we know nothing of)."""
    return dict(KNOWN.get(name, {}))


def apply_known_capabilities(model_class: Any) -> int:
    """Give the seeded models their capabilities where they still have none (new fields)."""
    updated = 0
    for name, fields in KNOWN.items():
        updated += model_class.objects.filter(
            name=name,
            supports_tools=False,
            supports_json_mode=False,
            supports_image_input=False,
            optional_parameters=[],
            embedding_dimension_choices=[],
        ).update(**fields)
    return updated


def apply_known_structured_output(model_class: Any) -> int:
    """Give the seeded models that gained JSON output (Bedrock's forced tool) their flags, where
    both are still off: `apply_known_capabilities` leaves rows that already have capabilities."""
    updated = 0
    for name, fields in KNOWN.items():
        if all(fields.get(key) for key in FORCED_TOOL_JSON):
            updated += model_class.objects.filter(
                name=name, supports_json_mode=False, supports_json_schema=False
            ).update(**FORCED_TOOL_JSON)
    return updated
