"""One interface for every provider: chat (whole or streamed) and embeddings."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol

from kernel.errors import InvalidInput
from providers.types import ChatChunk, ChatRequest, ChatResult, EmbeddingResult


class ChatProvider(Protocol):
    async def chat(self, request: ChatRequest) -> ChatResult: ...

    def stream_chat(self, request: ChatRequest) -> AsyncIterator[ChatChunk]:
        """Chunks as they are generated. Closing the iterator early stops the upstream call."""
        ...


class EmbeddingProvider(Protocol):
    async def embed(self, texts: list[str], dimensions: int | None = None) -> EmbeddingResult: ...


def refuse_untranslated(
    request: ChatRequest, what: str, *, tools: bool = False, response_format: bool = False,
    images: bool = False, options: frozenset[str] = frozenset(),
) -> None:  # fmt: skip
    """The last line of the contract: a provider given something its translation does not carry
    refuses it (400, naming the field) rather than call the model without it. The catalogue's
    capabilities normally stop such a request earlier; this holds when they claim too much."""
    uses_tools = bool(request.tools) or any(
        m.tool_calls or m.tool_call_id for m in request.messages
    )
    if uses_tools and not tools:
        raise InvalidInput(f"tools: {what} is not given tools by Atrium.", param="tools")
    if request.response_format is not None and not response_format:
        raise InvalidInput(
            f"response_format: {what} is not given structured output by Atrium.",
            param="response_format",
        )
    if request.image_count and not images:
        raise InvalidInput(f"messages: {what} is not given images by Atrium.", param="messages")
    for option in request.options:
        if option not in options:
            raise InvalidInput(f"{option}: {what} does not take {option}.", param=option)
    if request.extra:
        name = next(iter(request.extra))
        raise InvalidInput(f"{name}: {what} takes no extra parameters.", param=name)
