"""The Responses API through the openai SDK over real HTTP: a function-tool loop continued with
`previous_response_id`, streaming read with the SDK's streaming API, structured output, stored
responses (GET, DELETE, `store: false`, the purge), refusals, and one usage event per call."""

from __future__ import annotations

import base64
import json
import time
from datetime import timedelta

import httpx
import openai
import pytest
from django.utils import timezone
from openai import OpenAI
from pydantic import BaseModel

from identity.services import mint_member_token
from models_catalog.services.access import grant_model
from response_store.models import StoredResponse
from response_store.tasks import purge_responses
from tenants.schemas import in_tenant_schema
from tests.gateway.recorded import events_of
from tests.response_store.conftest import MODEL

pytestmark = pytest.mark.django_db(transaction=True)

WEATHER = {
    "type": "function",
    "name": "get_weather",
    "description": "The weather in a city.",
    "parameters": {
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
        "additionalProperties": False,
    },
    "strict": True,
}


def test_a_tool_loop_continues_with_previous_response_id(acme, upstream) -> None:
    first = acme.responses.create(
        model=MODEL, instructions="Be brief.", input="What is the weather in Paris?",
        tools=[WEATHER],
    )  # fmt: skip
    assert first.id.startswith("resp_") and first.status == "completed"
    (call,) = first.output
    assert call.type == "function_call" and call.name == "get_weather"
    assert json.loads(call.arguments) == {"city": "Paris"}
    sent = upstream.requests[-1]["body"]
    assert sent["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "What is the weather in Paris?"},
    ]
    assert sent["tools"][0]["function"]["name"] == "get_weather"

    second = acme.responses.create(
        model=MODEL, previous_response_id=first.id, tools=[WEATHER],
        input=[{"type": "function_call_output", "call_id": call.call_id, "output": "Sunny, 21C"}],
    )  # fmt: skip
    assert second.output_text == "The tools said: Sunny, 21C"
    assert second.previous_response_id == first.id
    messages = upstream.requests[-1]["body"]["messages"]
    # The earlier turn came from the stored response; its instructions were not carried over.
    assert [m["role"] for m in messages] == ["user", "assistant", "tool"]
    assert messages[1]["tool_calls"][0]["id"] == call.call_id
    assert messages[2] == {"role": "tool", "tool_call_id": call.call_id, "content": "Sunny, 21C"}
    assert second.usage.input_tokens == 21 and second.usage.output_tokens == 13

    # Each call metered once, under the response's own id.
    events = events_of(acme.tenant.slug, 2)
    time.sleep(0.5)
    events = events_of(acme.tenant.slug, 3, timeout=0.5)
    assert [event.request_id for event in events] == [first.id, second.id]
    assert all(event.status == "ok" and event.input_tokens == 21 for event in events)


def test_a_streamed_response_reads_with_the_sdks_streaming_api(acme, upstream) -> None:
    upstream.pieces = ["Bonjour", ", le ", "monde"]
    with acme.responses.stream(model=MODEL, input="Say hello") as stream:
        kinds = [event.type for event in stream]
        final = stream.get_final_response()
    assert kinds[:4] == ["response.created", "response.in_progress",
                         "response.output_item.added", "response.content_part.added"]  # fmt: skip
    assert kinds.count("response.output_text.delta") == 3
    assert kinds[-4:] == ["response.output_text.done", "response.content_part.done",
                          "response.output_item.done", "response.completed"]  # fmt: skip
    assert final.output_text == "Bonjour, le monde" and final.status == "completed"
    assert final.usage.output_tokens == upstream.stream_pieces
    stored = acme.responses.retrieve(final.id)
    assert stored.output_text == "Bonjour, le monde"
    (event,) = events_of(acme.tenant.slug, 1)
    assert event.request_id == final.id and event.streamed


def test_an_abandoned_stream_is_metered_and_not_stored(acme, upstream) -> None:
    upstream.pieces, upstream.piece_delay = ["word "] * 200, 0.03
    # The client hangs up on its own connection: the SDK's pool may keep one open after close()
    headers = {"Authorization": f"Bearer {acme.api_key}"}
    with httpx.Client(base_url=str(acme.base_url), headers=headers) as client:
        body = {"model": MODEL, "input": "Talk to me", "stream": True}
        with client.stream("POST", "responses", json=body) as answer:
            data = (line[6:] for line in answer.iter_lines() if line.startswith("data: "))
            seen = [json.loads(chunk) for _, chunk in zip(range(6), data, strict=False)]
    response_id = seen[0]["response"]["id"]
    (event,) = events_of(acme.tenant.slug, 1)
    assert event.request_id == response_id and event.status == "cancelled"
    assert event.output_tokens > 0  # counted, never a silent zero
    assert refusal(lambda: acme.responses.retrieve(response_id)).status_code == 404


def test_a_streamed_tool_call_arrives_in_pieces(acme) -> None:
    events = list(acme.responses.create(model=MODEL, input="Weather?", tools=[WEATHER],
                                        stream=True))  # fmt: skip
    deltas = [e.delta for e in events if e.type == "response.function_call_arguments.delta"]
    (done,) = [e for e in events if e.type == "response.function_call_arguments.done"]
    assert len(deltas) > 1 and "".join(deltas) == done.arguments == '{"city": "Paris"}'
    completed = events[-1]
    assert completed.type == "response.completed"
    (call,) = completed.response.output
    assert call.type == "function_call" and call.arguments == done.arguments
    assert [e.sequence_number for e in events] == list(range(len(events)))


class City(BaseModel):
    name: str
    population: int


def test_structured_output_follows_the_schema(acme, upstream) -> None:
    parsed = acme.responses.parse(model=MODEL, input="A city, please.", text_format=City)
    assert parsed.output_parsed == City(name="Paris", population=3)
    sent = upstream.requests[-1]["body"]["response_format"]
    assert sent["type"] == "json_schema" and sent["json_schema"]["name"] == "City"
    assert sent["json_schema"]["strict"] is True
    answer = acme.responses.create(
        model=MODEL, input="Answer in JSON.", text={"format": {"type": "json_object"}}
    )
    assert json.loads(answer.output_text) == {"answer": "Paris"}
    assert answer.text.format.type == "json_object"


PIXEL = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8"
    "z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def test_images_reach_the_model_as_chat_image_parts(acme, upstream) -> None:
    acme.responses.create(model=MODEL, input=[{"role": "user", "content": [
        {"type": "input_text", "text": "What is this?"},
        {"type": "input_image", "image_url": PIXEL, "detail": "low"},
    ]}])  # fmt: skip
    (message,) = upstream.requests[-1]["body"]["messages"]
    assert message["content"] == [
        {"type": "text", "text": "What is this?"},
        {"type": "image_url", "image_url": {"url": PIXEL, "detail": "low"}},
    ]
    stored_file = refusal(lambda: acme.responses.create(model=MODEL, input=[{"role": "user",
        "content": [{"type": "input_file", "file_id": "file-1"}]}]))  # fmt: skip
    assert stored_file.body["param"] == "input[0].content[0].type"


def test_an_image_at_the_size_limit_fits_the_body_and_a_larger_body_is_a_413(
    acme, upstream, settings
) -> None:
    image = base64.b64encode(b"\x89PNG" + bytes(settings.GATEWAY_IMAGE_MAX_BYTES - 4)).decode()
    acme.responses.create(model=MODEL, input=[{"role": "user", "content": [
        {"type": "input_image", "image_url": f"data:image/png;base64,{image}"},
    ]}])  # fmt: skip
    (message,) = upstream.requests[-1]["body"]["messages"]
    assert message["content"][0]["image_url"]["url"].endswith(image[-100:])
    limit = settings.GATEWAY_BODY_MAX_BYTES
    too_large = refusal(lambda: acme.responses.create(model=MODEL, input="x" * limit))
    assert too_large.status_code == 413 and f"{limit:,} bytes" in too_large.body["message"]


def refusal(call) -> openai.APIStatusError:  # type: ignore[no-untyped-def]
    with pytest.raises(openai.APIStatusError) as raised:
        call()
    return raised.value


def test_fields_are_honoured_or_refused_by_name(acme, upstream) -> None:
    unknown = refusal(lambda: acme.responses.create(model=MODEL, input="Hi",
                                                    extra_body={"frobnicate": 1}))  # fmt: skip
    assert unknown.status_code == 400 and unknown.body["param"] == "frobnicate"
    hosted = refusal(lambda: acme.responses.create(
        model=MODEL, input="Hi", tools=[WEATHER, {"type": "web_search"}]))  # fmt: skip
    assert hosted.status_code == 400 and hosted.body["param"] == "tools[1].type"
    reasoning = refusal(lambda: acme.responses.create(model=MODEL, input="Hi",
                                                      reasoning={"effort": "high"}))  # fmt: skip
    assert reasoning.body["param"] == "reasoning"
    item = refusal(lambda: acme.responses.create(
        model=MODEL, input=[{"type": "reasoning", "id": "rs_1", "summary": []}]))  # fmt: skip
    assert item.body["param"] == "input[0].type"
    answer = acme.responses.create(
        model=MODEL, input=[{"role": "user", "content": [{"type": "input_text", "text": "Hi"}]}],
        max_output_tokens=40, temperature=0.2, top_p=0.9, metadata={"ticket": "42"},
    )  # fmt: skip
    sent = upstream.requests[-1]["body"]
    assert (sent["max_tokens"], sent["temperature"], sent["top_p"]) == (40, 0.2, 0.9)
    assert answer.metadata == {"ticket": "42"} and answer.output_text == "Hello there"
    assert len(upstream.requests) == 1  # the refusals reached no model


def test_stored_responses_are_the_callers_own(acme, asgi_url, make_tenant, make_user) -> None:
    answer = acme.responses.create(model=MODEL, input="Hi")
    assert acme.responses.retrieve(answer.id).output_text == "Hello there"

    globex = make_tenant("globex")
    grant_model(model_name=MODEL, tenants=[globex], actor="test")
    token = mint_member_token(user=make_user("gus", roles={globex: "member"}), tenant=globex)
    other = OpenAI(base_url=f"{asgi_url}/t/{globex.slug}/v1", api_key=token, max_retries=0)
    crossing = refusal(lambda: other.responses.create(
        model=MODEL, input="Go on", previous_response_id=answer.id))  # fmt: skip
    missing = refusal(lambda: other.responses.create(
        model=MODEL, input="Go on", previous_response_id="resp_nothing"))  # fmt: skip
    assert crossing.status_code == missing.status_code == 404
    assert crossing.body["param"] == "previous_response_id"
    assert crossing.body["message"].replace(answer.id, "X") == missing.body["message"].replace(
        "resp_nothing", "X")  # fmt: skip
    assert refusal(lambda: other.responses.retrieve(answer.id)).status_code == 404
    assert refusal(lambda: other.responses.input_items.list(answer.id)).status_code == 404
    colleague_token = mint_member_token(user=make_user("zed", roles={acme.tenant: "member"}),
                                        tenant=acme.tenant)  # fmt: skip
    colleague = OpenAI(base_url=str(acme.base_url), api_key=colleague_token, max_retries=0)
    assert refusal(lambda: colleague.responses.retrieve(answer.id)).status_code == 404
    assert refusal(lambda: colleague.responses.input_items.list(answer.id)).status_code == 404

    acme.responses.delete(answer.id)
    assert refusal(lambda: acme.responses.retrieve(answer.id)).status_code == 404
    after = refusal(lambda: acme.responses.create(
        model=MODEL, input="Go on", previous_response_id=answer.id))  # fmt: skip
    assert after.status_code == 404

    unstored = acme.responses.create(model=MODEL, input="Hi", store=False)
    assert unstored.store is False
    assert refusal(lambda: acme.responses.retrieve(unstored.id)).status_code == 404


def test_the_purge_removes_responses_past_retention(acme, celery_worker, settings) -> None:
    old, fresh = (acme.responses.create(model=MODEL, input="Hi") for _ in range(2))
    with in_tenant_schema(acme.tenant):
        StoredResponse.objects.filter(pk=old.id).update(
            created_at=timezone.now() - timedelta(days=settings.RESPONSES_RETENTION_DAYS + 1)
        )
    # Past retention it is gone at once, purged or not.
    assert refusal(lambda: acme.responses.retrieve(old.id)).status_code == 404
    assert purge_responses() >= 1  # one task per tenant
    deadline = time.monotonic() + 20
    while True:  # acme's task, run by the worker
        with in_tenant_schema(acme.tenant):
            left = set(StoredResponse.objects.values_list("pk", flat=True))
        if left == {fresh.id}:
            break
        assert time.monotonic() < deadline, "the worker did not purge acme's old response"
        time.sleep(0.2)
    assert acme.responses.retrieve(fresh.id).id == fresh.id
