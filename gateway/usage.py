"""Handing each call's usage to metering: stream or not, answered, failed or abandoned. When a
provider reports no usage (or a stream broke off first), the tokens are counted, never zero."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import redis

from budgets.reservations import BudgetHold
from gateway import metrics
from gateway.rate_limits import Reservation
from identity.principals import Principal
from kernel.errors import DomainError
from kernel.pool_threads import start_in_pool
from kernel.redis_client import shared_redis
from kernel.redis_keys import tenant_key
from metering.services import Invocation, price_for, refused_event, usage_event
from metering.usage_checks import checked_usage
from metering.usage_queue import enqueue, record_now
from models_catalog.models import FoundationModel, ModelPrice
from providers.local import LOCAL_EMBEDDINGS
from providers.types import ChatRequest, ChatResult, EmbeddingResult, Usage
from tenants.models import Tenant

logger = logging.getLogger("atrium.gateway")


def usage_of_event(event: dict[str, Any]) -> Usage:
    """The usage a settled call's event records: what a stream reports as its last chunk, the
    prompt-cache tokens included."""
    return Usage(
        prompt_tokens=event["input_tokens"],
        completion_tokens=event["output_tokens"],
        cached_tokens=event.get("cached_input_tokens", 0),
        cache_write_tokens=event.get("cache_write_tokens", 0),
    )


def count_usage(request: ChatRequest, completion: str) -> Usage:
    prompt = request.prompt_texts()
    return Usage(
        prompt_tokens=LOCAL_EMBEDDINGS.count_tokens(prompt),
        completion_tokens=LOCAL_EMBEDDINGS.count_tokens([completion]) if completion else 0,
        counted=True,
    )


def known_usage(reported: Usage | None, request: ChatRequest, answered: str) -> Usage:
    """The provider's usage, or, where it reported none, the tokens counted here: no prompt is
    zero tokens, so a zero is a usage block left out or zeroed (some OpenAI-compatible servers
    do either, streamed or not), and the call is billed by count, never at $0. A completion
    count the provider did report (reasoning included) is kept."""
    if reported is not None and reported.prompt_tokens:
        return reported
    counted = count_usage(request, answered)
    if reported is not None and reported.completion_tokens > 0:
        return replace(reported, prompt_tokens=counted.prompt_tokens, counted=True)
    return counted


def with_usage_known(result: ChatResult, request: ChatRequest) -> ChatResult:
    """`result` with `known_usage`: what the client is shown and what is billed agree."""
    answered = result.text + "".join(call.name + call.arguments for call in result.tool_calls)
    usage = known_usage(result.usage, request, answered)
    return result if usage is result.usage else replace(result, usage=usage)


def with_embedding_usage_known(result: EmbeddingResult, texts: list[str]) -> EmbeddingResult:
    """`result`, its input tokens counted here if the provider reported none (as above)."""
    if result.prompt_tokens:
        return result
    return replace(result, prompt_tokens=LOCAL_EMBEDDINGS.count_tokens(texts), tokens_counted=True)


def counted_embedding_usage(texts: list[str]) -> Usage:
    """The usage of embedding `texts`, counted here (for an answer that reported none)."""
    return Usage(LOCAL_EMBEDDINGS.count_tokens(texts), 0, counted=True)


@dataclass
class Meter:
    """Started when a call starts; `finish` records it exactly once."""

    invocation: Invocation
    reservation: Reservation
    budget: BudgetHold
    price: ModelPrice | None  # in force when the call started (known from admission)
    estimate: Usage  # admission's worst case: charged instead of a count that cannot be true
    began: float = field(default_factory=time.monotonic)
    done: bool = False
    repriced: bool = False

    @classmethod
    def start(
        cls, *, request_id: str, tenant: Tenant, principal: Principal, model: FoundationModel,
        operation: str, streamed: bool, reservation: Reservation, budget: BudgetHold,
        price: ModelPrice | None, estimate: Usage, requested_model: str = "",
        model_version: int | None = None,
    ) -> Meter:  # fmt: skip
        return cls(
            reservation=reservation,
            budget=budget,
            price=price,
            estimate=estimate,
            invocation=Invocation(
                request_id=request_id,
                tenant_id=tenant.pk,
                tenant_slug=tenant.slug,
                business_unit_id=principal.business_unit_id,
                principal_type=principal.kind,
                principal_id=principal.id,
                principal_name=principal.name,
                model=model,
                operation=operation,
                streamed=streamed,
                started_at=budget.at,
                requested_model=requested_model,
                model_version=model_version,
            ),
        )

    def served_by(self, model: FoundationModel | None) -> None:
        """The call was answered by a fallback: charge what answered, at its price."""
        if model is not None and model.pk != self.invocation.model.pk:
            self.invocation = replace(self.invocation, model=model, model_version=None)
            self.repriced = True  # looked up in `finish`, off the event loop

    def finish(self, *, usage: Usage | None, status: str, error: str = "") -> dict[str, Any] | None:
        """Settle the reservation and queue the usage event, in one Redis round trip. The
        provider's usage is believed only within bounds (`metering.usage_checks`); usage
        counted here says so (`Usage.counted`)."""
        if self.done:
            return None
        self.done = True
        seconds = time.monotonic() - self.began
        call = self.invocation
        checked = checked_usage(
            usage or Usage(0, 0), estimate=self.estimate,
            context_window=call.model.context_window,
            max_output_tokens=call.model.max_output_tokens,
        )  # fmt: skip
        usage = checked.usage
        event = usage_event(
            call=call,
            price=price_for(call.model, call.started_at) if self.repriced else self.price,
            input_tokens=usage.prompt_tokens,
            output_tokens=usage.completion_tokens,
            cached_tokens=usage.cached_tokens,
            cache_write_tokens=usage.cache_write_tokens,
            tokens_counted=usage.counted,
            latency_ms=int(seconds * 1000),
            status=status,
            error=error,
            usage_anomaly=checked.anomaly,
        )
        try:
            with shared_redis().pipeline(transaction=False) as pipe:
                budgets = self.budget.settle(event["cost"], pipe)
                self.reservation.settle(usage.total_tokens, pipe)
                enqueue(pipe, event)
                totals = pipe.execute()[:budgets]
        except redis.RedisError as error:
            # The upstream answered: the call is billed even with Redis gone (its reservations
            # are put right by the budgets' reconciliation).
            logger.warning("usage of %s recorded directly: %s", call.request_id, error)
            record_now(event)
            totals = []
        if totals:
            self.budget.alerts(totals)
        self._report(event, seconds)
        return event

    def _report(self, event: dict[str, Any], seconds: float) -> None:
        """Metrics and the log line, once the call is settled."""
        call = self.invocation
        metrics.observe(
            tenant=call.tenant_slug, model=call.model.name, operation=call.operation,
            status=event["status"], seconds=seconds, input_tokens=event["input_tokens"],
            output_tokens=event["output_tokens"], anomalous=bool(event["usage_anomaly"]),
        )  # fmt: skip
        if event["usage_anomaly"]:
            logger.warning(
                "implausible usage from %s: %s", call.model.name, event["usage_anomaly"],
                extra={"request_id": call.request_id, "tenant": call.tenant_slug},
            )  # fmt: skip
        logger.info(
            "gateway call %s",
            event["status"],
            extra={
                "request_id": call.request_id, "tenant": call.tenant_slug,
                "principal": f"{call.principal_type}:{call.principal_name}",
                "model": call.model.name, "operation": call.operation,
                "status": event["status"], "streamed": call.streamed,
                "input_tokens": event["input_tokens"], "output_tokens": event["output_tokens"],
                "latency_ms": event["latency_ms"], "error": event["error"],
            },
        )  # fmt: skip

    def finish_in_background(
        self, *, request: ChatRequest, usage: Usage | None, text: str, status: str,
        charged: bool = True,
    ) -> None:  # fmt: skip
        """From a stream's end: in a worker thread, so that it completes even if the stream's
        task was cancelled because the client went away. Charged with the provider's usage, or
        the tokens counted; uncharged where no provider had the request."""

        def run() -> None:
            final = known_usage(usage, request, text) if charged else None
            self.finish(usage=final, status=status)

        start_in_pool(run)


# Refused calls recorded per principal and minute: a client hammering a limit (one refusal
# after another) queues this many events a minute, not one per refusal; the rest are counted
# in the metrics only (`atrium_gateway_calls_total{status="refused"}`).
REFUSALS_RECORDED_PER_MINUTE = 60


def record_refusal(
    *, request_id: str, tenant: Tenant, principal: Principal, model: FoundationModel,
    requested_model: str, operation: str, streamed: bool, error: DomainError, at: datetime,
) -> dict[str, Any] | None:  # fmt: skip
    """Queue the usage event of a call refused at admission (failed, uncharged, never against
    a budget), within REFUSALS_RECORDED_PER_MINUTE for its principal; the event, or None."""
    call = Invocation(
        request_id=request_id, tenant_id=tenant.pk, tenant_slug=tenant.slug,
        business_unit_id=principal.business_unit_id, principal_type=principal.kind,
        principal_id=principal.id, principal_name=principal.name, model=model,
        operation=operation, streamed=streamed, started_at=at, requested_model=requested_model,
    )  # fmt: skip
    event = refused_event(call=call, code=error.code, message=error.message)
    metrics.observe(
        tenant=tenant.slug, model=model.name, operation=operation, status="refused",
        seconds=0.0, input_tokens=0, output_tokens=0,
    )  # fmt: skip
    this_minute = int(at.timestamp()) // 60
    minute = tenant_key(tenant.pk, "refusals", principal.kind, principal.id, this_minute)
    try:
        with shared_redis().pipeline(transaction=False) as pipe:
            pipe.incr(minute)
            pipe.expire(minute, 120)
            if pipe.execute()[0] > REFUSALS_RECORDED_PER_MINUTE:
                return None
            enqueue(pipe, event)
            pipe.execute()
    except redis.RedisError as failure:  # a refusal's record is not worth a 500
        logger.warning("refusal %s not recorded: %s", request_id, failure)
        return None
    return event
