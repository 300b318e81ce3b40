"""The OpenAI contract through the gateway, with real clients against a real OpenAI-compatible
upstream that acts on tools and response formats: tools and tool results, streamed tool calls,
structured output, the optional parameters, capabilities per model, and every other field either
honoured or refused with a 400 that names it — never accepted and ignored."""

from __future__ import annotations

import base64
import http.client
import json
import threading
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import openai
import pytest
from langchain_core.messages import HumanMessage, ToolMessage
from langchain_openai import ChatOpenAI

from guardrails.services import set_tenant_policy
from identity.services import mint_member_token
from models_catalog.models import FoundationModel
from models_catalog.services.access import grant_model
from tests.gateway.recorded import events_of
from tests.gateway.tools import ASK, TIME, WEATHER, City
from tests.gateway.upstreams import Upstream, upstream_model

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def upstream() -> Iterator[Upstream]:
    server = Upstream()
    yield server
    server.server.shutdown()


@pytest.fixture
def tenant(asgi_url, upstream, make_tenant, make_user):  # type: ignore[no-untyped-def]
    """acme, granted an able model (`agent`: every capability) and a plain one (`plain`)."""
    upstream_model(
        "agent", upstream, supports_tools=True, supports_parallel_tool_calls=True,
        supports_tool_streaming=True, supports_json_mode=True, supports_json_schema=True,
        supports_image_input=True, optional_parameters=["seed", "logit_bias", "logprobs",
        "top_logprobs", "frequency_penalty", "presence_penalty", "user"],
        extra_parameters=["top_k"],
    )  # fmt: skip
    upstream_model("plain", upstream)
    acme = make_tenant("acme")
    for name in ("agent", "plain", "local/all-minilm-l6-v2"):
        grant_model(model_name=name, tenants=[acme], actor="test")
    acme.token = mint_member_token(user=make_user("ivy", roles={acme: "member"}), tenant=acme)
    acme.base = f"{asgi_url}/t/{acme.slug}/v1"
    return acme


@pytest.fixture
def client(tenant) -> openai.OpenAI:  # type: ignore[no-untyped-def]
    return openai.OpenAI(base_url=tenant.base, api_key=tenant.token, max_retries=0)


def refusal(client: openai.OpenAI, **request: object) -> dict:
    with pytest.raises(openai.BadRequestError) as raised:
        client.chat.completions.create(**{"messages": ASK, **request})  # type: ignore[call-overload]
    return raised.value.body  # type: ignore[return-value]


def test_a_tool_round_trip_reaches_the_upstream_whole_and_is_metered(client, upstream, tenant):
    first = client.chat.completions.create(
        model="agent", messages=ASK, tools=[WEATHER, TIME], tool_choice="auto"
    )
    choice = first.choices[0]
    assert choice.finish_reason == "tool_calls"
    (call,) = choice.message.tool_calls
    assert call.function.name == "get_weather"
    assert json.loads(call.function.arguments) == {"city": "Paris", "unit": "c"}
    sent = upstream.requests[-1]["body"]
    assert sent["tools"] == [WEATHER, TIME] and sent["tool_choice"] == "auto"

    second = client.chat.completions.create(
        model="agent",
        tools=[WEATHER, TIME],
        messages=[*ASK, choice.message.model_dump(exclude_none=True),
                  {"role": "tool", "tool_call_id": call.id, "content": "18 C and sunny"}],
    )  # fmt: skip
    assert second.choices[0].message.content == "The tools said: 18 C and sunny"
    relayed = upstream.requests[-1]["body"]["messages"]
    assert relayed[1]["tool_calls"][0]["id"] == call.id
    assert relayed[2] == {"role": "tool", "content": "18 C and sunny", "tool_call_id": call.id}
    events = events_of(tenant.slug, 2)
    assert [event.status for event in events] == ["ok", "ok"]
    assert [event.input_tokens for event in events] == [21, 21]


def test_streamed_tool_calls_are_assembled_by_the_sdk(client) -> None:
    ask = [{"role": "user", "content": "get_weather and get_time, please"}]
    stream = client.chat.completions.create(
        model="agent", messages=ask, tools=[WEATHER, TIME], stream=True,
        stream_options={"include_usage": True},
    )  # fmt: skip
    calls: dict[int, dict[str, str]] = {}
    finish, usage = None, None
    for chunk in stream:
        usage = chunk.usage or usage
        for choice in chunk.choices:
            finish = choice.finish_reason or finish
            for delta in choice.delta.tool_calls or []:
                call = calls.setdefault(delta.index, {"id": "", "name": "", "arguments": ""})
                call["id"] += delta.id or ""
                call["name"] += (delta.function.name or "") if delta.function else ""
                call["arguments"] += (delta.function.arguments or "") if delta.function else ""
    assert finish == "tool_calls" and usage is not None and usage.prompt_tokens == 21
    assert [calls[i]["name"] for i in sorted(calls)] == ["get_weather", "get_time"]
    assert json.loads(calls[0]["arguments"]) == {"city": "Paris", "unit": "c"}
    assert json.loads(calls[1]["arguments"]) == {}


def test_parallel_tool_calls_false_reaches_the_upstream(client, upstream) -> None:
    ask = [{"role": "user", "content": "get_weather and get_time"}]
    answer = client.chat.completions.create(
        model="agent", messages=ask, tools=[WEATHER, TIME], parallel_tool_calls=False
    )
    assert len(answer.choices[0].message.tool_calls) == 1
    assert upstream.requests[-1]["body"]["parallel_tool_calls"] is False


def test_structured_output_parses_into_the_pydantic_model(client, upstream) -> None:
    parsed = client.chat.completions.parse(
        model="agent", messages=[{"role": "user", "content": "Describe Paris"}],
        response_format=City,
    )  # fmt: skip
    assert parsed.choices[0].message.parsed == City(
        name="Paris", population=3, coastal=True, districts=["Paris"]
    )
    sent = upstream.requests[-1]["body"]["response_format"]
    assert sent["type"] == "json_schema" and sent["json_schema"]["name"] == "City"
    assert sent["json_schema"]["strict"] is True


def test_legacy_functions_are_answered_as_a_function_call(client, upstream) -> None:
    answer = client.chat.completions.create(
        model="agent", messages=ASK, functions=[WEATHER["function"]],
        function_call={"name": "get_weather"},
    )  # fmt: skip
    choice = answer.choices[0]
    assert choice.finish_reason == "function_call"
    assert choice.message.function_call.name == "get_weather"
    assert choice.message.tool_calls is None
    assert upstream.requests[-1]["body"]["parallel_tool_calls"] is False  # one call, as asked


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "streamed"])
def test_legacy_functions_answer_with_the_first_of_several_calls(client, upstream, stream) -> None:
    # Nothing tells the model to make one call (Bedrock's Nova refuses the setting): a legacy
    # answer holds the first. Streamed, the two calls' names and arguments ran together.
    both = [{"role": "user", "content": "Call get_weather and get_time"}]
    answer = client.chat.completions.create(
        model="agent", messages=both, functions=[WEATHER["function"], TIME["function"]],
        stream=stream,
    )  # fmt: skip
    assert len(upstream.requests[-1]["body"]["tools"]) == 2
    if not stream:
        call = answer.choices[0].message.function_call
        name, arguments = call.name, call.arguments
    else:
        deltas = [c.choices[0].delta.function_call for c in answer if c.choices]
        name = "".join(d.name or "" for d in deltas if d)
        arguments = "".join(d.arguments or "" for d in deltas if d)
    assert name == "get_weather"
    assert isinstance(json.loads(arguments), dict)


def test_optional_parameters_and_extra_fields_travel(client, upstream) -> None:
    client.chat.completions.create(
        model="agent", messages=[{"role": "user", "content": "Hi"}], seed=7, user="u-42",
        logit_bias={"50256": -100}, frequency_penalty=0.5, extra_body={"top_k": 20},
    )  # fmt: skip
    sent = upstream.requests[-1]["body"]
    assert (sent["seed"], sent["user"], sent["top_k"]) == (7, "u-42", 20)
    assert sent["logit_bias"] == {"50256": -100} and sent["frequency_penalty"] == 0.5


def test_a_null_field_is_a_field_not_given(client, upstream) -> None:
    """Clients send `"stop": null` for an unset option: OpenAI reads it as absent, and so do we
    (a refused field would be a null one of these, a forwarded null a change of meaning)."""
    client.chat.completions.create(
        model="agent", messages=[{"role": "user", "content": "Hi"}],
        extra_body={"stop": None, "tools": None, "temperature": None, "prompt_cache_key": None},
    )  # fmt: skip
    sent = upstream.requests[-1]["body"]
    assert not {"stop", "tools", "temperature", "prompt_cache_key"} & set(sent)


def test_a_client_that_hangs_up_before_the_answer_is_billed_once(tenant, upstream) -> None:
    """The provider answers (and charges) a call whose client left: the gateway waits for that
    answer in the background and bills it, as a cancelled call."""
    upstream.hold = threading.Event()
    url = urlsplit(tenant.base)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    body = json.dumps({"model": "agent", "messages": ASK})
    connection.request(
        "POST",
        f"{url.path}/chat/completions",
        body,
        {"Authorization": f"Bearer {tenant.token}", "Content-Type": "application/json"},
    )
    while not upstream.requests:  # the provider has the call...
        time.sleep(0.05)
    connection.close()  # ...and the client hangs up before it answers
    # The server learns of the hang-up on its event loop's next read: on a loaded machine the
    # answer released at once could arrive first, and the call would (rightly) be "ok".
    time.sleep(0.5)
    upstream.hold.set()
    (event,) = events_of(tenant.slug, 1)
    assert event.status == "cancelled" and not event.tokens_counted
    assert (event.input_tokens, event.output_tokens) == (11, 2)  # what the provider reported


def test_a_stream_whose_client_leaves_between_attempts_is_not_charged(tenant, upstream) -> None:
    """Throttled (a 429, which the provider does not bill), the gateway waits before it asks
    again; a client gone in that wait left its prompt with no provider: cancelled, uncharged.
    It was charged the prompt, counted."""
    upstream.status, upstream.failures_left = 429, 1  # Retry-After: 7, so a wait of 2-4 s
    url = urlsplit(tenant.base)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    body = json.dumps({"model": "agent", "messages": ASK, "stream": True})
    connection.request(
        "POST",
        f"{url.path}/chat/completions",
        body,
        {"Authorization": f"Bearer {tenant.token}", "Content-Type": "application/json"},
    )
    while not upstream.requests:  # the provider refused the first attempt...
        time.sleep(0.05)
    time.sleep(0.3)
    connection.close()  # ...and the client leaves while the gateway waits to ask again
    (event,) = events_of(tenant.slug, 1)
    assert event.status == "cancelled"
    assert (event.input_tokens, event.output_tokens, event.tokens_counted) == (0, 0, False)
    time.sleep(4)  # past the wait: no second attempt was made for a client gone
    assert len(upstream.requests) == 1


def test_an_image_reaches_an_image_model_and_a_text_model_refuses_it(client, upstream) -> None:
    pixel = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAfbLI3wAAAABJRU5ErkJggg=="  # noqa: E501
    content = [{"type": "text", "text": "What is this?"},
               {"type": "image_url", "image_url": {"url": pixel}}]  # fmt: skip
    client.chat.completions.create(model="agent", messages=[{"role": "user", "content": content}])
    assert upstream.requests[-1]["body"]["messages"][0]["content"][1]["image_url"]["url"] == pixel
    sent = len(upstream.requests)
    body = refusal(client, model="plain", messages=[{"role": "user", "content": content}])
    assert body["param"] == "messages[0].content" and "text only" in body["message"]
    web = [{"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}}]
    body = refusal(client, model="agent", messages=[{"role": "user", "content": web}])
    assert body["param"] == "messages[0].content[0].image_url.url"
    assert len(upstream.requests) == sent  # refusals never reach the upstream


def test_an_image_at_the_size_limit_fits_the_body_and_a_larger_body_is_a_413(
    client, upstream, tenant, settings
) -> None:
    """The image limit is 5 MB while Django's body limit is 2.5 MB: chat bodies have their own,
    large enough for such an image in base64; past it, and on embeddings past Django's, 413."""
    image = base64.b64encode(b"\x89PNG" + bytes(settings.GATEWAY_IMAGE_MAX_BYTES - 4)).decode()
    url = f"data:image/png;base64,{image}"
    content = [{"type": "text", "text": "What is this?"},
               {"type": "image_url", "image_url": {"url": url}}]  # fmt: skip
    client.chat.completions.create(model="agent", messages=[{"role": "user", "content": content}])
    assert upstream.requests[-1]["body"]["messages"][0]["content"][1]["image_url"]["url"].endswith(
        image[-100:]
    )
    sent = len(upstream.requests)
    limit = settings.GATEWAY_BODY_MAX_BYTES
    headers = {"Authorization": f"Bearer {tenant.token}", "Content-Type": "application/json"}
    past = json.dumps({"model": "agent", "messages": [{"role": "user", "content": "x" * limit}]})
    refused = httpx.post(f"{tenant.base}/chat/completions", content=past, headers=headers)
    assert refused.status_code == 413, refused.text[:300]
    assert f"{limit:,} bytes" in refused.json()["error"]["message"]
    three_mb = json.dumps({"model": "local/all-minilm-l6-v2", "input": "x" * 3_000_000})
    refused = httpx.post(f"{tenant.base}/embeddings", content=three_mb, headers=headers)
    assert refused.status_code == 413, refused.text[:300]
    assert len(upstream.requests) == sent


BEYOND_A_PLAIN_MODEL = [
    ({"tools": [WEATHER]}, "tools"),
    ({"response_format": {"type": "json_object"}}, "response_format"),
    ({"seed": 1}, "seed"),
    ({"logprobs": True}, "logprobs"),
    ({"user": "u-1"}, "user"),
    ({"frequency_penalty": 1}, "frequency_penalty"),
    ({"extra_body": {"top_k": 5}}, "top_k"),
    ({"extra_body": {"repetition_penalty": 1.1}}, "repetition_penalty"),
    ({"extra_body": {"audio": {"voice": "x"}}}, "audio"),
    ({"n": 2}, "n"),
    ({"store": True}, "store"),
    ({"metadata": {"k": "v"}}, "metadata"),
    ({"modalities": ["text", "audio"]}, "modalities"),
]


def test_a_plain_model_refuses_what_it_cannot_do_naming_the_field(client, upstream, tenant):
    for request_fields, param in BEYOND_A_PLAIN_MODEL:
        body = refusal(client, model="plain", **request_fields)
        assert body["param"] == param, request_fields
        assert body["message"].startswith(f"{param}:"), body
    assert upstream.requests == []
    assert events_of(tenant.slug, 0) == []  # nothing reserved, nothing charged


def test_logprobs_are_refused_where_the_guardrails_check_answers(client, upstream, tenant):
    # Each token's text and its alternatives would show what the policy masks.
    assert client.chat.completions.create(model="agent", messages=ASK, logprobs=True).choices
    set_tenant_policy(tenant=tenant, raw={"pii": {"email": "mask"}}, actor="ada")
    sent = len(upstream.requests)
    body = refusal(client, model="agent", logprobs=True)
    assert body["param"] == "logprobs" and "guardrail policy" in body["message"]
    assert len(upstream.requests) == sent
    assert client.chat.completions.create(model="agent", messages=ASK).choices  # without: fine


MALFORMED = [
    ({"tools": [{"type": "web_search"}]}, "tools[0].type"),
    (
        {"tools": [WEATHER], "tool_choice": {"type": "function", "function": {"name": "nope"}}},
        "tool_choice",
    ),
    ({"tool_choice": "auto"}, "tool_choice"),
    ({"parallel_tool_calls": True}, "parallel_tool_calls"),
    ({"response_format": {"type": "xml"}}, "response_format.type"),
    ({"top_logprobs": 3}, "top_logprobs"),
    ({"stream_options": {"include_usage": True}}, "stream_options"),
    (
        {"messages": [{"role": "tool", "tool_call_id": "x", "content": "hi"}]},
        "messages[0].tool_call_id",
    ),
    ({"messages": [{"role": "user", "content": "hi", "name": "bob"}]}, "messages[0].name"),
    (
        {"messages": [{"role": "user", "content": [{"type": "input_audio"}]}]},
        "messages[0].content[0].type",
    ),
    # Valid JSON of the wrong kind where a string belongs: a 400, never a 500.
    (
        {
            "messages": [
                {
                    "role": "user",
                    "content": [
                        {
                            "type": "image_url",
                            "image_url": {"url": "https://x.test/a.png", "detail": ["low"]},
                        }
                    ],
                }
            ]
        },
        "messages[0].content[0].image_url.detail",
    ),
    ({"tools": [WEATHER], "tool_choice": {"type": "function", "function": ["x"]}}, "tool_choice"),
    (
        {
            "messages": [
                {"role": "assistant", "function_call": {"name": "f", "arguments": "{}"}},
                {"role": "function", "name": ["f"], "content": "x"},
            ]
        },
        "messages[1].name",
    ),
    ({"messages": [{"role": "assistant", "function_call": "f"}]}, "messages[0].function_call"),
]


def test_malformed_fields_are_refused_naming_the_field(client) -> None:
    for request_fields, param in MALFORMED:
        assert refusal(client, model="agent", **request_fields)["param"] == param, request_fields


def test_streaming_tools_needs_a_model_that_streams_them(client, upstream) -> None:
    FoundationModel.objects.filter(name="agent").update(supports_tool_streaming=False)
    body = refusal(client, model="agent", tools=[WEATHER], stream=True)
    assert body["param"] == "stream" and "set stream to false" in body["message"]


def test_models_carry_their_capabilities_and_one_can_be_fetched_by_its_id(client, tenant):
    listed = {model.id: model for model in client.models.list()}
    assert listed["agent"].capabilities["tools"] is True  # type: ignore[attr-defined]
    assert listed["plain"].capabilities["tools"] is False  # type: ignore[attr-defined]
    one = client.models.retrieve("local/all-minilm-l6-v2")
    assert one.id == "local/all-minilm-l6-v2"
    assert one.capabilities == {"modality": "embedding", "context_window": 256,  # type: ignore[attr-defined]
                                "dimensions": [384]}  # fmt: skip
    with pytest.raises(openai.PermissionDeniedError):  # as a call to it would be
        client.models.retrieve("local/gemma-3-270m")  # not granted to acme


def test_unknown_routes_answer_in_openais_shape_after_the_token(client, tenant) -> None:
    with pytest.raises(openai.NotFoundError) as raised:
        client.post("/fine_tuning/jobs", body={}, cast_to=object)
    assert raised.value.body["code"] == "unknown_url"  # type: ignore[index]
    anonymous = httpx.get(f"{tenant.base}/fine_tuning/jobs")
    assert anonymous.status_code == 401 and "error" in anonymous.json()


def test_embedding_dimensions_are_honoured_or_refused(client, tenant) -> None:
    body = None
    with pytest.raises(openai.BadRequestError) as raised:
        client.embeddings.create(model="local/all-minilm-l6-v2", input="x", dimensions=128)
    body = raised.value.body
    assert body["param"] == "dimensions" and "384" in body["message"]  # type: ignore[index]
    native = client.embeddings.create(model="local/all-minilm-l6-v2", input="x", dimensions=384)
    assert len(native.data[0].embedding) == 384
    with pytest.raises(openai.BadRequestError) as raised:
        client.embeddings.create(model="local/all-minilm-l6-v2", input="x", user="u")
    assert raised.value.body["param"] == "user"  # type: ignore[index]


def test_langchain_binds_tools_and_returns_structured_output(tenant, upstream) -> None:
    model = ChatOpenAI(model="agent", base_url=tenant.base, api_key=tenant.token, max_retries=0)
    asked = model.bind_tools([WEATHER]).invoke([HumanMessage("Weather in Paris? get_weather")])
    (call,) = asked.tool_calls
    assert call["name"] == "get_weather" and call["args"] == {"city": "Paris", "unit": "c"}
    answered = model.bind_tools([WEATHER]).invoke([
        HumanMessage("Weather in Paris? get_weather"), asked,
        ToolMessage("rainy", tool_call_id=call["id"]),
    ])  # fmt: skip
    assert answered.content == "The tools said: rainy"
    city = model.with_structured_output(City).invoke("Describe Paris")
    assert isinstance(city, City) and city.name == "Paris"
