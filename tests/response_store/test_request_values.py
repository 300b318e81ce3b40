"""Request values of every JSON kind through the Responses API: a named `tool_choice` (the
shape the openai SDK sends) is honoured, and a list or an object where a string belongs is a
400 naming the field, never a 500."""

from __future__ import annotations

import httpx
import pytest

from tests.response_store.conftest import MODEL

pytestmark = pytest.mark.django_db(transaction=True)

WEATHER = {
    "type": "function",
    "name": "get_weather",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
}
TIME = {"type": "function", "name": "get_time", "parameters": {"type": "object", "properties": {}}}
CALL = {"type": "function_call", "call_id": "c1", "name": "get_time", "arguments": "{}"}
PIXEL = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8"
    "z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)

WRONG_KIND = [
    ({"tools": [TIME], "tool_choice": ["auto"]}, "tool_choice"),
    (
        {"tools": [TIME], "tool_choice": {"type": "function", "name": ["get_time"]}},
        "tool_choice.name",
    ),
    ({"tools": [TIME], "tool_choice": {"type": "function", "name": "nope"}}, "tool_choice.name"),
    ({"input": [{"type": "message", "role": ["user"], "content": "x"}]}, "input[0].role"),
    (
        {"input": [{"role": "assistant", "content": [{"type": ["output_text"], "text": "x"}]}]},
        "input[0].content[0].type",
    ),
    (
        {
            "input": [
                CALL,
                {
                    "type": "function_call_output",
                    "call_id": "c1",
                    "output": [{"type": {"input_text": 1}, "text": "x"}],
                },
            ]
        },
        "input[1].output[0].type",
    ),
    (
        {
            "input": [
                {
                    "role": "user",
                    "content": [{"type": "input_image", "image_url": PIXEL, "detail": ["low"]}],
                }
            ]
        },
        "input[0].content[0].image_url.detail",
    ),
]


def test_a_named_tool_choice_is_honoured_and_wrong_kinds_are_refused(acme, upstream) -> None:
    forced = acme.responses.create(
        model=MODEL,
        input="What is the weather in Paris?",
        tools=[WEATHER, TIME],
        tool_choice={"type": "function", "name": "get_time"},
    )
    (call,) = forced.output
    assert call.type == "function_call" and call.name == "get_time"
    assert forced.tool_choice.type == "function" and forced.tool_choice.name == "get_time"
    sent = upstream.requests[-1]["body"]
    assert sent["tool_choice"] == {"type": "function", "function": {"name": "get_time"}}

    headers = {"Authorization": f"Bearer {acme.api_key}"}
    with httpx.Client(base_url=str(acme.base_url), headers=headers, timeout=30) as client:
        for fields, param in WRONG_KIND:
            answer = client.post("responses", json={"model": MODEL, "input": "x", **fields})
            assert answer.status_code == 400, (fields, answer.text)
            assert answer.json()["error"]["param"] == param, fields
    assert len(upstream.requests) == 1  # no refusal reached the model
