"""One interface for every provider: chat (whole or streamed) and embeddings."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol

from providers.types import ChatChunk, ChatRequest, ChatResult, EmbeddingResult


class ChatProvider(Protocol):
    async def chat(self, request: ChatRequest) -> ChatResult: ...

    def stream_chat(self, request: ChatRequest) -> AsyncIterator[ChatChunk]:
        """Chunks as they are generated. Closing the iterator early stops the upstream call."""
        ...


class EmbeddingProvider(Protocol):
    async def embed(self, texts: list[str]) -> EmbeddingResult: ...
