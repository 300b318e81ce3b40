"""Re-ranking: scoring documents by their relevance to a query, best first.

Two providers: Amazon Bedrock's Rerank (`bedrock-agent-runtime`, e.g. Cohere Rerank 3.5 or
Amazon Rerank 1.0: cross-encoders that read the query and a document together), and a local
re-score for offline use. No maintained package ships a cross-encoder with its weights, so the
local one is honestly a *bi-encoder* re-score: the cosine similarity of all-MiniLM-L6-v2
embeddings (the same model as local embeddings), mapped from [-1, 1] to [0, 1]. It reorders
hybrid-search candidates by meaning, but it is not a cross-encoder's judgement."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, Protocol

from botocore.exceptions import BotoCoreError, ClientError

from models_catalog.models import FoundationModel, Provider
from providers.aws import AwsClient, upstream_error
from providers.errors import ProviderUnsupported, UnusableAnswer
from providers.local import LOCAL_EMBEDDINGS, LocalEmbeddingModel
from providers.selection import aws_client

# Bedrock's Rerank takes at most this many sources per call.
BEDROCK_MAX_DOCUMENTS = 1000


@dataclass(frozen=True)
class Ranked:
    index: int  # the document's position in the request
    relevance_score: float


@dataclass(frozen=True)
class RerankResult:
    """The documents best first (at most `top_n`), and what the call cost: `search_units` as
    Bedrock and Cohere bill them (one per query and up to 100 documents), and `tokens` where the
    provider counts them (Bedrock's Rerank reports none: None)."""

    results: list[Ranked]
    search_units: int
    tokens: int | None


class RerankProvider(Protocol):
    async def rerank(self, query: str, documents: list[str], top_n: int) -> RerankResult: ...


def search_units(documents: int) -> int:
    """Bedrock bills a query with up to 100 documents as one search unit."""
    return max(1, -(-documents // 100))


def model_arn(region: str, model_id: str) -> str:
    """Bedrock's Rerank wants a foundation model's ARN; a catalogue id may be one already."""
    if model_id.startswith("arn:"):
        return model_id
    return f"arn:aws:bedrock:{region}::foundation-model/{model_id}"


class BedrockReranker:
    """bedrock-agent-runtime Rerank with inline text sources."""

    def __init__(self, client: AwsClient, model_id: str) -> None:
        self.client, self.model_arn = client, model_arn(client.region, model_id)
        self.what = f"Bedrock rerank model {model_id}"

    def _call(self, query: str, documents: list[str], top_n: int) -> dict[str, Any]:
        return self.client.get().rerank(  # type: ignore[no-any-return]  # boto3 is untyped
            queries=[{"type": "TEXT", "textQuery": {"text": query}}],
            sources=[
                {"type": "INLINE",
                 "inlineDocumentSource": {"type": "TEXT", "textDocument": {"text": text}}}
                for text in documents
            ],
            rerankingConfiguration={
                "type": "BEDROCK_RERANKING_MODEL",
                "bedrockRerankingConfiguration": {
                    "numberOfResults": top_n,
                    "modelConfiguration": {"modelArn": self.model_arn},
                },
            },
        )  # fmt: skip

    async def rerank(self, query: str, documents: list[str], top_n: int) -> RerankResult:
        try:
            answer = await asyncio.to_thread(self._call, query, documents, top_n)
        except (ClientError, BotoCoreError) as error:
            raise upstream_error(error, self.what) from error
        results: list[Ranked] = []
        seen: set[int] = set()
        for item in answer.get("results", []):
            index, score = item.get("index"), item.get("relevanceScore")
            if not isinstance(index, int) or not 0 <= index < len(documents):
                raise self._unusable(f"an unknown document index {index!r}")
            if index in seen:
                raise self._unusable(f"document {index} twice")
            seen.add(index)
            results.append(Ranked(index, float(score or 0.0)))
        results.sort(key=lambda ranked: -ranked.relevance_score)
        return RerankResult(results[:top_n], search_units(len(documents)), None)

    def _unusable(self, fault: str) -> UnusableAnswer:
        """Bedrock ranked (and bills) the documents all the same: billed as a rerank it
        answered (it reports no tokens: the gateway's estimate, `gateway.rerank`)."""
        return UnusableAnswer(f"{self.what} answered a ranking with {fault}.")


class LocalBiEncoderReranker:
    """Re-score by all-MiniLM-L6-v2 cosine similarity (a bi-encoder, see the module's note)."""

    def __init__(self, embeddings: LocalEmbeddingModel) -> None:
        self.embeddings = embeddings

    async def rerank(self, query: str, documents: list[str], top_n: int) -> RerankResult:
        embedded = await self.embeddings.embed([query, *documents])
        question, *vectors = embedded.vectors
        scored = [
            Ranked(index, (1.0 + sum(a * b for a, b in zip(question, vector, strict=True))) / 2)
            for index, vector in enumerate(vectors)
        ]
        scored.sort(key=lambda ranked: -ranked.relevance_score)
        return RerankResult(scored[:top_n], search_units(len(documents)), embedded.prompt_tokens)


LOCAL_RERANKER = LocalBiEncoderReranker(LOCAL_EMBEDDINGS)


def reranker_for(model: FoundationModel) -> RerankProvider:
    """The provider that serves the rerank model `model`."""
    provider = model.provider
    if provider.kind == Provider.Kind.LOCAL:
        return LOCAL_RERANKER
    if provider.kind == Provider.Kind.BEDROCK:
        return BedrockReranker(
            aws_client(provider, "bedrock-agent-runtime"), model.provider_model_id
        )
    raise ProviderUnsupported(
        f"{model.name}: rerank models of {provider.kind} providers are not supported (Bedrock "
        "and local are)."
    )
