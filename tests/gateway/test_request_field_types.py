"""Fields of the wrong type, or asking what Atrium cannot do, are a 400 naming the field; never
accepted and ignored because a falsy value (`[]`, `0`, `""`) skipped a check or `true == 1`
passed one. And a legacy `functions` call sends no setting the client did not give."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest

from gateway.parameters import BadParameter, chat_request, optional_parameters
from identity.services import mint_member_token
from models_catalog.models import OPTIONAL_PARAMETERS, FoundationModel, Provider
from models_catalog.services.access import grant_model
from tenants.models import Tenant
from tests.gateway.aws_servers import AwsLoopback
from tests.gateway.conftest import aws, aws_client  # noqa: F401  (fixtures)
from tests.gateway.recorded import events_of, slug_of
from tests.gateway.tools import TIME, WEATHER
from tests.gateway.upstreams import Upstream, upstream_model

MODEL = "typed"
NOVA = "amazon.nova-lite-v1:0"
HI = [{"role": "user", "content": "hi"}]
BOTH = [{"role": "user", "content": "get_weather and get_time, please"}]
FUNCTIONS = [WEATHER["function"], TIME["function"]]


@pytest.fixture
def upstream() -> Iterator[Upstream]:
    server = Upstream()
    yield server
    server.server.shutdown()


@pytest.fixture
def api(asgi_url, upstream, make_tenant, make_user) -> httpx.Client:  # type: ignore[no-untyped-def]
    """An httpx client of acme's, granted `typed` (every capability, every optional parameter):
    raw bodies, as no SDK would type them."""
    upstream_model(
        MODEL, upstream, supports_tools=True, supports_parallel_tool_calls=True,
        supports_tool_streaming=True, supports_json_mode=True, supports_json_schema=True,
        supports_image_input=True, optional_parameters=list(OPTIONAL_PARAMETERS),
    )  # fmt: skip
    tenant = make_tenant("acme")
    grant_model(model_name=MODEL, tenants=[tenant], actor="test")
    token = mint_member_token(user=make_user("yuri", roles={tenant: "member"}), tenant=tenant)
    return httpx.Client(
        base_url=f"{asgi_url}/t/{tenant.slug}/v1",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )


def refused(api: httpx.Client, path: str, body: dict[str, Any]) -> str:
    """The `error.param` of the 400 that `body` gets at `path`."""
    answer = api.post(path, json={"model": MODEL, **body})
    assert answer.status_code == 400, answer.text
    return str(answer.json()["error"]["param"])


WRONG_ON_CHAT = [
    ({"n": True}, "n"),
    ({"logit_bias": []}, "logit_bias"),
    ({"logit_bias": ""}, "logit_bias"),
    ({"logit_bias": {"²": 5}}, "logit_bias"),
    ({"logit_bias": {"٣": -5}}, "logit_bias"),
    ({"stream_options": []}, "stream_options"),
    ({"stream_options": 0}, "stream_options"),
    ({"stream": True, "stream_options": {"include_usage": 1}}, "stream_options.include_usage"),
    ({"metadata": []}, "metadata"),
    ({"metadata": ""}, "metadata"),
    ({"store": 0}, "store"),
    ({"max_tokens": True, "max_completion_tokens": 1}, "max_tokens"),
    (
        {"response_format": {"type": "json_schema", "json_schema": {"name": "a", "strict": 0}}},
        "response_format.json_schema.strict",
    ),
    ({"seed": 2**63}, "seed"),
    ({"messages": [{"role": "user", "content": [{"type": "text", "text": 5}]}]},
     "messages[0].content[0].text"),
    ({"tools": [WEATHER], "tool_choice": "none", "function_call": "auto"}, "function_call"),
    ({"functions": FUNCTIONS, "tool_choice": "none", "function_call": "auto"}, "function_call"),
    ({"tools": [WEATHER], "function_call": "auto"}, "function_call"),
    ({"functions": FUNCTIONS, "parallel_tool_calls": True}, "parallel_tool_calls"),
    ({"stream": True, "stream_options": {"include_obfuscation": True}},
     "stream_options.include_obfuscation"),
]  # fmt: skip


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("fields", "param"), WRONG_ON_CHAT)
def test_chat_refuses_a_wrong_type_naming_the_field(
    api: httpx.Client, upstream: Upstream, fields: dict[str, Any], param: str
) -> None:
    assert refused(api, "/chat/completions", {"messages": HI, **fields}) == param
    assert upstream.requests == []  # never sent


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("fields", "param"),
    [
        ({"n": True}, "n"),
        ({"best_of": True}, "best_of"),
        ({"echo": 0}, "echo"),
        ({"logit_bias": []}, "logit_bias"),
        ({"stream_options": []}, "stream_options"),
        ({"seed": 2**63}, "seed"),
    ],
)
def test_completions_refuse_a_wrong_type_naming_the_field(
    api: httpx.Client, upstream: Upstream, fields: dict[str, Any], param: str
) -> None:
    assert refused(api, "/completions", {"prompt": "hi", **fields}) == param
    assert upstream.requests == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("fields", "param"),
    [
        ({"background": 0}, "background"),
        ({"top_logprobs": False}, "top_logprobs"),
        ({"text": {"format": []}}, "text.format"),
        ({"text": {"format": ""}}, "text.format"),
        ({"input": [{"role": "user", "content": [{"type": "input_text", "text": 5}]}]},
         "input[0].content[0].text"),
        ({"input": [{"role": "assistant", "content": [{"type": "output_text", "text": 5}]}]},
         "input[0].content[0].text"),
        ({"stream": True, "stream_options": {"include_obfuscation": 0}},
         "stream_options.include_obfuscation"),
    ],
)  # fmt: skip
def test_responses_refuse_a_wrong_type_naming_the_field(
    api: httpx.Client, upstream: Upstream, fields: dict[str, Any], param: str
) -> None:
    body = {"input": "hi", "store": False, **fields}
    assert refused(api, "/responses", body) == param
    assert upstream.requests == []


@pytest.mark.django_db(transaction=True)
def test_include_obfuscation_false_is_accepted_on_chat_as_on_responses(
    api: httpx.Client, upstream: Upstream
) -> None:
    """Atrium never pads the deltas: there is nothing for `include_obfuscation: false` to turn
    off, on either endpoint."""
    options = {"include_usage": True, "include_obfuscation": False}
    chat = api.post("/chat/completions", json={
        "model": MODEL, "messages": HI, "stream": True, "stream_options": options})  # fmt: skip
    assert chat.status_code == 200, chat.text
    assert '"usage":{' in chat.text  # include_usage still honoured
    responses = api.post("/responses", json={
        "model": MODEL, "input": "hi", "stream": True, "store": False,
        "stream_options": {"include_obfuscation": False}})  # fmt: skip
    assert responses.status_code == 200, responses.text


@pytest.mark.django_db(transaction=True)
def test_the_widest_portable_seed_and_ascii_token_ids_travel(
    api: httpx.Client, upstream: Upstream
) -> None:
    answer = api.post(
        "/chat/completions",
        json={"model": MODEL, "messages": HI, "seed": 2**32 - 2, "logit_bias": {"50256": -100}},
    )
    assert answer.status_code == 200, answer.text
    sent = upstream.requests[-1]["body"]
    assert (sent["seed"], sent["logit_bias"]) == (2**32 - 2, {"50256": -100})


@pytest.mark.django_db(transaction=True)
def test_legacy_functions_send_no_parallel_setting_the_client_did_not_give(
    api: httpx.Client, upstream: Upstream
) -> None:
    answer = api.post("/chat/completions", json={
        "model": MODEL, "messages": BOTH, "functions": FUNCTIONS})  # fmt: skip
    assert answer.status_code == 200, answer.text
    assert "parallel_tool_calls" not in upstream.requests[-1]["body"]
    assert answer.json()["choices"][0]["message"]["function_call"]["name"] == "get_weather"


@pytest.mark.django_db(transaction=True)
def test_legacy_functions_with_parallel_calls_are_refused_before_admission(
    api: httpx.Client, upstream: Upstream
) -> None:
    """A legacy `function_call` answer holds one call: a second would be dropped, or streamed
    into the first's arguments."""
    for stream in (False, True):
        param = refused(api, "/chat/completions", {
            "messages": BOTH, "functions": FUNCTIONS, "parallel_tool_calls": True,
            "stream": stream})  # fmt: skip
        assert param == "parallel_tool_calls"
    assert upstream.requests == []


@pytest.mark.django_db(transaction=True)
def test_legacy_functions_are_served_by_nova(
    aws_client: openai.OpenAI,  # noqa: F811
    aws: AwsLoopback,  # noqa: F811
) -> None:
    """Nova cannot be held to one tool call per answer: asked with `functions` (no
    parallel_tool_calls), it is called as with `tools`, with nothing the client did not ask."""
    tenant = Tenant.objects.get(slug=slug_of(aws_client))
    grant_model(model_name=NOVA, tenants=[tenant], actor="test")
    answer = aws_client.chat.completions.create(
        model=NOVA, messages=[{"role": "user", "content": "weather in Paris?"}],
        functions=FUNCTIONS,  # type: ignore[arg-type]
    )  # fmt: skip
    assert answer.choices[0].finish_reason in ("function_call", "stop")
    assert answer.choices[0].message.tool_calls is None
    sent = json.loads(aws.calls[-1]["body"])
    assert "additionalModelRequestFields" not in sent
    (event,) = events_of(slug_of(aws_client), 1)
    assert event.status == "ok"


@pytest.mark.django_db(transaction=True)
def test_legacy_functions_refused_parallel_false_names_what_the_client_sent(
    aws_client: openai.OpenAI,  # noqa: F811
    aws: AwsLoopback,  # noqa: F811
) -> None:
    tenant = Tenant.objects.get(slug=slug_of(aws_client))
    grant_model(model_name=NOVA, tenants=[tenant], actor="test")
    with pytest.raises(openai.BadRequestError) as raised:
        aws_client.chat.completions.create(
            model=NOVA, messages=[{"role": "user", "content": "weather in Paris?"}],
            functions=FUNCTIONS, parallel_tool_calls=False,  # type: ignore[arg-type]
        )  # fmt: skip
    assert raised.value.body["param"] == "parallel_tool_calls"  # type: ignore[index]


def _entry() -> FoundationModel:
    provider = Provider(name="p", kind="openai_compatible", endpoint_url="http://x")
    return FoundationModel(
        name="m", provider=provider, provider_model_id="m", display_name="m", modality="chat",
        max_output_tokens=1024, supports_tools=True, supports_parallel_tool_calls=True,
        optional_parameters=list(OPTIONAL_PARAMETERS),
    )  # fmt: skip


def _local_entry() -> FoundationModel:
    provider = Provider(name="l", kind="local")
    return FoundationModel(name="l", provider=provider, provider_model_id="l", modality="chat")


@pytest.mark.parametrize("seed", [0, 7, 2**32 - 2])
def test_a_seed_within_uint32_is_kept_for_the_local_model(seed: int) -> None:
    assert optional_parameters({"seed": seed}, _local_entry()) == {"seed": seed}


@pytest.mark.parametrize("seed", [-1, -(2**63), 2**32 - 1, 2**32 + 5, True, 1.5, "5"])
def test_a_seed_the_local_model_cannot_repeat_is_refused(seed: object) -> None:
    # llama.cpp's seed is 32 bits: -1 is "random", 2**32 + 5 samples as 5 does.
    with pytest.raises(BadParameter) as raised:
        optional_parameters({"seed": seed}, _local_entry())
    assert raised.value.param == "seed"


@pytest.mark.parametrize("seed", [-1, 2**32 + 5, -(2**63), 2**63 - 1])
def test_any_64_bit_seed_is_kept_for_other_providers(seed: int) -> None:
    assert optional_parameters({"seed": seed}, _entry()) == {"seed": seed}


def test_a_named_legacy_function_call_holds_the_model_to_one_call() -> None:
    body = {"model": "m", "messages": HI, "functions": FUNCTIONS,
            "function_call": {"name": "get_time"}}  # fmt: skip
    request = chat_request(body, _entry()).request
    assert request.parallel_tool_calls is False
    assert request.tool_choice is not None and request.tool_choice.name == "get_time"
    auto = chat_request({**body, "function_call": "auto"}, _entry()).request
    assert auto.parallel_tool_calls is None
