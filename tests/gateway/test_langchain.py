"""LangChain's OpenAI integration works unchanged with its base URL pointed at Atrium: chat,
streamed chat with usage, embeddings, and errors raised as the `openai` SDK's own."""

from __future__ import annotations

import math

import openai
import pytest
from langchain_core.messages import AIMessageChunk, HumanMessage, SystemMessage
from langchain_openai import ChatOpenAI, OpenAIEmbeddings

from metering.models import UsageEvent
from metering.usage_queue import record_queued_usage
from tests.gateway.conftest import LOCAL_CHAT, LOCAL_EMBEDDINGS

pytestmark = pytest.mark.django_db(transaction=True)


def chat_model(acme_client, **options) -> ChatOpenAI:  # type: ignore[no-untyped-def]
    return ChatOpenAI(
        base_url=str(acme_client.base_url), api_key=acme_client.token, max_retries=0,
        temperature=0, **options,
    )  # fmt: skip


def test_chat_and_streamed_chat_with_usage(acme_client) -> None:
    model = chat_model(acme_client, model=LOCAL_CHAT, max_tokens=8)
    answer = model.invoke([SystemMessage("Answer briefly."),
                           HumanMessage("What is the capital of France?")])  # fmt: skip
    assert "Paris" in answer.content
    assert answer.usage_metadata["input_tokens"] > 0 and answer.usage_metadata["output_tokens"] > 0
    assert answer.response_metadata["model_name"] == LOCAL_CHAT

    streaming = chat_model(acme_client, model=LOCAL_CHAT, max_tokens=12, stream_usage=True)
    pieces = list(streaming.stream("Write one sentence about lighthouses."))
    assert all(isinstance(piece, AIMessageChunk) for piece in pieces)
    assert len([piece for piece in pieces if piece.content]) >= 3  # token by token
    whole = pieces[0]
    for piece in pieces[1:]:
        whole += piece
    # The pieces make one answer on the subject (its exact words vary with llama.cpp's prompt
    # cache: a prefix computed in another batch shape can tip a near-tie of the small model).
    assert "lighthouse" in whole.content.lower() and "  " not in whole.content
    assert whole.usage_metadata["output_tokens"] == 12  # greedy: runs to max_tokens

    record_queued_usage()  # both calls were metered like any other
    events = UsageEvent.objects.unscoped().filter(tenant_id=acme_client.tenant.pk)
    assert sorted(events.values_list("streamed", flat=True)) == [False, True]


def test_embeddings(acme_client) -> None:
    embeddings = OpenAIEmbeddings(
        base_url=str(acme_client.base_url), api_key=acme_client.token, model=LOCAL_EMBEDDINGS,
        check_embedding_ctx_length=False,  # LangChain's tiktoken check is for OpenAI's own models
        max_retries=0,
    )  # fmt: skip
    documents = embeddings.embed_documents(["refund policy", "opening hours", "late fees"])
    query = embeddings.embed_query("Can I get my money back?")
    assert [len(vector) for vector in documents] == [384, 384, 384] and len(query) == 384
    assert math.isclose(sum(v * v for v in query), 1.0, rel_tol=1e-3)

    def cosine(vector: list[float]) -> float:
        return sum(a * b for a, b in zip(vector, query, strict=True))

    assert max(documents, key=cosine) is documents[0]  # money back: the refund policy


def test_refusals_reach_langchain_as_the_sdks_errors(acme_client) -> None:
    with pytest.raises(openai.NotFoundError, match="does not exist"):
        chat_model(acme_client, model="no-such-model").invoke("Hi")
    with pytest.raises(openai.AuthenticationError):
        ChatOpenAI(base_url=str(acme_client.base_url), api_key="not-a-token", model=LOCAL_CHAT,
                   max_retries=0).invoke("Hi")  # fmt: skip
