"""Usage events: priced at the price in force when the call started, handed to the usage queue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings

from kernel.hot_cache import cached
from models_catalog.models import FoundationModel, ModelPrice
from models_catalog.selectors import price_in_force, prices_of

MILLION = Decimal(1_000_000)


@dataclass(frozen=True)
class Invocation:
    request_id: str
    tenant_id: int
    tenant_slug: str
    business_unit_id: int | None
    principal_type: str
    principal_id: int
    principal_name: str
    model: FoundationModel
    operation: str
    streamed: bool
    started_at: datetime
    requested_model: str = ""  # as the call named it
    model_version: int | None = None  # the custom model's version serving `model`


def price_for(model: FoundationModel, at: datetime) -> ModelPrice | None:
    """The model's price in force at `at` (from the hot-path cache)."""
    return price_in_force(cached(("prices", model.pk), lambda: prices_of(model)), at)


def cost_of(
    price: ModelPrice | None, input_tokens: int, output_tokens: int, *,
    cached_tokens: int = 0, cache_write_tokens: int = 0,
) -> Decimal | None:  # fmt: skip
    """What the tokens cost at `price`: `input_tokens` counts all input, of which
    `cached_tokens` were read from the prompt cache and `cache_write_tokens` written to it,
    each at its own price."""
    if price is None:
        return None
    plain = max(0, input_tokens - cached_tokens - cache_write_tokens)
    return (
        Decimal(plain) * price.input_per_million
        + Decimal(cached_tokens) * price.cached_input_rate
        + Decimal(cache_write_tokens) * price.cache_write_rate
        + Decimal(output_tokens) * price.output_per_million
    ) / MILLION


def worst_case_cost(price: ModelPrice | None, input_tokens: int, output_tokens: int) -> Decimal:
    """The most `input_tokens` and `output_tokens` can cost at `price`, whichever kind of input
    token the provider will say they were (a cache write may cost more than plain input)."""
    if price is None:
        return Decimal(0)
    dearest_input = max(price.input_per_million, price.cached_input_rate, price.cache_write_rate)
    return (
        Decimal(input_tokens) * dearest_input + Decimal(output_tokens) * price.output_per_million
    ) / MILLION


def refused_event(*, call: Invocation, code: str, message: str) -> dict[str, Any]:
    """The UsageEvent of a call refused before any provider was asked: failed, no tokens, no
    cost (`error` is the refusal's code and message)."""
    event = usage_event(
        call=call, price=None, input_tokens=0, output_tokens=0, tokens_counted=False,
        latency_ms=0, status="refused", error=f"{code}: {message}",
    )  # fmt: skip
    return {**event, "cost": Decimal(0), "currency": settings.BILLING_CURRENCY}


def usage_event(
    *,
    call: Invocation,
    price: ModelPrice | None,
    input_tokens: int,
    output_tokens: int,
    tokens_counted: bool,
    latency_ms: int,
    status: str,
    error: str = "",
    cached_tokens: int = 0,
    cache_write_tokens: int = 0,
    usage_anomaly: str = "",
) -> dict[str, Any]:
    """The fields of one call's UsageEvent, ready for the usage queue, charged at `price` (the
    model's price in force when the call started, `price_for`)."""
    model = call.model
    cost = cost_of(price, input_tokens, output_tokens, cached_tokens=cached_tokens,
                   cache_write_tokens=cache_write_tokens)  # fmt: skip
    return {
        "request_id": call.request_id,
        "tenant_id": call.tenant_id,
        "tenant_slug": call.tenant_slug,
        "business_unit_id": call.business_unit_id,
        "principal_type": call.principal_type,
        "principal_id": call.principal_id,
        "principal_name": call.principal_name,
        "model_name": model.name,
        "requested_model": call.requested_model,
        "model_version": call.model_version,
        "provider_name": model.provider.name,
        "provider_kind": model.provider.kind,
        "region": model.provider.region,
        "operation": call.operation,
        "streamed": call.streamed,
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "cached_input_tokens": cached_tokens,
        "cache_write_tokens": cache_write_tokens,
        "tokens_counted": tokens_counted,
        "usage_anomaly": usage_anomaly,
        "latency_ms": latency_ms,
        "status": status,
        "error": error[:300],
        "currency": price.currency if price else "",
        "input_price_per_million": price.input_per_million if price else None,
        "output_price_per_million": price.output_per_million if price else None,
        "cached_input_price_per_million": price.cached_input_rate if price else None,
        "cache_write_price_per_million": price.cache_write_rate if price else None,
        "cost": cost,
        "started_at": call.started_at,
    }
