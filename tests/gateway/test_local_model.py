"""The local model end to end, through the official `openai` SDK over real HTTP."""

from __future__ import annotations

import math
import re

import httpx
import openai
import pytest

from gateway.rate_limits import estimate_prompt_tokens
from models_catalog.models import FoundationModel
from models_catalog.services.catalog import set_lifecycle
from tests.gateway.conftest import LOCAL_CHAT, LOCAL_EMBEDDINGS

pytestmark = pytest.mark.django_db(transaction=True)


def test_models_lists_only_what_the_tenant_may_use(acme_client) -> None:
    ids = {model.id for model in acme_client.models.list()}
    assert ids == {LOCAL_CHAT, LOCAL_EMBEDDINGS}


def test_chat_completion_answers_with_usage(acme_client) -> None:
    answer = acme_client.chat.completions.create(
        model=LOCAL_CHAT,
        messages=[{"role": "user", "content": "What is the capital of France?"}],
        max_tokens=8,
        temperature=0,
    )
    assert answer.object == "chat.completion"
    assert answer.model == LOCAL_CHAT
    assert "Paris" in answer.choices[0].message.content
    assert answer.usage.prompt_tokens > 0 and answer.usage.completion_tokens > 0
    assert answer.usage.total_tokens == answer.usage.prompt_tokens + answer.usage.completion_tokens


def test_streamed_answer_arrives_in_pieces_with_usage_last(acme_client) -> None:
    stream = acme_client.chat.completions.create(
        model=LOCAL_CHAT,
        messages=[{"role": "user", "content": "Write one sentence about lighthouses."}],
        max_tokens=12,
        temperature=0,  # greedy: this prompt then always runs to max_tokens
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    texts = [c.choices[0].delta.content for c in chunks if c.choices and c.choices[0].delta.content]
    assert len(texts) >= 3  # token by token, not one block
    assert texts[0] == texts[0].lstrip()  # no leading newline, as in the non-streamed answer
    assert chunks[0].choices[0].delta.role == "assistant"
    finish = [
        c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason
    ]
    assert finish and finish[-1] in {"stop", "length"}
    assert chunks[-1].choices == [] and chunks[-1].usage.completion_tokens >= len(texts)


def test_the_base_model_ends_its_answer_instead_of_looping(acme_client) -> None:
    # Greedy, this prompt used to repeat one sentence until max_tokens ran out.
    answer = acme_client.chat.completions.create(
        model=LOCAL_CHAT, messages=[{"role": "user", "content": "Hello, who are you?"}],
        max_tokens=100, temperature=0,
    )  # fmt: skip
    text = answer.choices[0].message.content
    assert answer.choices[0].finish_reason == "stop", text
    sentences = [part.strip() for part in re.split(r"[.!?\n]", text) if part.strip()]
    assert sentences and len(sentences) == len(set(sentences)), text
    assert "Answer:" not in text and "Question:" not in text


PROMPTS_IN_SCRIPTS = [
    "Please summarise our refund policy for a customer in two sentences.",
    "Résumez notre politique de remboursement pour un client, en deux phrases s'il vous plaît.",
    "Bitte fassen Sie unsere Rückerstattungsrichtlinie für einen Kunden zusammen.",
    "请用两句话为客户总结我们的退款政策并说明退货期限。",
    "返品ポリシーを二文で顧客向けに要約してください。",
    "يرجى تلخيص سياسة الاسترداد الخاصة بنا للعميل في جملتين.",
    "Пожалуйста, кратко изложите нашу политику возврата для клиента.",
    "🙂🚀📦 refund? 💳💶🔁",
]


@pytest.mark.parametrize("prompt", PROMPTS_IN_SCRIPTS)
def test_the_reserved_prompt_estimate_covers_what_the_model_counts(acme_client, prompt) -> None:
    answer = acme_client.chat.completions.create(
        model=LOCAL_CHAT, messages=[{"role": "user", "content": prompt}], max_tokens=1,
        temperature=0,
    )  # fmt: skip
    assert 0 < answer.usage.prompt_tokens <= estimate_prompt_tokens([prompt])


def test_embeddings_float_and_base64(acme_client) -> None:
    result = acme_client.embeddings.create(model=LOCAL_EMBEDDINGS, input=["hello", "bonjour"])
    assert len(result.data) == 2
    vector = result.data[0].embedding  # the SDK asked for base64 and decoded it
    assert len(vector) == 384
    assert math.isclose(sum(v * v for v in vector), 1.0, rel_tol=1e-3)
    assert result.usage.prompt_tokens > 0
    floats = acme_client.embeddings.create(
        model=LOCAL_EMBEDDINGS, input="hello", encoding_format="float"
    )
    assert floats.data[0].embedding == pytest.approx(vector, abs=1e-5)


def test_unknown_model_is_404_in_openai_shape(acme_client) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        acme_client.chat.completions.create(
            model="no-such-model", messages=[{"role": "user", "content": "hi"}]
        )
    assert caught.value.body["code"] == "not_found"
    assert "does not exist" in caught.value.body["message"]


def test_model_not_granted_is_403(acme_client) -> None:
    with pytest.raises(openai.PermissionDeniedError, match="may not use"):
        acme_client.chat.completions.create(
            model="anthropic.claude-3-haiku-20240307-v1:0",
            messages=[{"role": "user", "content": "hi"}],
        )


def test_retired_model_is_refused_and_deprecated_one_warns(acme_client) -> None:
    from django.utils import timezone

    model = FoundationModel.objects.get(name=LOCAL_CHAT)
    now = timezone.now()
    set_lifecycle(
        model=model,
        deprecated_at=now,
        end_of_life_at=now + timezone.timedelta(days=9),
        actor="root",
    )
    raw = acme_client.chat.completions.with_raw_response.create(
        model=LOCAL_CHAT, messages=[{"role": "user", "content": "Hi"}], max_tokens=2
    )
    assert raw.headers["Deprecation"].startswith("@")
    assert "GMT" in raw.headers["Sunset"]
    set_lifecycle(
        model=model,
        deprecated_at=now - timezone.timedelta(days=2),
        end_of_life_at=now - timezone.timedelta(days=1),
        actor="root",
    )
    with pytest.raises(openai.APIStatusError) as caught:
        acme_client.chat.completions.create(
            model=LOCAL_CHAT, messages=[{"role": "user", "content": "Hi"}]
        )
    assert caught.value.status_code == 410
    assert "retired" in caught.value.message


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"messages": []}, "messages"),
        ({"messages": [{"role": "robot", "content": "x"}]}, "messages[0].role"),
        ({"messages": [{"role": "user", "content": "x"}], "temperature": 5}, "temperature"),
        ({"messages": [{"role": "user", "content": "x"}], "max_tokens": 99999}, "max_tokens"),
        ({"messages": [{"role": "user", "content": "x"}], "n": 3}, "n"),
        ({"messages": [{"role": "user", "content": "x"}], "stop": ["a"] * 5}, "stop"),
    ],
)
def test_bad_parameters_are_400_naming_the_parameter(acme_client, body, param) -> None:
    response = httpx.post(
        f"{acme_client.base_url}chat/completions",
        json={"model": LOCAL_CHAT, **body},
        headers={"Authorization": f"Bearer {acme_client.token}"},
    )
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith(f"{param}:")


def test_malformed_json_and_wrong_modality_are_400(acme_client) -> None:
    headers = {"Authorization": f"Bearer {acme_client.token}", "Content-Type": "application/json"}
    broken = httpx.post(
        f"{acme_client.base_url}chat/completions", content=b"{nope", headers=headers
    )
    assert broken.status_code == 400
    assert "JSON" in broken.json()["error"]["message"]
    with pytest.raises(openai.BadRequestError, match="embedding model"):
        acme_client.chat.completions.create(
            model=LOCAL_EMBEDDINGS, messages=[{"role": "user", "content": "x"}]
        )


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "streamed"])
def test_a_prompt_past_llama_cpps_context_is_the_context_window_400(acme_client, stream) -> None:
    # Short enough for the gateway's own check (at least 8 characters a token), too long for
    # llama.cpp's window (4,096 tokens a slot): llama.cpp refuses it before reading it.
    long = "The quick brown fox jumps over the lazy dog. " * 600
    with pytest.raises(openai.BadRequestError) as failed:
        answer = acme_client.chat.completions.create(
            model=LOCAL_CHAT, messages=[{"role": "user", "content": long}], max_tokens=8,
            stream=stream,
        )  # fmt: skip
        if stream:
            list(answer)
    assert failed.value.body["param"] == "messages"
    assert "the provider found the prompt too long" in failed.value.body["message"]
