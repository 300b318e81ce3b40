"""The contract tables of docs/gateway.md (chat's and the Responses API's), walked: each field is
sent to a model of each provider kind that claims every capability, so that what answers is the
provider's own translation. A `passed` or `mapped` cell must answer 200 with the field in what
reached the provider; a `kept` cell 200 with the field honoured on Atrium's own answer; a
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
        "description": "Where it is.",
    },
}

# What each row of chat's table sends (besides a one-line question), and the field a refusal names
# when it is not the row's own (a tool setting is refused for want of tools at all).
CHAT_EXAMPLES: dict[str, tuple[dict[str, Any], str | None]] = {
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


FUNCTION = {"type": "function", **TOOL["function"]}  # the Responses API's function tool
CALL = {"type": "function_call", "call_id": "call_1", "name": "get_weather",
        "arguments": '{"city": "Paris"}'}  # fmt: skip
EARLIER = "<the earlier response>"  # replaced by the id of a response stored before the walk
FORMAT = {"type": "json_schema", **SCHEMA["json_schema"]}

# The same for the Responses API's table.
RESPONSES_EXAMPLES: dict[str, tuple[dict[str, Any], str | None]] = {
    "input": ({}, None),
    "input_image": (
        {
            "input": [
                {
                    "role": "user",
                    "content": [
                        {"type": "input_text", "text": "What is it?"},
                        {"type": "input_image", "image_url": PIXEL},
                    ],
                }
            ]
        },
        "input",
    ),
    "function_call_output": (
        {
            "tools": [FUNCTION],
            "input": [
                {"role": "user", "content": "Weather in Paris?"},
                CALL,
                {"type": "function_call_output", "call_id": "call_1", "output": "Sunny"},
            ],
        },
        "tools",
    ),
    "instructions": ({"instructions": "Be brief."}, None),
    "tools": ({"tools": [FUNCTION]}, None),
    "tool_choice": ({"tools": [FUNCTION], "tool_choice": "required"}, "tools"),
    "tool_choice.name": (
        {"tools": [FUNCTION], "tool_choice": {"type": "function", "name": "get_weather"}},
        "tools",
    ),
    "parallel_tool_calls": ({"tools": [FUNCTION], "parallel_tool_calls": False}, "tools"),
    "text.format": ({"text": {"format": FORMAT}, "max_output_tokens": 40}, None),
    "max_output_tokens": ({"max_output_tokens": 7}, None),
    "temperature": ({"temperature": 0.3}, None),
    "top_p": ({"top_p": 0.5}, None),
    "user": ({"user": "end-user-7"}, None),
    "previous_response_id": ({"previous_response_id": EARLIER}, None),
    "stream": ({"stream": True}, None),
    "store": ({"store": False}, None),
    "metadata": ({"metadata": {"team": "x"}}, None),
    "top_k": ({"top_k": 20}, None),
    "stream_options": (
        {"stream": True, "stream_options": {"include_obfuscation": True}},
        "stream_options.include_obfuscation",
    ),
    "text.verbosity": ({"text": {"verbosity": "low"}}, None),
    "include": ({"include": ["message.output_text.logprobs"]}, None),
    "truncation": ({"truncation": "auto"}, None),
    "reasoning": ({"reasoning": {"effort": "low"}}, None),
    "background": ({"background": True}, None),
    "service_tier": ({"service_tier": "flex"}, None),
    "top_logprobs": ({"top_logprobs": 2}, None),
    "max_tool_calls": ({"max_tool_calls": 3}, None),
    "prompt": ({"prompt": {"id": "pmpt_1"}}, None),
    "conversation": ({"conversation": "conv_1"}, None),
    "prompt_cache_key": ({"prompt_cache_key": "team-x"}, None),
    "prompt_cache_retention": ({"prompt_cache_retention": "24h"}, None),
    "prompt_cache_options": ({"prompt_cache_options": {"mode": "auto"}}, None),
    "safety_identifier": ({"safety_identifier": "end-user-7"}, None),
    "context_management": ({"context_management": [{"type": "compaction"}]}, None),
    "moderation": ({"moderation": {"mode": "strict"}}, None),
}
CHAT_TABLE, RESPONSES_TABLE = "contract-table", "responses-contract-table"


def contract_table(marker: str) -> dict[str, dict[str, str]]:
    """{field: {provider kind: passed | mapped | kept | refused}}: the table of docs/gateway.md
    between the `marker` comments."""
    text = DOC.read_text()
    rows = text.split(f"<!-- {marker} -->", 1)[1].split(f"<!-- /{marker} -->", 1)[0]
    table = {}
    for line in rows.strip().splitlines()[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        field = re.match(r"`([a-z_.]+)`", cells[0])[1]  # type: ignore[index]
        table[field] = dict(zip(KINDS, cells[1 : 1 + len(KINDS)], strict=True))
    return table


def _mapped_to_converse(field: str, path: str, body: dict[str, Any]) -> bool:
    config = body.get("inferenceConfig", {})
    blocks = [block for message in body["messages"] for block in message["content"]]
    said = json.dumps(body["messages"])
    tool_choice = body.get("toolConfig", {}).get("toolChoice", {})
    # A response format is the forced tool's schema, the format's description in it.
    answer_tool = "tool" in tool_choice and "Where it is." in json.dumps(body["toolConfig"])
    return {
        "max_tokens": config.get("maxTokens") == 7,
        "max_output_tokens": config.get("maxTokens") == 7,
        "temperature": config.get("temperature") == 0.3,
        "top_p": config.get("topP") == 0.5,
        "stop": config.get("stopSequences") == ["\n\n"],
        "input": "Weather in Paris?" in said,
        "instructions": "system" in body,
        "previous_response_id": "Remember" in said,
        "tools": "toolConfig" in body,
        "functions": "toolConfig" in body,
        "tool_choice": "any" in tool_choice,
        "tool_choice.name": tool_choice.get("tool", {}).get("name") == "get_weather",
        "parallel_tool_calls": "additionalModelRequestFields" in body,
        "function_call_output": any("toolResult" in block for block in blocks),
        "response_format": answer_tool,
        "text.format": answer_tool,
        "image_url": any("image" in block for block in blocks),
        "input_image": any("image" in block for block in blocks),
        "stream": path.endswith("/converse-stream"),
    }.get(field, False)


def _reached_chat_server(field: str, path: str, body: dict[str, Any]) -> bool:
    """Whether `field` is in what an OpenAI-compatible server (or a SageMaker endpoint taking
    the Messages API) was sent."""
    messages = body["messages"]
    said = json.dumps(messages)
    return {
        "image_url": isinstance(messages[0]["content"], list),
        "input_image": any(isinstance(message["content"], list) for message in messages),
        "functions": "tools" in body,
        "input": "Weather in Paris?" in said,
        "instructions": messages[0]["role"] == "system",
        "previous_response_id": "Remember" in said,
        "function_call_output": any(message["role"] == "tool" for message in messages),
        "tool_choice": body.get("tool_choice") == "required",
        "tool_choice.name": body.get("tool_choice")
        == {"type": "function", "function": {"name": "get_weather"}},
        "parallel_tool_calls": body.get("parallel_tool_calls") is False,
        "response_format": "Where it is." in json.dumps(body.get("response_format")),
        "text.format": "Where it is." in json.dumps(body.get("response_format")),
        "max_output_tokens": 7 in (body.get("max_tokens"), body.get("max_completion_tokens")),
        "stream": body.get("stream") is True or path.endswith("-response-stream"),
    }.get(field, field in body)


class Providers:
    """What each provider kind was sent, read from the loopback servers."""

    def __init__(self, upstream: Upstream, aws: Any) -> None:
        self.upstream, self.aws = upstream, aws

    def calls(self, kind: str) -> int:
        return len(self.upstream.requests if kind == "openai_compatible" else self.aws.calls)

    def got(self, kind: str, field: str, calls_before: int) -> bool:
        """Whether the call made since `calls_before` carried `field` (the local model is in
        process: nothing to read)."""
        if kind == "local":
            return True
        if self.calls(kind) <= calls_before:
            return False
        if kind == "openai_compatible":
            sent = self.upstream.requests[-1]
            return _reached_chat_server(field, sent["path"], sent["body"])
        call = self.aws.calls[-1]
        check = _mapped_to_converse if kind == "bedrock" else _reached_chat_server
        return check(field, call["path"], json.loads(call["body"]))


def _schema_valid(text: str) -> bool:
    try:
        return json.loads(text) in ({"city": "Paris"}, {"city": "Rome"})
    except ValueError:
        return False


def walk(
    table: dict[str, dict[str, str]], examples: dict[str, tuple[dict[str, Any], str | None]],
    send: Callable[[str, dict[str, Any]], httpx.Response], providers: Providers,
    answered: Callable[[str, str, httpx.Response], str | None],
) -> list[str]:  # fmt: skip
    """Each field of `table` sent to each kind (`send(kind, fields)`); the cells that do not
    hold. `answered(kind, field, answer)`: what is wrong with a 200 answer itself, if anything."""
    failures = []
    for field, verdicts in table.items():
        fields, refusal_param = examples[field]
        for kind, verdict in verdicts.items():
            calls_before = providers.calls(kind)
            answer = send(kind, fields)
            where = f"{field} to {kind} ({verdict})"
            if verdict == "refused":
                param = answer.json().get("error", {}).get("param") if answer.is_error else None
                if answer.status_code != 400 or param not in {field, refusal_param}:
                    failures.append(f"{where}: {answer.status_code} {answer.text[:200]}")
                continue
            if answer.status_code != 200:
                problem: str | None = f"{answer.status_code} {answer.text[:200]}"
            elif verdict != "kept" and not providers.got(kind, field, calls_before):
                problem = "answered, but the provider never got it"
            else:
                problem = answered(kind, field, answer)
            if problem:
                failures.append(f"{where}: {problem}")
    return failures


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


def test_the_tables_cover_every_field_we_name() -> None:
    assert set(contract_table(CHAT_TABLE)) == set(CHAT_EXAMPLES)
    assert set(contract_table(RESPONSES_TABLE)) == set(RESPONSES_EXAMPLES)


def test_every_cell_of_the_chat_contract_table_holds(everything, aws) -> None:
    http, upstream = everything

    def send(kind: str, fields: dict[str, Any]) -> httpx.Response:
        return http.post("/chat/completions", json={
            "model": f"every-{kind}", "max_tokens": 5,
            "messages": [{"role": "user", "content": "Weather in Paris?"}], **fields,
        })  # fmt: skip

    def answered(kind: str, field: str, answer: httpx.Response) -> str | None:
        if kind == "local" and field == "response_format":
            content = answer.json()["choices"][0]["message"]["content"]
            return None if _schema_valid(content) else f"not schema-valid JSON: {content!r}"
        return None

    failures = walk(contract_table(CHAT_TABLE), CHAT_EXAMPLES, send, Providers(upstream, aws),
                    answered)  # fmt: skip
    assert not failures, "\n".join(failures)
    unknown = {"type": "json_schema", "json_schema": {**SCHEMA["json_schema"], "examples": []}}
    answer = send("openai_compatible", {"response_format": unknown})
    assert answer.json()["error"]["param"] == "response_format.json_schema.examples"


def test_every_cell_of_the_responses_contract_table_holds(everything, aws) -> None:
    http, upstream = everything
    earlier = http.post("/responses", json={
        "model": "every-openai_compatible", "input": "Remember: the city is Paris.",
    }).json()["id"]  # fmt: skip

    def send(kind: str, fields: dict[str, Any]) -> httpx.Response:
        if fields.get("previous_response_id") == EARLIER:
            fields = {**fields, "previous_response_id": earlier}
        return http.post("/responses", json={
            "model": f"every-{kind}", "max_output_tokens": 5, "input": "Weather in Paris?",
            **fields,
        })  # fmt: skip

    def answered(kind: str, field: str, answer: httpx.Response) -> str | None:
        if field == "stream":  # ended as answered (cut at max_output_tokens, or not)
            ended = re.search(r"event: response\.(completed|incomplete)\n", answer.text)
            return None if ended else answer.text[-300:]
        response = answer.json()
        if field == "store" and http.get(f"/responses/{response['id']}").status_code != 404:
            return "kept, though asked not to be"
        if field == "metadata" and response["metadata"] != {"team": "x"}:
            return f"metadata not kept: {response['metadata']}"
        if kind == "local" and field == "text.format":
            text = response["output"][0]["content"][0]["text"]
            return None if _schema_valid(text) else f"not schema-valid JSON: {text!r}"
        return None

    failures = walk(contract_table(RESPONSES_TABLE), RESPONSES_EXAMPLES, send,
                    Providers(upstream, aws), answered)  # fmt: skip
    assert not failures, "\n".join(failures)
