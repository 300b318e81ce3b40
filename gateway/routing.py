"""Retries with backoff, then the model's fallback chain (another region, another model).

A stream can switch route only before its first piece reached the caller; after that a failure
travels to the caller as it is."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any, NoReturn, TypeVar

from django.conf import settings
from django.utils import timezone

from gateway.context_window import past_context_window
from kernel.errors import DomainError
from kernel.hot_cache import cached
from models_catalog.models import FoundationModel, Lifecycle, Modality
from models_catalog.selectors import ResolvedModel
from providers.errors import PastContextWindow, UpstreamError
from providers.selection import provider_for
from providers.types import ChatChunk, ChatRequest, ChatResult, EmbeddingResult

logger = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class Route:
    entry: FoundationModel
    provider: Any


def _fallbacks_of(entry: FoundationModel) -> list[FoundationModel]:
    """The catalogue entries `entry` falls back on that exist and do the same job, in order."""
    names = entry.fallbacks or []
    found = {m.name: m for m in FoundationModel.objects.select_related("provider").filter(
        name__in=names, modality=entry.modality)}  # fmt: skip
    return [found[name] for name in names if name in found]


def routes_for(resolved: ResolvedModel) -> list[Route]:
    """The model itself, then its fallbacks that are not retired (from the hot-path cache: a
    warm call makes no query, fallbacks or not)."""
    routes = [Route(resolved.entry, provider_for(resolved.entry, resolved.version))]
    if resolved.entry.fallbacks:
        now = timezone.now()
        entry = resolved.entry
        for model in cached(("fallbacks", entry.pk), lambda: _fallbacks_of(entry)):
            if model.lifecycle(now) != Lifecycle.RETIRED:
                routes.append(Route(model, provider_for(model)))
    return routes


def _retryable(error: DomainError) -> bool:
    return bool(getattr(error, "retryable", False))


def _give_up(error: DomainError, route: Route, served: Served) -> NoReturn:
    """Raise a failure no other attempt may mend, as the caller sees it; `route` gave it (a
    refused or unusable answer is metered as that route's). A chat prompt the provider found
    past the context window is refused as the gateway refuses one it finds so itself."""
    served.route = route
    if isinstance(error, PastContextWindow) and route.entry.modality == Modality.CHAT:
        found = f"the provider found the prompt too long ({error.message})"
        raise past_context_window(route.entry, found) from error
    raise error


async def _backoff(attempt: int, error: DomainError) -> None:
    delay = settings.GATEWAY_BACKOFF_SECONDS * (2**attempt) * (0.5 + random.random())  # noqa: S311
    hinted = getattr(error, "retry_after", None)
    if hinted:
        delay = max(delay, min(float(hinted), 2.0))
    await asyncio.sleep(min(delay, 4.0))


async def _attempts(routes: list[Route]) -> AsyncIterator[tuple[Route, int]]:
    for route in routes:
        for attempt in range(settings.GATEWAY_RETRIES + 1):
            yield route, attempt


class Served:
    """Which route answered (for metering and the response headers), and whether a provider
    has the request now (`asking`: sent, and neither answered nor failed): a stream whose client
    leaves while none has (between attempts, in a backoff) left its prompt with no provider."""

    route: Route | None = None
    asking: bool = False


async def first_success(
    routes: list[Route], call: Callable[[Route], Awaitable[T]], served: Served
) -> T:
    last: DomainError | None = None
    async for route, attempt in _attempts(routes):
        if last is not None and attempt > 0:
            await _backoff(attempt - 1, last)
        try:
            result = await call(route)
        except DomainError as error:
            if not _retryable(error):
                _give_up(error, route, served)
            logger.warning("%s failed (%s); trying again or the next route", route.entry, error)
            last = error
            continue
        served.route = route
        return result
    raise last or UpstreamError("No provider could serve the call.")


async def chat(routes: list[Route], request: ChatRequest, served: Served) -> ChatResult:
    return await first_success(routes, lambda route: route.provider.chat(request), served)


async def embed(
    routes: list[Route], texts: list[str], served: Served, dimensions: int | None = None
) -> EmbeddingResult:
    return await first_success(
        routes, lambda route: route.provider.embed(texts, dimensions), served
    )


async def stream_chat(
    routes: list[Route], request: ChatRequest, served: Served
) -> AsyncGenerator[ChatChunk, None]:
    last: DomainError | None = None
    async for route, attempt in _attempts(routes):
        if last is not None and attempt > 0:
            await _backoff(attempt - 1, last)
        pieces = route.provider.stream_chat(request)
        served.asking = True
        try:
            first = await anext(pieces)
        except StopAsyncIteration:
            served.route = route
            return
        except DomainError as error:
            served.asking = False
            await pieces.aclose()
            if not _retryable(error):
                _give_up(error, route, served)
            last = error
            continue
        served.route = route
        try:
            yield first
            async for piece in pieces:
                yield piece
        finally:
            await pieces.aclose()
        return
    raise last or UpstreamError("No provider could serve the call.")
