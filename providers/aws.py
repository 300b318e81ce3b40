"""Amazon Bedrock (Converse, ConverseStream, InvokeModel) and SageMaker endpoints, with boto3.

boto3 is blocking: every call runs in a worker thread, and a stream's events are read in one and
handed to the event loop. What Converse's requests and answers look like is `providers.converse`'s
business. Credentials come from the environment only (`<credentials_env>_` +
`ACCESS_KEY_ID`, `SECRET_ACCESS_KEY`, `SESSION_TOKEN`), or the default AWS chain.
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EventStreamError,
    ReadTimeoutError,
)

from kernel.errors import InvalidInput
from providers.base import refuse_untranslated
from providers.converse import ConverseCall, StreamReader, converse_call, result_of
from providers.errors import (
    ProviderNotConfigured,
    UnusableAnswer,
    UpstreamError,
    UpstreamThrottled,
    UpstreamTimeout,
    provider_refusal,
)
from providers.openai_wire import answer_json, chat_body, chunk_from_sse, result_from
from providers.stream_threads import STREAM_RELAYS
from providers.types import ChatChunk, ChatRequest, ChatResult, EmbeddingResult

_END = object()
# Error kinds, lower-cased: a ConverseStream event names them in camelCase
# (`throttlingException`) and carries no HTTP status, so the status is the kind's own
# (Bedrock's and SageMaker's API references).
STATUS_OF_KIND = {
    "throttlingexception": 429,
    "toomanyrequestsexception": 429,
    "servicequotaexceededexception": 429,  # Bedrock answers 400; a quota passes with time
    "modelnotreadyexception": 429,  # the model is being loaded: retry shortly
    "validationexception": 400,
    "validationerror": 400,  # SageMaker's
    "modeltimeoutexception": 408,
    "modelerrorexception": 424,
    "modelstreamerrorexception": 424,
    "internalserverexception": 500,
    "serviceunavailableexception": 503,
    "serviceunavailable": 503,  # SageMaker's
}
# The kinds that refuse the request for what it says (other 400s, such as an expired token,
# are the platform's to fix).
REFUSALS = {"validationexception", "validationerror"}


class AwsClient:
    """One boto3 client per provider (boto3 clients are thread-safe; sessions are not)."""

    def __init__(self, service: str, *, region: str, endpoint_url: str, credentials_env: str):
        self.service, self.region = service, region or "us-east-1"
        self.endpoint_url, self.credentials_env = endpoint_url or None, credentials_env
        self._client: Any = None
        self._lock = threading.Lock()

    def get(self) -> Any:
        with self._lock:
            if self._client is None:
                session = boto3.session.Session(**self._credentials())
                self._client = session.client(
                    self.service,
                    region_name=self.region,
                    endpoint_url=self.endpoint_url,
                    config=Config(
                        # Retries are the gateway's decision (backoff, fallbacks), not boto3's.
                        retries={"total_max_attempts": 1},
                        connect_timeout=5,
                        read_timeout=120,
                        max_pool_connections=64,
                    ),
                )
            return self._client

    def _credentials(self) -> dict[str, str]:
        if not self.credentials_env:
            return {}
        prefix = self.credentials_env
        found = {
            "aws_access_key_id": os.environ.get(f"{prefix}_ACCESS_KEY_ID"),
            "aws_secret_access_key": os.environ.get(f"{prefix}_SECRET_ACCESS_KEY"),
            "aws_session_token": os.environ.get(f"{prefix}_SESSION_TOKEN"),
        }
        if not found["aws_access_key_id"] or not found["aws_secret_access_key"]:
            raise ProviderNotConfigured(
                f"The provider's credentials are not configured: set {prefix}_ACCESS_KEY_ID and "
                f"{prefix}_SECRET_ACCESS_KEY in the environment."
            )
        return {key: value for key, value in found.items() if value}


def upstream_error(error: Exception, what: str) -> Exception:
    """Map a boto3 failure to what the caller should see."""
    if isinstance(error, ClientError | EventStreamError):
        code = error.response.get("Error", {}).get("Code", "")
        message = error.response.get("Error", {}).get("Message", "")
        status = STATUS_OF_KIND.get(code.lower()) or int(
            error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 500
        )
        if status == 429:
            return UpstreamThrottled(
                f"{what} cannot take the request now ({code}); retry shortly.",
                retry_after=2,
            )
        if status == 408:
            return UpstreamTimeout(f"{what} did not finish in time.")
        if code.lower() in REFUSALS:
            return provider_refusal(f"{what} refused the request ({code}): {message}")
        return UpstreamError(f"{what} failed: {code}: {message}".strip(), retryable=status >= 500)
    if isinstance(error, ReadTimeoutError | ConnectTimeoutError):
        return UpstreamTimeout(f"{what} did not answer in time.")
    return UpstreamError(f"{what} failed: {error}", retryable=True)


async def _relay_events(
    events: Iterable[Any], close: Callable[[], None], what: str
) -> AsyncIterator[Any]:
    """Read a blocking event stream in a thread; stop reading (and close it) if we are left."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[Any] = asyncio.Queue()
    leaving = threading.Event()

    def pump() -> None:
        try:
            for event in events:
                loop.call_soon_threadsafe(queue.put_nowait, event)
                if leaving.is_set():
                    break
        except Exception as error:
            loop.call_soon_threadsafe(queue.put_nowait, upstream_error(error, what))
        finally:
            loop.call_soon_threadsafe(queue.put_nowait, _END)

    reader = loop.run_in_executor(STREAM_RELAYS, pump)
    try:
        while (event := await queue.get()) is not _END:
            if isinstance(event, Exception):
                raise event
            yield event
        await reader
    finally:
        leaving.set()
        close()  # closes the HTTP response: the upstream call stops


class BedrockProvider:
    def __init__(self, client: AwsClient, model_id: str) -> None:
        self.client, self.model_id = client, model_id
        self.what = f"Amazon Bedrock ({model_id})"

    def _call(self, request: ChatRequest) -> ConverseCall:
        """Converse's arguments; options and extra fields stay refused (Converse has no seed,
        penalties, logit_bias, logprobs or user for its models in general)."""
        refuse_untranslated(request, self.what, tools=True, response_format=True, images=True)
        return converse_call(self.model_id, request, self.what)

    async def chat(self, request: ChatRequest) -> ChatResult:
        call = self._call(request)
        try:
            answer = await asyncio.to_thread(self.client.get().converse, **call.arguments)
        except (ClientError, BotoCoreError) as error:
            raise upstream_error(error, self.what) from error
        return result_of(answer, call, self.what)

    async def stream_chat(self, request: ChatRequest) -> AsyncIterator[ChatChunk]:
        call = self._call(request)
        try:
            response = await asyncio.to_thread(self.client.get().converse_stream, **call.arguments)
        except (ClientError, BotoCoreError) as error:
            raise upstream_error(error, self.what) from error
        stream = response["stream"]
        reader = StreamReader(call, self.what)
        async for event in _relay_events(stream, stream.close, self.what):
            chunk = reader.read(event)
            if chunk is not None:
                yield chunk
        if (last := reader.end()) is not None:
            yield last

    async def embed(self, texts: list[str], dimensions: int | None = None) -> EmbeddingResult:
        try:
            if self.model_id.startswith("cohere."):
                if dimensions is not None:
                    raise InvalidInput(
                        f"dimensions: {self.what} gives vectors of one size.", param="dimensions"
                    )
                return await asyncio.to_thread(self._embed_cohere, texts)
            return await asyncio.to_thread(self._embed_titan, texts, dimensions)
        except (ClientError, BotoCoreError) as error:
            raise upstream_error(error, self.what) from error

    def _invoke(self, body: dict[str, Any]) -> dict[str, Any]:
        response = self.client.get().invoke_model(
            modelId=self.model_id,
            body=json.dumps(body),
            contentType="application/json",
            accept="application/json",
        )
        return dict(json.loads(response["body"].read()))

    def _embed_titan(self, texts: list[str], dimensions: int | None) -> EmbeddingResult:
        """Titan embeds one text per call and counts its tokens (v2 shortens its vectors to
        `dimensions`)."""
        vectors, tokens = [], 0
        for text in texts:
            body: dict[str, Any] = {"inputText": text}
            if dimensions is not None:
                body["dimensions"] = dimensions
            answer = self._invoke(body)
            vectors.append(answer["embedding"])
            tokens += int(answer.get("inputTextTokenCount", 0))
        return EmbeddingResult(vectors=vectors, prompt_tokens=tokens)

    def _embed_cohere(self, texts: list[str]) -> EmbeddingResult:
        """Cohere embeds up to 96 texts per call but reports no token count: we count them."""
        from providers.local import LOCAL_EMBEDDINGS

        vectors: list[list[float]] = []
        for start in range(0, len(texts), 96):
            batch = texts[start : start + 96]
            answer = self._invoke({"texts": batch, "input_type": "search_document"})
            vectors.extend(self._cohere_vectors(answer, len(batch)))
        return EmbeddingResult(vectors=vectors, prompt_tokens=LOCAL_EMBEDDINGS.count_tokens(texts))

    def _cohere_vectors(self, answer: dict[str, Any], count: int) -> list[list[float]]:
        """Cohere's vectors, as a list (`embeddings_floats`) or by type (`{"float": [...]}`,
        Embed v4's default): one non-empty list of numbers per text, or an UnusableAnswer (the
        texts were embedded, and are charged, all the same: billed by count)."""
        vectors = answer.get("embeddings")
        if isinstance(vectors, dict):
            vectors = vectors.get("float")
        if not (
            isinstance(vectors, list)
            and len(vectors) == count
            and all(
                isinstance(vector, list) and vector and type(vector[0]) in (float, int)
                for vector in vectors
            )
        ):
            raise UnusableAnswer(
                f"{self.what} answered embeddings not in Cohere's shape (one list of numbers "
                f"per text): {json.dumps(answer)[:200]!r}"
            )
        return vectors


class SageMakerProvider:
    """A SageMaker endpoint serving the Messages API (TGI, LMI and vLLM containers): OpenAI's
    chat format in the request body, and its SSE lines in the response stream's payload parts."""

    def __init__(self, client: AwsClient, endpoint_name: str) -> None:
        self.client, self.endpoint_name = client, endpoint_name
        self.what = f"SageMaker endpoint {endpoint_name}"

    def _body(self, request: ChatRequest, stream: bool) -> bytes:
        return json.dumps(chat_body(request, stream=stream)).encode()

    async def chat(self, request: ChatRequest) -> ChatResult:
        try:
            response = await asyncio.to_thread(
                self.client.get().invoke_endpoint,
                EndpointName=self.endpoint_name,
                ContentType="application/json",
                Accept="application/json",
                Body=self._body(request, False),
            )
            raw = await asyncio.to_thread(response["Body"].read)
        except (ClientError, BotoCoreError) as error:
            raise upstream_error(error, self.what) from error
        try:
            answer = answer_json(raw)
        except ValueError:
            # The endpoint answered (its container ran): billed by count, not asked again.
            raise UnusableAnswer(
                f"{self.what} answered something that is not JSON: {raw[:200]!r}"
            ) from None
        return result_from(answer, self.what)

    async def stream_chat(self, request: ChatRequest) -> AsyncIterator[ChatChunk]:
        try:
            response = await asyncio.to_thread(
                self.client.get().invoke_endpoint_with_response_stream,
                EndpointName=self.endpoint_name,
                ContentType="application/json",
                Body=self._body(request, True),
            )
        except (ClientError, BotoCoreError) as error:
            raise upstream_error(error, self.what) from error
        body = response["Body"]
        buffer = b""
        async for event in _relay_events(body, body.close, self.what):
            if "PayloadPart" not in event:
                raise UpstreamError(f"{self.what} failed mid-stream: {event}")
            buffer += event["PayloadPart"]["Bytes"]
            *lines, buffer = buffer.split(b"\n")  # a payload part may end mid-line
            for line in lines:
                chunk = chunk_from_sse(line.decode())
                if isinstance(chunk, ChatChunk):
                    yield chunk
        # A stream may end on a line with no newline after it (often its usage).
        chunk = chunk_from_sse(buffer.decode())
        if isinstance(chunk, ChatChunk):
            yield chunk
