"""Any OpenAI-compatible server (vLLM, Ollama, llama.cpp, ...), over pooled HTTP connections.

The upstream client is aiohttp: per call it costs about a third of httpx's CPU (httpcore scans
its pool and checks every pooled connection's expiry on each request), and this call is the
gateway's hot path (docs/performance.md)."""

from __future__ import annotations

import asyncio
import os
import urllib.request
from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import orjson

from providers.errors import (
    ProviderNotConfigured,
    UpstreamError,
    UpstreamThrottled,
    UpstreamTimeout,
    provider_refusal,
)
from providers.openai_wire import (
    DONE,
    answer_json,
    chat_body,
    chunk_from_sse,
    result_from,
    usage_from,
    vectors_from,
)
from providers.types import ChatChunk, ChatRequest, ChatResult, EmbeddingResult

# No overall limit (a long answer streams for minutes); connecting, and each read, are bounded.
TIMEOUT = aiohttp.ClientTimeout(total=None, connect=5.0, sock_connect=5.0, sock_read=120.0)
POOL_SIZE = 200
# One SSE line may carry a whole tool call's arguments: allow lines far past aiohttp's 64 KiB.
READ_BUFFER_BYTES = 8 * 1024 * 1024
JSON = {"Content-Type": "application/json"}


@dataclass(frozen=True)
class _LoopSession:
    loop: asyncio.AbstractEventLoop
    session: aiohttp.ClientSession
    closer: AsyncGenerator[None, None]


async def _close_at_loop_shutdown(session: aiohttp.ClientSession) -> AsyncGenerator[None, None]:
    """Started once and left suspended: a loop's shutdown (asyncio.run's end, asgiref's
    async_to_sync in a worker) closes the async generators it started, and this one closes the
    session then, while the loop still runs, instead of leaving it to the garbage collector."""
    try:
        yield
    finally:
        await session.close()


class OpenAICompatibleProvider:
    def __init__(self, *, base_url: str, model_id: str, api_key_env: str = "") -> None:
        self.base_url = base_url.rstrip("/")
        self.model_id = model_id
        self.api_key_env = api_key_env
        self._sessions: dict[int, _LoopSession] = {}
        self._proxy = _proxy_for(self.base_url)

    async def _session(self) -> aiohttp.ClientSession:
        """One pooled session per event loop (a session is bound to the loop it was made on),
        closed when its loop shuts down."""
        loop = asyncio.get_running_loop()
        known = self._sessions.get(id(loop))
        if known is not None and known.loop is loop and not known.session.closed:
            return known.session
        self._forget_dead_loops()
        headers = dict(JSON)
        if self.api_key_env:
            key = os.environ.get(f"{self.api_key_env}_API_KEY")
            if not key:  # sent without it, the server's 401 would read like a passing fault
                raise ProviderNotConfigured(
                    f"The provider's credentials are not configured: set "
                    f"{self.api_key_env}_API_KEY in the environment."
                )
            headers["Authorization"] = f"Bearer {key}"
        session = aiohttp.ClientSession(
            headers=headers,
            timeout=TIMEOUT,
            connector=aiohttp.TCPConnector(limit=POOL_SIZE, ttl_dns_cache=300),
            read_bufsize=READ_BUFFER_BYTES,
            # The proxy is chosen once (_proxy_for): aiohttp's trust_env reads ~/.netrc and the
            # environment again on every request.
            trust_env=False,
        )
        closer = _close_at_loop_shutdown(session)
        await anext(closer)
        self._sessions[id(loop)] = _LoopSession(loop, session, closer)
        return session

    def _forget_dead_loops(self) -> None:
        """Sessions of loops that have closed (a worker's asyncio.run per task) are dropped."""
        for loop_id, known in list(self._sessions.items()):
            if known.loop.is_closed():
                del self._sessions[loop_id]

    def _url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    async def _post_json(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        try:
            async with (await self._session()).post(
                self._url(path), data=orjson.dumps(body), proxy=self._proxy
            ) as response:
                raw = await response.read()
                _raise_for_status(response.status, response.headers, raw)
        except (TimeoutError, aiohttp.ServerTimeoutError) as error:
            raise UpstreamTimeout(f"{self.base_url} did not answer in time.") from error
        except aiohttp.ClientError as error:
            raise UpstreamError(
                f"{self.base_url} could not be reached: {_describe(error)}", retryable=True
            ) from error
        try:
            data = answer_json(raw)
        except ValueError as error:
            raise UpstreamError(
                f"{self.base_url} answered something that is not JSON: {raw[:200]!r}",
                retryable=True,
            ) from error
        if not isinstance(data, dict):
            raise UpstreamError(f"{self.base_url} answered JSON that is not an object.")
        return data

    async def chat(self, request: ChatRequest) -> ChatResult:
        answer = await self._post_json(
            "/chat/completions", chat_body(request, stream=False, model=self.model_id)
        )
        return result_from(answer, self.base_url)

    async def stream_chat(self, request: ChatRequest) -> AsyncIterator[ChatChunk]:
        body = orjson.dumps(chat_body(request, stream=True, model=self.model_id))
        try:
            async with (await self._session()).post(
                self._url("/chat/completions"), data=body, proxy=self._proxy
            ) as response:
                if response.status >= 400:
                    _raise_for_status(response.status, response.headers, await response.read())
                async for line in response.content:
                    chunk = chunk_from_sse(line.decode())
                    if chunk is DONE:
                        break
                    if isinstance(chunk, ChatChunk):
                        yield chunk
        except (TimeoutError, aiohttp.ServerTimeoutError) as error:
            raise UpstreamTimeout(f"{self.base_url} stopped answering mid-stream.") from error
        except aiohttp.ClientError as error:
            raise UpstreamError(
                f"{self.base_url} failed mid-stream: {_describe(error)}", retryable=True
            ) from error

    async def embed(self, texts: list[str], dimensions: int | None = None) -> EmbeddingResult:
        body: dict[str, Any] = {"model": self.model_id, "input": texts}
        if dimensions is not None:
            body["dimensions"] = dimensions
        data = await self._post_json("/embeddings", body)
        return EmbeddingResult(
            vectors=vectors_from(data, len(texts), self.base_url),
            prompt_tokens=usage_from(data.get("usage")).prompt_tokens,
        )


def _proxy_for(url: str) -> str | None:
    """The proxy HTTP(S)_PROXY / NO_PROXY choose for `url` (as httpx honoured them), or None."""
    parts = urlsplit(url)
    if urllib.request.proxy_bypass(parts.hostname or ""):
        return None
    return urllib.request.getproxies_environment().get(parts.scheme)


def _describe(error: aiohttp.ClientError) -> str:
    return str(error) or type(error).__name__


def _raise_for_status(status: int, headers: Any, raw: bytes) -> None:
    if status < 400:
        return
    if status == 429:
        retry_after = headers.get("retry-after", "1")
        raise UpstreamThrottled(
            "The model's server is busy; retry shortly.",
            retry_after=int(retry_after) if retry_after.isdigit() else 1,
        )
    text = raw.decode(errors="replace")
    if status in (400, 422):  # the request, as the server reads it, is wrong: the caller's
        raise provider_refusal(f"The model's server refused the request: {_said(raw, text)}")
    raise UpstreamError(
        f"The model's server answered {status}: {text[:200]}",
        retryable=status >= 500,
    )


def _said(raw: bytes, text: str) -> str:
    """The message of an error body: OpenAI's `error.message`, TGI's `error`, FastAPI's
    `detail` (vLLM's 422), or the body's start."""
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return text[:300]
    if isinstance(body, dict):
        error = body.get("error")
        said = error.get("message") if isinstance(error, dict) else error or body.get("detail")
        if said:
            return (said if isinstance(said, str) else orjson.dumps(said).decode())[:300]
    return text[:300]
