"""Tools, structured output and images on Amazon Bedrock, through the openai SDK, the gateway,
boto3 and a loopback Converse/ConverseStream that validates what it is sent like the real service
and acts on the tools it is given. What Converse cannot do for a model is a 400 naming the field."""

from __future__ import annotations

import base64
import json

import openai
import pytest

from models_catalog.models import FoundationModel
from models_catalog.services.access import grant_model
from tenants.models import Tenant
from tests.gateway import aws_servers
from tests.gateway.conftest import HAIKU
from tests.gateway.recorded import events_of, slug_of
from tests.gateway.tools import ASK, TIME, WEATHER, City

pytestmark = pytest.mark.django_db(transaction=True)

TITAN_TEXT = "amazon.titan-text-express-v1"
NOVA = "amazon.nova-lite-v1:0"
LLAMA = "meta.llama3-1-8b-instruct-v1:0"
BOTH = [{"role": "user", "content": "get_weather and get_time, please"}]
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))


def grant(client: openai.OpenAI, *names: str) -> None:
    tenant = Tenant.objects.get(slug=slug_of(client))
    for name in names:
        grant_model(model_name=name, tenants=[tenant], actor="test")


def sent(aws) -> dict:  # type: ignore[no-untyped-def]
    return json.loads(aws.calls[-1]["body"])


def refusal(client: openai.OpenAI, **request: object) -> dict:
    with pytest.raises(openai.BadRequestError) as raised:
        client.chat.completions.create(**{"model": HAIKU, "messages": ASK, **request})  # type: ignore[call-overload]
    return raised.value.body  # type: ignore[return-value]


def test_a_tool_round_trip_through_converse_is_metered_once_per_call(aws_client, aws) -> None:
    first = aws_client.chat.completions.create(
        model=HAIKU, messages=ASK, tools=[WEATHER, TIME], tool_choice="auto"
    )
    choice = first.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.content == "Let me check."  # Claude's line before the call
    (call,) = choice.message.tool_calls
    assert call.function.name == "get_weather"
    assert json.loads(call.function.arguments) == {"city": "Paris", "unit": "c"}
    config = sent(aws)["toolConfig"]
    assert config == {"tools": [  # auto is Converse's default: no toolChoice
        {"toolSpec": {"name": "get_weather", "description": "The weather in a city.",
                      "inputSchema": {"json": WEATHER["function"]["parameters"]}}},
        {"toolSpec": {"name": "get_time", "inputSchema": {"json": TIME["function"]["parameters"]}}},
    ]}  # fmt: skip

    second = aws_client.chat.completions.create(
        model=HAIKU, tools=[WEATHER, TIME],
        messages=[*ASK, choice.message.model_dump(exclude_none=True),
                  {"role": "tool", "tool_call_id": call.id, "content": "18 C and sunny"}],
    )  # fmt: skip
    assert second.choices[0].message.content == "The tools said: 18 C and sunny"
    assert second.choices[0].finish_reason == "stop"
    relayed = sent(aws)["messages"]
    assert relayed[1] == {"role": "assistant", "content": [
        {"text": "Let me check."},
        {"toolUse": {"toolUseId": call.id, "name": "get_weather",
                     "input": {"city": "Paris", "unit": "c"}}},
    ]}  # fmt: skip
    result = {"toolUseId": call.id, "content": [{"text": "18 C and sunny"}]}
    assert relayed[2] == {"role": "user", "content": [{"toolResult": result}]}
    events = events_of(slug_of(aws_client), 2)
    assert [(e.status, e.input_tokens, e.output_tokens) for e in events] == [("ok", 12, 3)] * 2
    assert len(aws.calls) == 2


def test_parallel_calls_and_their_results_merge_into_one_user_turn(aws_client, aws) -> None:
    first = aws_client.chat.completions.create(model=HAIKU, messages=BOTH, tools=[WEATHER, TIME])
    calls = first.choices[0].message.tool_calls
    assert [call.function.name for call in calls] == ["get_weather", "get_time"]
    results = [{"role": "tool", "tool_call_id": call.id, "content": f"result {n}"}
               for n, call in enumerate(calls)]  # fmt: skip
    second = aws_client.chat.completions.create(
        model=HAIKU, tools=[WEATHER, TIME], messages=[*BOTH,
        first.choices[0].message.model_dump(exclude_none=True), *results,
        {"role": "user", "content": "Summarise."}],
    )  # fmt: skip
    assert second.choices[0].message.content == "The tools said: result 0; result 1"
    turn = sent(aws)["messages"][2]
    assert turn["role"] == "user" and len(sent(aws)["messages"]) == 3
    assert [next(iter(block)) for block in turn["content"]] == ["toolResult"] * 2 + ["text"]


def test_streamed_tool_calls_are_assembled_by_the_sdk(aws_client, aws) -> None:
    with aws_client.chat.completions.stream(
        model=HAIKU, messages=BOTH, tools=[WEATHER, TIME], stream_options={"include_usage": True}
    ) as stream:  # fmt: skip
        final = stream.get_final_completion()
    choice = final.choices[0]
    assert choice.finish_reason == "tool_calls" and choice.message.content == "Let me check."
    calls = choice.message.tool_calls
    assert [call.function.name for call in calls] == ["get_weather", "get_time"]
    assert [call.id for call in calls] == ["tooluse_0_get_weather", "tooluse_1_get_time"]
    assert json.loads(calls[0].function.arguments) == {"city": "Paris", "unit": "c"}
    assert json.loads(calls[1].function.arguments) == {}
    assert (final.usage.prompt_tokens, final.usage.completion_tokens) == (30, 9)
    assert aws.calls[-1]["path"] == f"/model/{HAIKU}/converse-stream"
    (event,) = events_of(slug_of(aws_client), 1)
    assert event.streamed and (event.input_tokens, event.output_tokens) == (30, 9)


def test_tool_choice_and_parallel_tool_calls_are_carried_to_claude(aws_client, aws) -> None:
    aws_client.chat.completions.create(
        model=HAIKU, messages=ASK, tools=[WEATHER, TIME], tool_choice="required"
    )
    assert sent(aws)["toolConfig"]["toolChoice"] == {"any": {}}
    named = aws_client.chat.completions.create(
        model=HAIKU, messages=BOTH, tools=[WEATHER, TIME],
        tool_choice={"type": "function", "function": {"name": "get_time"}},
    )  # fmt: skip
    assert sent(aws)["toolConfig"]["toolChoice"] == {"tool": {"name": "get_time"}}
    assert [c.function.name for c in named.choices[0].message.tool_calls] == ["get_time"]
    single = aws_client.chat.completions.create(
        model=HAIKU, messages=BOTH, tools=[WEATHER, TIME], parallel_tool_calls=False
    )
    assert len(single.choices[0].message.tool_calls) == 1
    assert sent(aws)["additionalModelRequestFields"] == {
        "tool_choice": {"type": "auto", "disable_parallel_tool_use": True}
    }


def test_tool_choice_none_withholds_the_tools_or_is_refused(aws_client, aws) -> None:
    answer = aws_client.chat.completions.create(
        model=HAIKU, messages=ASK, tools=[WEATHER], tool_choice="none"
    )
    assert answer.choices[0].message.content == "Bonjour le monde"
    assert "toolConfig" not in sent(aws)
    first = aws_client.chat.completions.create(model=HAIKU, messages=ASK, tools=[WEATHER])
    call = first.choices[0].message.tool_calls[0]
    history = [*ASK, first.choices[0].message.model_dump(exclude_none=True),
               {"role": "tool", "tool_call_id": call.id, "content": "sunny"}]  # fmt: skip
    body = refusal(aws_client, messages=history, tools=[WEATHER], tool_choice="none")
    assert body["param"] == "tool_choice"
    body = refusal(aws_client, messages=history)
    assert body["param"] == "tools"
    assert len(aws.calls) == 2  # refused before Bedrock was called


def test_structured_output_parses_into_the_pydantic_model(aws_client, aws) -> None:
    parsed = aws_client.chat.completions.parse(
        model=HAIKU, messages=[{"role": "user", "content": "Describe Paris"}], response_format=City
    )
    choice = parsed.choices[0]
    assert choice.finish_reason == "stop" and not choice.message.tool_calls
    assert choice.message.parsed == City(
        name="Paris", population=3, coastal=True, districts=["Paris"]
    )
    config = sent(aws)["toolConfig"]
    assert config["toolChoice"] == {"tool": {"name": "City"}}
    (tool,) = config["tools"]
    assert tool["toolSpec"]["inputSchema"]["json"] == City.model_json_schema() | {
        "additionalProperties": False
    }


def test_streamed_structured_output_arrives_as_json_text(aws_client, aws) -> None:
    chunks = list(aws_client.chat.completions.create(
        model=HAIKU, stream=True, messages=[{"role": "user", "content": "Describe Paris"}],
        response_format={"type": "json_schema", "json_schema": {
            "name": "city", "schema": City.model_json_schema()}},
    ))  # fmt: skip
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert City.model_validate_json(text) == City(
        name="Paris", population=3, coastal=True, districts=["Paris"]
    )
    finish = [
        c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason
    ]
    assert finish == ["stop"]
    assert not any(c.choices[0].delta.tool_calls for c in chunks if c.choices)
    json_object = aws_client.chat.completions.create(
        model=HAIKU, messages=ASK, response_format={"type": "json_object"}
    )
    assert json.loads(json_object.choices[0].message.content) == {}
    assert sent(aws)["toolConfig"]["tools"][0]["toolSpec"]["inputSchema"] == {
        "json": {"type": "object"}
    }


def answering(monkeypatch: pytest.MonkeyPatch, blocks: list[dict], stop_reason: str) -> None:
    """The loopback Converse answers `blocks`, stopped for `stop_reason`, whatever it is asked."""
    monkeypatch.setattr(aws_servers, "converse_act", lambda request, words: (blocks, stop_reason))


CITY = {"type": "json_schema", "json_schema": {"name": "city", "schema": City.model_json_schema()}}


def test_structured_output_a_guardrail_stopped_is_its_text_and_billed(
    aws_client, aws, monkeypatch
) -> None:
    # Bedrock's guardrail answered instead of the forced tool: this was a 502, not billed,
    # though Bedrock charged the call.
    sorry = "Sorry, the model cannot answer this question."
    answering(monkeypatch, [{"text": sorry}], "guardrail_intervened")
    answer = aws_client.chat.completions.create(model=HAIKU, messages=ASK, response_format=CITY)
    assert (answer.choices[0].finish_reason, answer.choices[0].message.content) == (
        "content_filter", sorry,
    )  # fmt: skip
    chunks = list(aws_client.chat.completions.create(
        model=HAIKU, messages=ASK, response_format=CITY, stream=True
    ))  # fmt: skip
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == sorry
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "content_filter"
    answering(monkeypatch, [{"text": "I would rather chat."}], "end_turn")  # no forced tool
    with pytest.raises(openai.InternalServerError, match="requested JSON format") as whole:
        aws_client.chat.completions.create(model=HAIKU, messages=ASK, response_format=CITY)
    assert whole.value.response.headers["x-should-retry"] == "false"  # billed: not resent
    # Streamed, nothing reached the client, but the call was billed: a 200 and an error event,
    # not a 502 the SDKs would resend (and each attempt billed).
    streamed = aws_client.chat.completions.with_raw_response.create(
        model=HAIKU, messages=ASK, response_format=CITY, stream=True
    )
    assert streamed.http_response.status_code == 200
    with pytest.raises(openai.APIError, match="requested JSON format"):
        list(streamed.parse())
    events = events_of(slug_of(aws_client), 4)
    assert [(e.status, e.input_tokens) for e in events] == [
        ("ok", 12), ("ok", 30), ("error", 12), ("error", 30)
    ]  # fmt: skip
    assert all(event.cost > 0 for event in events)


def test_converse_stop_reasons_are_finish_reasons_or_a_billed_502(
    aws_client, aws, monkeypatch
) -> None:
    answering(monkeypatch, [{"text": "The first half of"}], "model_context_window_exceeded")
    answer = aws_client.chat.completions.create(model=HAIKU, messages=ASK, tools=[WEATHER])
    assert answer.choices[0].finish_reason == "length"  # it was "stop", as if whole
    answering(monkeypatch, [{"text": "Calling"}], "malformed_tool_use")
    with pytest.raises(openai.InternalServerError, match="malformed_tool_use"):
        aws_client.chat.completions.create(model=HAIKU, messages=ASK, tools=[WEATHER])
    with pytest.raises(openai.APIError, match="malformed_tool_use"):  # after its first piece
        list(aws_client.chat.completions.create(
            model=HAIKU, messages=ASK, tools=[WEATHER], stream=True
        ))  # fmt: skip
    events = events_of(slug_of(aws_client), 3)
    assert [(e.status, e.input_tokens) for e in events] == [("ok", 12), ("error", 12),
                                                            ("error", 30)]  # fmt: skip
    assert all(event.cost > 0 for event in events)


def test_tools_and_structured_output_together_are_refused(aws_client, aws) -> None:
    body = refusal(aws_client, tools=[WEATHER], response_format={"type": "json_object"})
    assert body["param"] == "response_format"
    assert aws.calls == []


def test_an_image_data_url_reaches_converse_as_bytes(aws_client, aws, settings) -> None:
    url = "data:image/png;base64," + base64.b64encode(PNG).decode()
    answer = aws_client.chat.completions.create(model=HAIKU, messages=[{"role": "user", "content": [
        {"type": "text", "text": "What is this?"},
        {"type": "image_url", "image_url": {"url": url}},
    ]}])  # fmt: skip
    assert answer.choices[0].message.content == "Bonjour le monde"
    assert aws.images == [("png", PNG)]
    content = sent(aws)["messages"][0]["content"]
    assert content[0] == {"text": "What is this?"} and content[1]["image"]["format"] == "png"
    settings.GATEWAY_FETCH_IMAGE_URLS = True
    body = refusal(aws_client, messages=[{"role": "user", "content": [
        {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}}]}])  # fmt: skip
    assert body["param"] == "messages[0].content"
    assert "data URL" in body["message"]
    # Converse has no level of detail: one asked for is refused, not dropped unsaid.
    body = refusal(aws_client, messages=[{"role": "user", "content": [
        {"type": "text", "text": "What is this?"},
        {"type": "image_url", "image_url": {"url": url, "detail": "low"}}]}])  # fmt: skip
    assert body["param"] == "messages[0].content[1].image_url.detail"
    assert len(aws.calls) == 1


def test_a_text_only_model_refuses_tools_and_images_naming_the_field(aws_client, aws) -> None:
    grant(aws_client, TITAN_TEXT)
    body = refusal(aws_client, model=TITAN_TEXT, tools=[WEATHER])
    assert body["param"] == "tools"
    url = "data:image/png;base64," + base64.b64encode(PNG).decode()
    image = [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": url}}]}]
    body = refusal(aws_client, model=TITAN_TEXT, messages=image)
    assert body["param"] == "messages[0].content"
    body = refusal(aws_client, model=TITAN_TEXT, response_format={"type": "json_object"})
    assert body["param"] == "response_format"
    assert aws.calls == []
    assert events_of(slug_of(aws_client), 0, timeout=0) == []


def test_what_converse_cannot_do_for_a_model_is_refused_naming_it(aws_client, aws) -> None:
    grant(aws_client, NOVA, LLAMA)
    body = refusal(aws_client, model=NOVA, tools=[WEATHER, TIME], parallel_tool_calls=False)
    assert body["param"] == "parallel_tool_calls"
    answer = aws_client.chat.completions.create(  # Nova calls a named tool once
        model=NOVA, messages=BOTH, tools=[WEATHER, TIME], parallel_tool_calls=False,
        tool_choice={"type": "function", "function": {"name": "get_weather"}},
    )  # fmt: skip
    assert len(answer.choices[0].message.tool_calls) == 1
    assert "additionalModelRequestFields" not in sent(aws)
    body = refusal(aws_client, model=LLAMA, tools=[WEATHER], tool_choice="required")
    assert body["param"] == "tool_choice"
    llama = aws_client.chat.completions.create(model=LLAMA, messages=ASK, tools=[WEATHER])
    assert llama.choices[0].finish_reason == "tool_calls"
    assert "toolChoice" not in sent(aws)["toolConfig"]
    body = refusal(aws_client, model=HAIKU, seed=7)
    assert body["param"] == "seed"
    assert len(aws.calls) == 2


def test_tools_pass_through_a_sagemaker_messages_api_body(aws_client, aws) -> None:
    FoundationModel.objects.filter(name="custom/claims").update(supports_tools=True)
    answer = aws_client.chat.completions.create(
        model="custom/claims", messages=ASK, tools=[WEATHER], tool_choice="required"
    )
    (call,) = answer.choices[0].message.tool_calls
    assert call.function.name == "get_weather" and answer.choices[0].finish_reason == "tool_calls"
    body = sent(aws)
    assert aws.calls[-1]["path"] == "/endpoints/claims-endpoint-1/invocations"
    assert body["tools"] == [WEATHER] and body["tool_choice"] == "required"
