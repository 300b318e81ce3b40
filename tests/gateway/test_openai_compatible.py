"""An OpenAI-compatible upstream (a real HTTP server on loopback) behind the gateway."""

from __future__ import annotations

import json
from collections.abc import Iterator

import openai
import pytest

from identity.services import mint_member_token
from metering.models import UsageEvent
from metering.usage_queue import record_queued_usage
from models_catalog.models import FoundationModel, Provider
from models_catalog.services.access import grant_model
from tests.gateway.recorded import event_of
from tests.gateway.tools import ASK, WEATHER
from tests.gateway.upstreams import Upstream

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def upstream(monkeypatch) -> Iterator[Upstream]:
    monkeypatch.setenv("VLLM_TEST_API_KEY", "upstream-secret")
    server = Upstream()
    yield server
    server.server.shutdown()


@pytest.fixture
def vllm_client(asgi_url, upstream, make_tenant, make_user):
    provider = Provider.objects.create(
        name="vllm-test",
        kind="openai_compatible",
        endpoint_url=upstream.url,
        credentials_env="VLLM_TEST",
    )
    FoundationModel.objects.create(
        name="acme-llama",
        provider=provider,
        provider_model_id="meta-llama/Llama-3.1-8B",
        display_name="Llama on vLLM",
        modality="chat",
        max_output_tokens=1024,
    )
    FoundationModel.objects.create(
        name="acme-embed",
        provider=provider,
        provider_model_id="bge-small",
        display_name="bge",
        modality="embedding",
    )
    acme = make_tenant("acme")
    for name in ("acme-llama", "acme-embed"):
        grant_model(model_name=name, tenants=[acme], actor="test")
    token = mint_member_token(user=make_user("zoe", roles={acme: "member"}), tenant=acme)
    return openai.OpenAI(base_url=f"{asgi_url}/t/{acme.slug}/v1", api_key=token, max_retries=0)


def test_chat_is_forwarded_with_the_providers_model_id_and_key(vllm_client, upstream) -> None:
    answer = vllm_client.chat.completions.create(
        model="acme-llama",
        messages=[{"role": "user", "content": "Hi"}],
        max_tokens=20,
        temperature=0.2,
        stop=["\n\n"],
    )
    assert answer.choices[0].message.content == "Hello there"
    assert (answer.usage.prompt_tokens, answer.usage.completion_tokens) == (11, 2)
    sent = upstream.requests[-1]
    assert sent["body"]["model"] == "meta-llama/Llama-3.1-8B"
    assert sent["body"]["stop"] == ["\n\n"] and sent["body"]["temperature"] == 0.2
    assert sent["auth"] == "Bearer upstream-secret"


def test_stream_is_relayed_with_usage(vllm_client) -> None:
    chunks = list(
        vllm_client.chat.completions.create(
            model="acme-llama",
            messages=[{"role": "user", "content": "Hi"}],
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "w0 w1 w2 w3 w4 "
    assert chunks[-1].usage.completion_tokens == 5


def test_embeddings_are_relayed(vllm_client) -> None:
    result = vllm_client.embeddings.create(
        model="acme-embed", input=["a", "b"], encoding_format="float"
    )
    assert [item.embedding for item in result.data] == [[0.5, 0.5], [0.5, 0.5]]


def test_embeddings_answered_without_usage_are_billed_by_count(vllm_client, upstream) -> None:
    upstream.reports_usage = False
    result = vllm_client.embeddings.create(
        model="acme-embed", input=["the first text to embed", "a second"], encoding_format="float"
    )
    assert result.usage.prompt_tokens > 4
    record_queued_usage()
    event = UsageEvent.objects.unscoped().filter(operation="embeddings").latest("started_at")
    assert (event.input_tokens, event.tokens_counted) == (result.usage.prompt_tokens, True)


@pytest.mark.parametrize(
    "answer",
    [
        {"data": "vectors"},
        {"data": [{"embedding": [0.5, 0.5]}, {"embedding": [0.5, 0.5]}]},  # no index
        {"data": [{"index": 0, "embedding": [0.5, 0.5]}]},  # one vector for two texts
        {"data": [{"index": 0, "embedding": "abc"}, {"index": 1, "embedding": [0.5]}]},
        {"data": [{"index": 0, "embedding": [0.5]}, {"index": 0, "embedding": [0.5]}]},
        {"vectors": [[0.5], [0.5]]},
    ],
)
def test_an_embeddings_answer_not_in_openais_shape_is_a_502_and_billed(
    vllm_client, upstream, answer
) -> None:
    # Each was a 500 (KeyError, TypeError) or vectors that did not match the texts.
    upstream.embeddings_body = {**answer, "usage": {"prompt_tokens": 7}}
    with pytest.raises(
        openai.InternalServerError, match=r"embeddings not in OpenAI.+s shape"
    ) as failed:
        vllm_client.embeddings.create(model="acme-embed", input=["a", "b"], encoding_format="float")
    assert failed.value.status_code == 502 and len(upstream.requests) == 1  # not asked again
    assert failed.value.response.headers["x-should-retry"] == "false"
    event = event_of(failed.value.response.headers["X-Request-Id"])
    assert (event.status, event.input_tokens, event.tokens_counted) == ("error", 7, False)


def test_upstream_throttling_is_429_with_retry_after(vllm_client, upstream, settings) -> None:
    settings.GATEWAY_RETRIES = 0
    upstream.status = 429
    with pytest.raises(openai.RateLimitError) as caught:
        vllm_client.chat.completions.create(
            model="acme-llama", messages=[{"role": "user", "content": "Hi"}]
        )
    assert caught.value.response.headers["Retry-After"] == "7"


def test_upstream_failure_is_502(vllm_client, upstream, settings) -> None:
    settings.GATEWAY_RETRIES = 0
    upstream.status = 500
    with pytest.raises(openai.InternalServerError) as caught:
        vllm_client.chat.completions.create(
            model="acme-llama", messages=[{"role": "user", "content": "Hi"}]
        )
    assert caught.value.status_code == 502


def test_client_leaving_mid_stream_stops_the_upstream_call(vllm_client, upstream) -> None:
    upstream.stream_pieces, upstream.piece_delay = 200, 0.05
    stream = vllm_client.chat.completions.create(
        model="acme-llama", messages=[{"role": "user", "content": "Hi"}], stream=True
    )
    for _ in zip(range(3), stream, strict=False):
        pass
    stream.close()
    assert upstream.disconnected.wait(10), "the upstream kept streaming to nobody"


def test_a_provider_whose_key_is_not_set_is_refused_as_not_configured(
    vllm_client, upstream, monkeypatch
) -> None:
    monkeypatch.delenv("VLLM_TEST_API_KEY")
    with pytest.raises(openai.APIStatusError) as refused:
        vllm_client.chat.completions.create(
            model="acme-llama", messages=[{"role": "user", "content": "Hi"}], max_tokens=20
        )
    assert refused.value.status_code == 502
    error = refused.value.body
    assert error["code"] == "provider_not_configured"
    assert "VLLM_TEST_API_KEY" in error["message"]
    assert upstream.requests == []  # never called without its key


# A lone surrogate (half of a UTF-16 pair, as a model that splits an emoji across two tokens may
# send) escaped in an upstream's JSON. The provider answered and billed it: the answer is passed
# on with U+FFFD in its place and billed once, not refused as "not JSON" and asked for again
# (three times, each billed by the provider and by no one here).
QUESTION = [{"role": "user", "content": "Hi"}]


def test_a_lone_surrogate_in_an_answer_is_replaced_and_billed_once(vllm_client, upstream) -> None:
    upstream.answer = "Smile \ud83d and go \ud83d\ude00"
    answer = vllm_client.chat.completions.create(model="acme-llama", messages=QUESTION)
    assert answer.choices[0].message.content == "Smile \ufffd and go \U0001f600"
    assert len(upstream.requests) == 1
    event = event_of(answer.id)
    assert (event.status, event.input_tokens, event.output_tokens) == ("ok", 11, 2)


def test_a_lone_surrogate_in_a_stream_is_replaced(vllm_client, upstream) -> None:
    upstream.pieces = ["Smile ", "\ud83d", " and go"]
    chunks = vllm_client.chat.completions.create(model="acme-llama", messages=QUESTION,
                                                 stream=True)  # fmt: skip
    received = list(chunks)
    text = "".join(c.choices[0].delta.content or "" for c in received if c.choices)
    assert text == "Smile \ufffd and go"
    assert event_of(received[0].id).status == "ok"


def test_a_stream_event_that_is_not_json_ends_the_stream_with_an_error(
    vllm_client, upstream
) -> None:
    upstream.pieces = ["Hello ", b'data: {"choices": [{"delta\n\n', "there"]
    received = []
    with pytest.raises(openai.APIError, match="not a JSON object"):
        for chunk in vllm_client.chat.completions.create(
            model="acme-llama", messages=QUESTION, stream=True
        ):
            received.append(chunk)
    assert "".join(c.choices[0].delta.content or "" for c in received if c.choices) == "Hello "
    assert event_of(received[0].id).status == "error"


@pytest.mark.parametrize(
    "event",
    [
        b'data: {"choices": ["there"]}\n\n',
        b'data: {"choices": {"delta": {"content": "there"}}}\n\n',
        b'data: {"choices": [{"delta": "there"}]}\n\n',
        b'data: {"choices": [{"delta": {"content": ["there"]}}]}\n\n',
        b'data: {"choices": [{"delta": {"tool_calls": [7]}}]}\n\n',
        b'data: {"choices": [{"delta": {}, "finish_reason": {"stop": 1}}]}\n\n',
    ],
)
def test_a_stream_event_not_in_openais_shape_ends_the_stream_with_an_error(
    vllm_client, upstream, event
) -> None:
    # Each was an uncaught AttributeError or TypeError in the gateway, the stream cut short.
    upstream.pieces = ["Hello ", event, "there"]
    received = []
    with pytest.raises(openai.APIError, match="not in OpenAI's shape"):
        for chunk in vllm_client.chat.completions.create(
            model="acme-llama", messages=QUESTION, stream=True
        ):
            received.append(chunk)
    assert "".join(c.choices[0].delta.content or "" for c in received if c.choices) == "Hello "
    assert event_of(received[0].id).status == "error"


def test_an_error_event_mid_stream_ends_the_stream_with_that_error(vllm_client, upstream) -> None:
    # vLLM reports a failure inside a stream as `data: {"error": {...}}`: it was dropped, and
    # the client saw a clean end of a cut-off answer, recorded as `ok`.
    failure = {"error": {"object": "error", "message": "CUDA out of memory", "code": 500}}
    upstream.pieces = ["Hello ", f"data: {json.dumps(failure)}\n\n".encode(), "there"]
    received = []
    with pytest.raises(openai.APIError, match="failed mid-stream: CUDA out of memory"):
        for chunk in vllm_client.chat.completions.create(
            model="acme-llama", messages=QUESTION, stream=True
        ):
            received.append(chunk)
    assert "".join(c.choices[0].delta.content or "" for c in received if c.choices) == "Hello "
    event = event_of(received[0].id)
    assert (event.status, event.tokens_counted) == ("error", True) and event.input_tokens > 0


def test_a_stream_that_opens_with_an_error_event_is_a_502(vllm_client, upstream) -> None:
    # TGI's shape. It was an empty 200 stream, recorded as `ok` at $0.
    failure = {"error": "Request failed during generation: CUDA OOM", "error_type": "generation"}
    upstream.pieces = [f"data: {json.dumps(failure)}\n\n".encode()]
    with pytest.raises(openai.InternalServerError, match="CUDA OOM") as failed:
        vllm_client.chat.completions.create(model="acme-llama", messages=QUESTION, stream=True)
    assert failed.value.status_code == 502
    event = event_of(failed.value.response.headers["X-Request-Id"])
    assert (event.status, event.input_tokens) == ("error", 0)  # nothing answered: uncharged


def test_an_answer_whose_content_is_a_list_of_parts_is_read_as_its_text(
    vllm_client, upstream
) -> None:
    # Mistral's servers answer so (a reasoning part beside the text): it was a 500, unbilled.
    content = [{"type": "thinking", "thinking": [{"type": "text", "text": "hmm"}]},
               {"type": "text", "text": "Paris"}]  # fmt: skip
    upstream.body = {
        "choices": [{"message": {"role": "assistant", "content": content},
                     "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 11, "completion_tokens": 20},
    }  # fmt: skip
    answer = vllm_client.chat.completions.create(model="acme-llama", messages=QUESTION)
    assert answer.choices[0].message.content == "Paris"
    assert event_of(answer.id).input_tokens == 11


def test_tool_calls_sent_as_one_object_are_a_502_and_billed(vllm_client, upstream) -> None:
    # It was a 500 (an AttributeError), unbilled.
    call = {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
    upstream.body = {
        "choices": [{"message": {"role": "assistant", "content": None, "tool_calls": call},
                     "finish_reason": "tool_calls"}],
        "usage": {"prompt_tokens": 11, "completion_tokens": 20},
    }  # fmt: skip
    with pytest.raises(openai.InternalServerError, match="tool_calls as a list") as failed:
        vllm_client.chat.completions.create(model="acme-llama", messages=QUESTION)
    event = event_of(failed.value.response.headers["X-Request-Id"])
    assert (failed.value.status_code, event.status, event.input_tokens) == (502, "error", 11)


def test_tool_arguments_written_as_an_object_are_passed_on_as_json(vllm_client, upstream) -> None:
    # TGI's Messages API writes them as an object: they came back as a Python repr.
    FoundationModel.objects.filter(name="acme-llama").update(supports_tools=True)
    call = {"id": "call_0", "type": "function",
            "function": {"name": "get_weather", "arguments": {"city": "Paris"}}}  # fmt: skip
    upstream.body = {
        "choices": [{"index": 0, "finish_reason": "tool_calls",
                     "message": {"role": "assistant", "content": None, "tool_calls": [call]}}],
        "usage": {"prompt_tokens": 20, "completion_tokens": 5},
    }  # fmt: skip
    answer = vllm_client.chat.completions.create(model="acme-llama", messages=ASK, tools=[WEATHER])
    assert json.loads(answer.choices[0].message.tool_calls[0].function.arguments) == {
        "city": "Paris"
    }
    delta = {"choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, **call}]}}]}
    upstream.pieces = [f"data: {json.dumps(delta)}\n\n".encode()]
    chunks = list(vllm_client.chat.completions.create(
        model="acme-llama", messages=QUESTION, stream=True
    ))  # fmt: skip
    deltas = [c.choices[0].delta.tool_calls for c in chunks if c.choices]
    written = "".join(d[0].function.arguments or "" for d in deltas if d)
    assert json.loads(written) == {"city": "Paris"}


def test_an_answer_without_choices_is_a_502_and_billed(vllm_client, upstream) -> None:
    # It was a 500 (an IndexError), and the call the server answered went unbilled.
    upstream.body = {"choices": [], "usage": {"prompt_tokens": 20, "completion_tokens": 0}}
    with pytest.raises(openai.InternalServerError, match=r"without choices\[0\]") as failed:
        vllm_client.chat.completions.create(model="acme-llama", messages=QUESTION)
    assert failed.value.status_code == 502
    # Billed: the SDKs, which resend a 502 by themselves, are told not to.
    assert failed.value.response.headers["x-should-retry"] == "false"
    event = event_of(failed.value.response.headers["X-Request-Id"])
    assert (event.status, event.input_tokens, event.tokens_counted) == ("error", 20, False)


def test_a_request_the_server_refuses_is_a_400_with_its_message(vllm_client, upstream) -> None:
    upstream.status, upstream.error_message = 422, "top_k must be at least -1"
    with pytest.raises(openai.BadRequestError, match="top_k must be at least -1"):
        vllm_client.chat.completions.create(model="acme-llama", messages=QUESTION)
    upstream.status = 400
    upstream.error_message = "This model's maximum context length is 4096 tokens."
    with pytest.raises(openai.BadRequestError) as refused:
        vllm_client.chat.completions.create(model="acme-llama", messages=QUESTION)
    assert refused.value.body["param"] == "messages"
    assert "(its context window)" in refused.value.body["message"]
    assert len(upstream.requests) == 2  # neither retried
