"""Any OpenAI-compatible server (vLLM, Ollama, llama.cpp, ...), over pooled HTTP connections."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from typing import Any

import httpx

from providers.errors import UpstreamError, UpstreamThrottled, UpstreamTimeout
from providers.openai_wire import DONE, chat_body, chunk_from_sse, result_from, usage_from
from providers.types import ChatChunk, ChatRequest, ChatResult, EmbeddingResult

TIMEOUT = httpx.Timeout(connect=5.0, read=120.0, write=30.0, pool=10.0)


class OpenAICompatibleProvider:
    def __init__(self, *, base_url: str, model_id: str, api_key_env: str = "") -> None:
        self.base_url = base_url.rstrip("/")
        self.model_id = model_id
        self.api_key_env = api_key_env
        self._clients: dict[int, httpx.AsyncClient] = {}

    def _client(self) -> httpx.AsyncClient:
        """One pooled client per event loop (an AsyncClient is bound to the loop it runs on)."""
        import asyncio

        loop_id = id(asyncio.get_running_loop())
        client = self._clients.get(loop_id)
        if client is None:
            headers = {}
            key = os.environ.get(f"{self.api_key_env}_API_KEY") if self.api_key_env else None
            if key:
                headers["Authorization"] = f"Bearer {key}"
            client = httpx.AsyncClient(
                base_url=self.base_url,
                headers=headers,
                timeout=TIMEOUT,
                limits=httpx.Limits(max_connections=200, max_keepalive_connections=50),
            )
            self._clients[loop_id] = client
        return client

    def _body(self, request: ChatRequest, stream: bool) -> dict[str, Any]:
        return chat_body(request, stream=stream, model=self.model_id)

    async def chat(self, request: ChatRequest) -> ChatResult:
        try:
            response = await self._client().post(
                "/chat/completions", json=self._body(request, False)
            )
        except httpx.TimeoutException as error:
            raise UpstreamTimeout(f"{self.base_url} did not answer in time.") from error
        except httpx.HTTPError as error:
            raise UpstreamError(
                f"{self.base_url} could not be reached: {error}", retryable=True
            ) from error
        _raise_for_status(response)
        return result_from(response.json())

    async def stream_chat(self, request: ChatRequest) -> AsyncIterator[ChatChunk]:
        try:
            async with self._client().stream(
                "POST", "/chat/completions", json=self._body(request, True)
            ) as response:
                if response.status_code >= 400:
                    await response.aread()
                    _raise_for_status(response)
                async for line in response.aiter_lines():
                    chunk = chunk_from_sse(line)
                    if chunk is DONE:
                        break
                    if isinstance(chunk, ChatChunk):
                        yield chunk
        except httpx.TimeoutException as error:
            raise UpstreamTimeout(f"{self.base_url} stopped answering mid-stream.") from error
        except httpx.HTTPError as error:
            raise UpstreamError(
                f"{self.base_url} failed mid-stream: {error}", retryable=True
            ) from error

    async def embed(self, texts: list[str], dimensions: int | None = None) -> EmbeddingResult:
        body: dict[str, Any] = {"model": self.model_id, "input": texts}
        if dimensions is not None:
            body["dimensions"] = dimensions
        try:
            response = await self._client().post("/embeddings", json=body)
        except httpx.HTTPError as error:
            raise UpstreamError(
                f"{self.base_url} could not be reached: {error}", retryable=True
            ) from error
        _raise_for_status(response)
        data = response.json()
        ordered = sorted(data["data"], key=lambda item: item["index"])
        return EmbeddingResult(
            vectors=[item["embedding"] for item in ordered],
            prompt_tokens=usage_from(data.get("usage")).prompt_tokens,
        )


def _raise_for_status(response: httpx.Response) -> None:
    if response.status_code < 400:
        return
    if response.status_code == 429:
        retry_after = response.headers.get("retry-after", "1")
        raise UpstreamThrottled(
            "The model's server is busy; retry shortly.",
            retry_after=int(retry_after) if retry_after.isdigit() else 1,
        )
    raise UpstreamError(
        f"The model's server answered {response.status_code}: {response.text[:200]}",
        retryable=response.status_code >= 500,
    )
