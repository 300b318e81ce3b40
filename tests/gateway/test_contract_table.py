"""The contract table of docs/gateway.md, walked: each field is sent to a model of each provider
kind that claims every capability, so that what answers is the provider's own translation. A
`passed` or `mapped` cell must answer 200 with the field in what reached the provider; a
`refused` cell a 400 that names the field. Nothing may answer 200 while ignoring a field."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from identity.services import mint_member_token
from models_catalog.models import OPTIONAL_PARAMETERS, FoundationModel, Provider
from models_catalog.services.access import grant_model
from tests.gateway.upstreams import Upstream

pytestmark = pytest.mark.django_db(transaction=True)

DOC = Path(__file__).resolve().parents[2] / "docs" / "gateway.md"
KINDS = ("openai_compatible", "bedrock", "sagemaker", "local")
TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}
PIXEL = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4Dw"
    "ABBAEAfbLI3wAAAABJRU5ErkJggg=="
)
SCHEMA = {
    "type": "json_schema",
    "json_schema": {
        "name": "answer",
        "schema": {
            "type": "object",
            "properties": {"city": {"enum": ["Paris", "Rome"]}},
            "required": ["city"],
            "additionalProperties": False,
        },
        "strict": True,
    },
}

# What each row of the table sends (besides a one-line question), and the field a refusal names
# when it is not the row's own (a tool setting is refused for want of tools at all).
EXAMPLES: dict[str, tuple[dict[str, Any], str | None]] = {
    "max_tokens": ({"max_tokens": 7}, None),
    "temperature": ({"temperature": 0.3}, None),
    "top_p": ({"top_p": 0.5}, None),
    "stop": ({"stop": ["\n\n"]}, None),
    "tools": ({"tools": [TOOL]}, None),
    "tool_choice": ({"tools": [TOOL], "tool_choice": "required"}, "tools"),
    "parallel_tool_calls": ({"tools": [TOOL], "parallel_tool_calls": False}, "tools"),
    "functions": ({"functions": [TOOL["function"]]}, "tools"),
    "response_format": ({"response_format": SCHEMA, "max_tokens": 40}, None),
    "image_url": (
        {
            "messages": [
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": "What is it?"},
                        {"type": "image_url", "image_url": {"url": PIXEL}},
                    ],
                }
            ]
        },
        "messages",
    ),
    "seed": ({"seed": 11}, None),
    "frequency_penalty": ({"frequency_penalty": 0.5}, None),
    "presence_penalty": ({"presence_penalty": 0.5}, None),
    "logit_bias": ({"logit_bias": {"11": 5}}, None),
    "logprobs": ({"logprobs": True}, None),
    "top_logprobs": ({"logprobs": True, "top_logprobs": 2}, "logprobs"),
    "user": ({"user": "end-user-7"}, None),
    "top_k": ({"top_k": 20}, None),
    "n": ({"n": 2}, None),
    "store": ({"store": True}, None),
    "metadata": ({"metadata": {"team": "x"}}, None),
    "modalities": ({"modalities": ["text", "audio"]}, None),
    "audio": ({"audio": {"voice": "alloy", "format": "wav"}}, None),
}


def contract_table() -> dict[str, dict[str, str]]:
    """{field: {provider kind: passed | mapped | refused}} from docs/gateway.md."""
    text = DOC.read_text()
    rows = text.split("<!-- contract-table -->", 1)[1].split("<!-- /contract-table -->", 1)[0]
    table = {}
    for line in rows.strip().splitlines()[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        field = re.match(r"`([a-z_]+)`", cells[0])[1]  # type: ignore[index]
        table[field] = dict(zip(KINDS, cells[1:], strict=True))
    return table


def _bedrock_body(aws: Any) -> dict[str, Any]:
    return json.loads(aws.calls[-1]["body"])


def _mapped_to_converse(field: str, body: dict[str, Any]) -> bool:
    config = body.get("inferenceConfig", {})
    blocks = [block for message in body["messages"] for block in message["content"]]
    return {
        "max_tokens": config.get("maxTokens") == 7,
        "temperature": config.get("temperature") == 0.3,
        "top_p": config.get("topP") == 0.5,
        "stop": config.get("stopSequences") == ["\n\n"],
        "tools": "toolConfig" in body,
        "tool_choice": "any" in body.get("toolConfig", {}).get("toolChoice", {}),
        "parallel_tool_calls": "additionalModelRequestFields" in body,
        "functions": "toolConfig" in body,
        "response_format": "tool" in body.get("toolConfig", {}).get("toolChoice", {}),
        "image_url": any("image" in block for block in blocks),
    }.get(field, False)


def _passed_in_openai_body(field: str, body: dict[str, Any]) -> bool:
    if field == "image_url":
        return isinstance(body["messages"][0]["content"], list)
    if field == "functions":
        return "tools" in body
    return field in body


@pytest.fixture
def everything(asgi_url, aws, make_tenant, make_user):  # type: ignore[no-untyped-def]
    """A model of each kind claiming every capability; a client for acme, granted all four."""
    upstream = Upstream()
    claims = {
        "supports_tools": True,
        "supports_parallel_tool_calls": True,
        "supports_tool_streaming": True,
        "supports_json_mode": True,
        "supports_json_schema": True,
        "supports_image_input": True,
        "optional_parameters": list(OPTIONAL_PARAMETERS),
        "extra_parameters": ["top_k"],
        "modality": "chat",
        "max_output_tokens": 64,
    }
    vllm = Provider.objects.create(
        name="contract-vllm", kind="openai_compatible", endpoint_url=upstream.url
    )
    targets = {
        "openai_compatible": (vllm, "served-model"),
        "bedrock": (Provider.objects.get(name="bedrock"), "anthropic.claude-3-haiku-20240307-v1:0"),
        "sagemaker": (Provider.objects.get(name="sagemaker"), "contract-endpoint"),
        "local": (Provider.objects.get(name="local"), "gemma3-270m-q4-k-m"),
    }
    acme = make_tenant("acme")
    for kind, (provider, target) in targets.items():
        FoundationModel.objects.create(
            name=f"every-{kind}",
            provider=provider,
            provider_model_id=target,
            display_name=kind,
            **claims,
        )
        grant_model(model_name=f"every-{kind}", tenants=[acme], actor="test")
    token = mint_member_token(user=make_user("cora", roles={acme: "member"}), tenant=acme)
    http = httpx.Client(
        base_url=f"{asgi_url}/t/{acme.slug}/v1",
        timeout=120,
        headers={"Authorization": f"Bearer {token}"},
    )
    yield http, upstream
    http.close()
    upstream.server.shutdown()


def test_the_table_covers_every_field_we_name() -> None:
    assert set(contract_table()) == set(EXAMPLES)


def test_every_cell_of_the_contract_table_holds(everything, aws) -> None:
    http, upstream = everything
    evidence: dict[str, Callable[[str], bool]] = {
        "openai_compatible": lambda f: _passed_in_openai_body(f, upstream.requests[-1]["body"]),
        "sagemaker": lambda f: _passed_in_openai_body(f, json.loads(aws.calls[-1]["body"])),
        "bedrock": lambda f: _mapped_to_converse(f, _bedrock_body(aws)),
    }
    failures = []
    for field, verdicts in contract_table().items():
        fields, refusal_param = EXAMPLES[field]
        for kind, verdict in verdicts.items():
            body = {
                "model": f"every-{kind}",
                "max_tokens": 5,
                "messages": [{"role": "user", "content": "Weather in Paris?"}],
                **fields,
            }
            answer = http.post("/chat/completions", json=body)
            where = f"{field} to {kind} ({verdict})"
            if verdict == "refused":
                param = answer.json().get("error", {}).get("param") if answer.is_error else None
                if answer.status_code != 400 or param not in {field, refusal_param}:
                    failures.append(f"{where}: {answer.status_code} {answer.text[:200]}")
                continue
            if answer.status_code != 200:
                failures.append(f"{where}: {answer.status_code} {answer.text[:200]}")
            elif kind in evidence and not evidence[kind](field):
                failures.append(f"{where}: answered, but the provider never got it")
            elif kind == "local" and field == "response_format":
                content = answer.json()["choices"][0]["message"]["content"]
                try:
                    valid = json.loads(content) in ({"city": "Paris"}, {"city": "Rome"})
                except ValueError:
                    valid = False
                if not valid:
                    failures.append(f"{where}: not schema-valid JSON: {content!r}")
    assert not failures, "\n".join(failures)
