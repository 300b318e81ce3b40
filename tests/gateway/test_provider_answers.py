"""Answers from Bedrock the gateway cannot pass on as they are, and Bedrock's slow streams: over
real HTTP, against the loopback Bedrock (`aws_servers`). An answer the provider gave (and
charges for) but the gateway cannot use is a 502, billed, never a 500 nor a free call."""

from __future__ import annotations

import os
import threading
from typing import Any

import httpx
import openai
import pytest

from models_catalog.services.access import grant_model
from tests.gateway.aws_servers import AwsLoopback, event
from tests.gateway.conftest import COHERE, HAIKU
from tests.gateway.recorded import event_of, events_of, slug_of
from tests.gateway.test_rerank import BEDROCK_RERANK, DOCUMENTS, acme, catalogued_rerank_model

pytestmark = pytest.mark.django_db(transaction=True)
__all__ = ["acme"]  # a fixture, used by name
HI: Any = [{"role": "user", "content": "Hi"}]
CITY: Any = {"type": "json_schema", "json_schema": {"name": "city", "schema": {
    "type": "object", "properties": {"name": {"type": "string"}}}}}  # fmt: skip
USAGE = {"inputTokens": 12, "outputTokens": 0, "totalTokens": 12}


@pytest.mark.parametrize(
    "answer",
    [
        {"output": {"message": {"role": "assistant", "content": None}}, "stopReason": "end_turn"},
        {"stopReason": "guardrail_intervened"},
    ],
    ids=["content-null", "no-output"],
)
def test_a_converse_answer_without_content_is_a_billed_502(
    aws_client: openai.OpenAI, aws: AwsLoopback, answer: dict[str, Any]
) -> None:
    aws.converse_answer = {**answer, "usage": USAGE}
    with pytest.raises(openai.APIStatusError) as failed:
        aws_client.chat.completions.create(model=HAIKU, messages=HI)
    assert failed.value.status_code == 502
    (recorded,) = events_of(slug_of(aws_client), 1)
    assert recorded.status == "error" and recorded.input_tokens == 12 and (recorded.cost or 0) > 0


def _rerank(acme: httpx.Client, aws: AwsLoopback, results: list[dict[str, Any]] | None) -> Any:
    aws.rerank_results = results
    return acme.post(
        "/rerank", json={"model": BEDROCK_RERANK, "query": "drill", "documents": DOCUMENTS}
    )


@pytest.mark.parametrize(
    "results",
    [
        [{"index": 1, "relevanceScore": 0.9}, {"index": 1, "relevanceScore": 0.5},
         {"index": 0, "relevanceScore": 0.1}],
        [{"index": 7, "relevanceScore": 0.9}],
    ],
    ids=["duplicated-index", "index-out-of-range"],
)  # fmt: skip
def test_a_ranking_that_is_not_one_of_the_documents_is_a_502_billed_as_a_rerank(
    acme: httpx.Client, aws: AwsLoopback, results: list[dict[str, Any]]
) -> None:
    catalogued_rerank_model("bedrock")
    grant_model(model_name=BEDROCK_RERANK, tenants=[acme.tenant], actor="test")  # type: ignore[attr-defined]
    ranked = _rerank(acme, aws, None)
    assert ranked.status_code == 200, ranked.text
    billed = event_of(ranked.json()["id"])

    answer = _rerank(acme, aws, results)
    assert answer.status_code == 502, answer.text
    _, failed = events_of(acme.tenant.slug, 2)  # type: ignore[attr-defined]
    assert failed.status == "error"
    assert (failed.input_tokens, failed.cost) == (billed.input_tokens, billed.cost)
    assert (failed.cost or 0) > 0


def test_cohere_embeddings_by_type_are_its_float_vectors(
    aws_client: openai.OpenAI, aws: AwsLoopback
) -> None:
    # Embed v4 on Bedrock answers by type by default (response_type embeddings_by_type).
    vectors = [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]]
    aws.cohere_answer = {"response_type": "embeddings_by_type", "embeddings": {"float": vectors}}
    result = aws_client.embeddings.create(model=COHERE, input=["a", "b"], encoding_format="float")
    assert [item.embedding for item in result.data] == vectors


@pytest.mark.parametrize(
    "embeddings",
    [[[0.1, 0.2]], {"int8": [[1, 2], [3, 4]]}, [[0.1], []], [["a"], ["b"]]],
    ids=["fewer-vectors", "no-float-type", "empty-vector", "not-numbers"],
)
def test_cohere_embeddings_not_one_vector_per_text_are_a_billed_502(
    aws_client: openai.OpenAI, aws: AwsLoopback, embeddings: Any
) -> None:
    aws.cohere_answer = {"embeddings": embeddings}
    with pytest.raises(openai.APIStatusError) as failed:
        aws_client.embeddings.create(model=COHERE, input=["a", "b"], encoding_format="float")
    assert failed.value.status_code == 502
    (recorded,) = events_of(slug_of(aws_client), 1)
    assert recorded.status == "error" and recorded.input_tokens > 0 and (recorded.cost or 0) > 0


def test_slow_bedrock_streams_do_not_stall_other_calls(
    aws_client: openai.OpenAI, aws: AwsLoopback
) -> None:
    # More streams than the event loop's default executor has threads, each held open after
    # its first event: the gateway's other calls must not wait for them to end.
    streams = min(32, (os.cpu_count() or 1) + 4) + 2
    aws.streams_released.clear()
    opened = threading.Semaphore(0)
    ended: list[int] = []

    def stream() -> None:
        chunks = iter(aws_client.chat.completions.create(model=HAIKU, messages=HI, stream=True))
        next(chunks)  # relayed: the stream's thread is reading it
        opened.release()
        ended.append(len(list(chunks)))

    threads = [threading.Thread(target=stream) for _ in range(streams)]
    for thread in threads:
        thread.start()
    try:
        for _ in threads:
            assert opened.acquire(timeout=30), "a stream did not open"
        models = httpx.get(
            f"{aws_client.base_url}models",
            headers={"Authorization": f"Bearer {aws_client.api_key}"},
            timeout=30,
        )
        assert models.status_code == 200 and not ended  # answered while every stream is open
    finally:
        aws.streams_released.set()
        for thread in threads:
            thread.join(timeout=30)
    assert len(ended) == streams


def _stream_frames(aws: AwsLoopback, text: str, stop: str) -> None:
    aws.stream_frames = [
        event("messageStart", {"role": "assistant"}),
        event("contentBlockDelta", {"delta": {"text": text}, "contentBlockIndex": 0}),
        event("contentBlockStop", {"contentBlockIndex": 0}),
        event("messageStop", {"stopReason": stop}),
    ]  # no metadata event after it


def test_a_stream_ending_without_metadata_keeps_its_finish_reason(
    aws_client: openai.OpenAI, aws: AwsLoopback
) -> None:
    _stream_frames(aws, "The first half", "max_tokens")
    chunks = list(aws_client.chat.completions.create(model=HAIKU, messages=HI, stream=True))
    finishes = [
        c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason
    ]
    assert finishes == ["length"]


def test_a_malformed_stop_without_metadata_is_an_error(
    aws_client: openai.OpenAI, aws: AwsLoopback
) -> None:
    _stream_frames(aws, "Calling", "malformed_tool_use")
    with pytest.raises(openai.APIError):
        list(aws_client.chat.completions.create(model=HAIKU, messages=HI, stream=True))
    (recorded,) = events_of(slug_of(aws_client), 1)
    assert recorded.status == "error"


def test_structured_output_stopped_without_metadata_keeps_its_text(
    aws_client: openai.OpenAI, aws: AwsLoopback
) -> None:
    sorry = "Sorry, the model cannot answer this question."
    _stream_frames(aws, sorry, "guardrail_intervened")
    chunks = list(aws_client.chat.completions.create(
        model=HAIKU, messages=HI, response_format=CITY, stream=True,
    ))  # fmt: skip
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == sorry
    finishes = [
        c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason
    ]
    assert finishes == ["content_filter"]
