"""Any OpenAI-compatible server (vLLM, Ollama, llama.cpp, ...), over pooled HTTP connections."""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from typing import Any

import httpx

from gateway.errors import UpstreamError, UpstreamThrottled, UpstreamTimeout
from gateway.types import ChatChunk, ChatRequest, ChatResult, EmbeddingResult, Usage

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
        body: dict[str, Any] = {
            "model": self.model_id,
            "messages": [{"role": m.role, "content": m.content} for m in request.messages],
            "max_tokens": request.max_tokens,
            "stream": stream,
        }
        if stream:
            body["stream_options"] = {"include_usage": True}
        if request.temperature is not None:
            body["temperature"] = request.temperature
        if request.top_p is not None:
            body["top_p"] = request.top_p
        if request.stop:
            body["stop"] = list(request.stop)
        return body

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
        data = response.json()
        choice = data["choices"][0]
        return ChatResult(
            text=choice["message"].get("content") or "",
            finish_reason=choice.get("finish_reason") or "stop",
            usage=_usage(data.get("usage") or {}),
        )

    async def stream_chat(self, request: ChatRequest) -> AsyncIterator[ChatChunk]:
        try:
            async with self._client().stream(
                "POST", "/chat/completions", json=self._body(request, True)
            ) as response:
                if response.status_code >= 400:
                    await response.aread()
                    _raise_for_status(response)
                async for line in response.aiter_lines():
                    if not line.startswith("data:"):
                        continue
                    payload = line[5:].strip()
                    if payload == "[DONE]":
                        break
                    chunk = json.loads(payload)
                    usage = chunk.get("usage")
                    choices = chunk.get("choices") or [{}]
                    text = (choices[0].get("delta") or {}).get("content") or ""
                    finish = choices[0].get("finish_reason")
                    if text or finish or usage:
                        yield ChatChunk(text=text, finish_reason=finish,
                                        usage=_usage(usage) if usage else None)  # fmt: skip
        except httpx.TimeoutException as error:
            raise UpstreamTimeout(f"{self.base_url} stopped answering mid-stream.") from error
        except httpx.HTTPError as error:
            raise UpstreamError(
                f"{self.base_url} failed mid-stream: {error}", retryable=True
            ) from error

    async def embed(self, texts: list[str]) -> EmbeddingResult:
        try:
            response = await self._client().post(
                "/embeddings", json={"model": self.model_id, "input": texts}
            )
        except httpx.HTTPError as error:
            raise UpstreamError(
                f"{self.base_url} could not be reached: {error}", retryable=True
            ) from error
        _raise_for_status(response)
        data = response.json()
        ordered = sorted(data["data"], key=lambda item: item["index"])
        return EmbeddingResult(
            vectors=[item["embedding"] for item in ordered],
            prompt_tokens=int((data.get("usage") or {}).get("prompt_tokens", 0)),
        )


def _usage(raw: dict[str, Any]) -> Usage:
    return Usage(
        prompt_tokens=int(raw.get("prompt_tokens", 0)),
        completion_tokens=int(raw.get("completion_tokens", 0)),
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
