"""One model call, whoever makes it — the OpenAI-compatible API, or the portal's own features
(knowledge-base ingestion and answers, the playground): the model resolved against the tenant's
allowlist, the worst case reserved on budgets and rate limits, the provider called with retries
and fallbacks, and exactly one usage event.

`start_*` are synchronous (caches, Redis; a database read only on a cache miss); `complete` and
`embed` await the provider and then settle the call.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import (
    AsyncGenerator,
    AsyncIterator,
    Awaitable,
    Callable,
    Collection,
    Iterator,
)
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any, Protocol, TypeVar

from django.utils import timezone

from budgets.reservations import BudgetExhausted
from gateway import rate_limits, routing
from gateway.admission import admit
from gateway.context_window import refuse_past_context_window
from gateway.parameters import BadParameter, unmet_need
from gateway.usage import (
    Meter,
    counted_embedding_usage,
    known_usage,
    record_refusal,
    with_embedding_usage_known,
    with_usage_known,
)
from guardrails.arguments import still_json
from guardrails.checked import checked
from guardrails.engine import GuardrailBlocked, StreamGuard
from guardrails.interventions import note
from guardrails.invocation_log import as_record, capture, captures
from guardrails.policy import NO_POLICY, Policy
from guardrails.selectors import policy_for
from identity.principals import Principal
from kernel.errors import DomainError, Gone, NotAllowed, NotFound
from kernel.hot_cache import cached
from kernel.ids import time_ordered_hex
from kernel.pool_threads import run_in_pool
from metering.services import price_for, worst_case_cost
from models_catalog.models import FoundationModel, Modality
from models_catalog.selectors import ResolvedModel, decide, model_snapshot
from providers.errors import UnusableAnswer
from providers.types import (
    ChatChunk,
    ChatRequest,
    ChatResult,
    EmbeddingResult,
    TextPart,
    ToolCallDelta,
    Usage,
)
from tenants.models import Tenant

T = TypeVar("T")
# Tokens reserved per image before the provider says what it counted (Claude counts about
# 1,600 for a 1,092 px square image; providers report the real figure, which is charged).
IMAGE_TOKENS_ESTIMATE = 1600


@dataclass(frozen=True)
class Caller:
    tenant: Tenant
    principal: Principal


# Where a model of each modality is called (named when a model is sent to the wrong endpoint).
ENDPOINT_OF: dict[str, str] = {
    Modality.CHAT: "/chat/completions",
    Modality.EMBEDDING: "/embeddings",
    Modality.RERANK: "/rerank",
}


def resolve_any(tenant: Tenant, name: str, unit_ids: Collection[int] = ()) -> ResolvedModel:
    """The catalogue entry `name` as this tenant may use it now (granted to the whole tenant or
    to one of `unit_ids`, the caller's business units), or the refusal saying why."""
    snapshot = cached(("model", tenant.pk, name), lambda: model_snapshot(tenant, name))
    return decide(snapshot, timezone.now(), unit_ids=unit_ids)


def resolve(
    tenant: Tenant, name: str, modality: str, unit_ids: Collection[int] = ()
) -> ResolvedModel:
    """`resolve_any`, for a call that needs a `modality` model."""
    resolved = resolve_any(tenant, name, unit_ids)
    if resolved.entry.modality != modality:
        other = ENDPOINT_OF[resolved.entry.modality]
        raise BadParameter("model", f"{name} is a {resolved.entry.modality} model: use {other}.")
    return resolved


# The refusals of admission that are usage a tenant should see (failed, uncharged events):
# not granted, retired, over a rate or budget limit, blocked by an input guardrail. Malformed
# requests (400) and unknown models (404) are not: their "model" may be any text at all.
RECORDED_REFUSALS = (NotAllowed, Gone, rate_limits.RateLimited, BudgetExhausted, GuardrailBlocked)


@contextmanager
def refusals_recorded(caller: Caller, name: str, operation: str) -> Iterator[None]:
    """Around a call's admission (after the caller is authenticated: an anonymous refusal has
    no one to charge): each RECORDED_REFUSALS refusal becomes a failed, uncharged usage event
    of `caller`, then is raised on."""
    at = timezone.now()
    try:
        yield
    except RECORDED_REFUSALS as refusal:
        entry = _catalogue_entry(caller.tenant, name)
        if entry is not None:
            record_refusal(
                request_id=f"refused-{time_ordered_hex()}", tenant=caller.tenant,
                principal=caller.principal, model=entry, requested_model=name,
                operation=operation, streamed=False, error=refusal, at=at,
            )  # fmt: skip
        raise


def _catalogue_entry(tenant: Tenant, name: str) -> FoundationModel | None:
    try:
        return cached(("model", tenant.pk, name), lambda: model_snapshot(tenant, name)).entry
    except NotFound:
        return None


def meter_for(
    caller: Caller, resolved: ResolvedModel, routes: list[routing.Route], request_id: str,
    operation: str, streamed: bool, prompt_tokens: int, max_output_tokens: int, name: str,
) -> Meter:  # fmt: skip
    """Count the rate limits and reserve the worst case on the budgets, in one round trip
    (`gateway.admission`: the limits checked first, nothing held by a refused call), then start
    metering. Any route may be the one that answers, so the worst case is priced at the
    dearest: a fallback to a dearer model cannot push spend past a hard limit."""
    now = timezone.now()
    price = price_for(resolved.entry, now)
    prices = [price, *(price_for(route.entry, now) for route in routes[1:])]
    worst_case = max(worst_case_cost(each, prompt_tokens, max_output_tokens) for each in prices)
    reservation, budget = admit(
        tenant=caller.tenant, grant=resolved.grant, model_name=resolved.entry.name,
        tokens=prompt_tokens + max_output_tokens,
        business_unit_id=caller.principal.business_unit_id, cost=worst_case, at=now,
        request_id=request_id,
    )  # fmt: skip
    return Meter.start(
        request_id=request_id, tenant=caller.tenant, principal=caller.principal,
        model=resolved.entry, operation=operation, streamed=streamed, reservation=reservation,
        budget=budget, price=price, estimate=Usage(prompt_tokens, max_output_tokens),
        requested_model=name, model_version=resolved.version.number if resolved.version else None,
    )  # fmt: skip


@dataclass
class ChatCall:
    name: str
    resolved: ResolvedModel
    chat: ChatRequest
    stream: bool
    include_usage: bool
    meter: Meter
    routes: list[routing.Route]
    request_id: str
    policy: Policy = NO_POLICY
    caller: Caller | None = None
    capture: bool = False  # the tenant keeps prompts and answers (invocation logging)
    served: routing.Served = field(default_factory=routing.Served)
    legacy_functions: bool = False  # asked with `functions`: answered with `function_call`

    def captured(self, output: str, status: str, event: dict[str, Any] | None) -> None:
        """Hand the call to invocation logging (in a pool thread; only if the tenant opted in)."""
        if not self.capture or self.caller is None:
            return
        event = event or {}
        capture(self.caller.tenant, as_record(
            request_id=self.request_id, started_at=self.meter.invocation.started_at,
            principal=f"{self.caller.principal.kind}:{self.caller.principal.name}",
            model=self.name, region=self.resolved.entry.provider.region,
            messages=[{"role": m.role, "content": m.content} for m in self.chat.messages],
            output=output, input_tokens=event.get("input_tokens", 0),
            output_tokens=event.get("output_tokens", 0), status=status,
        ))  # fmt: skip


def _checked_arguments(policy: Policy, slug: str, arguments: str) -> str:
    """A tool call's arguments as the guardrails let them pass, still JSON where they were."""
    return still_json(arguments, checked(policy, slug, arguments, "output"))


def _guarded_input(caller: Caller, chat: ChatRequest, policy: Policy) -> ChatRequest:
    """The messages as the tenant's guardrails let them pass (masked), or GuardrailBlocked:
    every text a model reads, tool results and text beside images included."""
    slug = caller.tenant.slug
    messages = []
    for message in chat.messages:
        parts = tuple(
            TextPart(checked(policy, slug, part.text, "input"))
            if isinstance(part, TextPart) else part
            for part in message.parts
        )  # fmt: skip
        content = (
            "".join(part.text for part in parts if isinstance(part, TextPart))
            if parts else checked(policy, slug, message.content, "input")
        )  # fmt: skip
        unchanged = content == message.content and parts == message.parts
        messages.append(message if unchanged else replace(message, content=content, parts=parts))
    if all(new is old for new, old in zip(messages, chat.messages, strict=True)):
        return chat  # nothing masked
    return replace(chat, messages=tuple(messages))


def _guarded_output(call: ChatCall, result: ChatResult) -> ChatResult:
    """The answer as the guardrails let it pass: its text, and the arguments of each tool call
    (what the caller's program will act on)."""
    slug = call.meter.invocation.tenant_slug
    calls = tuple(
        replace(tool_call, arguments=_checked_arguments(call.policy, slug, tool_call.arguments))
        for tool_call in result.tool_calls
    )
    return replace(result, text=checked(call.policy, slug, result.text, "output"),
                   tool_calls=calls)  # fmt: skip


def start_chat(
    caller: Caller, resolved: ResolvedModel, name: str, chat: ChatRequest, *,
    stream: bool = False, include_usage: bool = False, legacy_functions: bool = False,
    request_id: str | None = None,
) -> ChatCall:  # fmt: skip
    """`resolved` by `resolve(..., Modality.CHAT)`; `chat` within its limits (`chat_request`)
    and the model's capabilities (`unmet_need`). `request_id`: the id the caller is answered
    with (`resp_...` for the Responses API), so that its usage event carries the same one."""
    refuse_past_context_window(resolved.entry, chat)  # before guardrails read it all
    request_id = request_id or f"chatcmpl-{time_ordered_hex()}"
    policy = policy_for(caller.tenant)
    if chat.options.get("logprobs") and policy.reads_answers:
        # Each token's text and its alternatives: what the guardrails mask or block, unmasked.
        raise BadParameter("logprobs", "cannot be returned under this tenant's guardrail "
                           "policy, which checks answers: the tokens would show what it masks "
                           "or blocks. Send the request without logprobs.")  # fmt: skip
    chat = _guarded_input(caller, chat, policy)  # before anything is reserved or charged
    prompt = rate_limits.estimate_prompt_tokens(chat.prompt_texts())
    prompt += IMAGE_TOKENS_ESTIMATE * chat.image_count
    # A fallback that cannot serve the request as asked is skipped, never called to ignore it.
    routes = [
        route for index, route in enumerate(routing.routes_for(resolved))
        if index == 0 or unmet_need(route.entry, chat, stream) is None
    ]  # fmt: skip
    capture = captures(caller.tenant)  # before the reservations: nothing may fail after them
    meter = meter_for(
        caller, resolved, routes, request_id, "chat", stream, prompt, chat.max_tokens, name
    )
    return ChatCall(
        name, resolved, chat, stream, include_usage, meter, routes, request_id, policy,
        caller=caller, capture=capture, legacy_functions=legacy_functions,
    )  # fmt: skip


class Metered(Protocol):
    meter: Meter


def abandoned(call: Metered) -> None:
    """Settle a call admitted for a client that went away before the model was called: its
    reservations given back, nothing charged, recorded as cancelled."""
    call.meter.finish(usage=None, status="cancelled",
                      error="The client went away before the model was called.")  # fmt: skip


# Provider calls whose client hung up, still running so that their answer is billed: held here,
# since the event loop keeps only weak references to its tasks.
_ABANDONED: set[asyncio.Task[Any]] = set()


async def settle_call(
    meter: Meter, served: routing.Served, attempt: Awaitable[T], usage_of: Callable[[T], Usage]
) -> T:
    """Await the provider; settle the call (usage event, reservations) whatever happens. A client
    that hangs up does not cancel the provider's call: the provider answers (and charges) all
    the same, so its answer is awaited in the background and billed as a cancelled call."""
    provider_call = asyncio.ensure_future(attempt)
    try:
        result = await asyncio.shield(provider_call)
    except asyncio.CancelledError:
        settling = asyncio.ensure_future(
            _settle(meter, served, provider_call, usage_of, answered="cancelled")
        )
        _ABANDONED.add(settling)
        settling.add_done_callback(_ABANDONED.discard)
        raise
    except Exception:
        await _settle(meter, served, provider_call, usage_of, answered="ok")
        raise
    await _settle(meter, served, provider_call, usage_of, answered="ok")
    return result


async def _settle(
    meter: Meter,
    served: routing.Served,
    provider_call: asyncio.Future[T],
    usage_of: Callable[[T], Usage],
    *,
    answered: str,
) -> None:
    """One usage event for the provider's call once it is over: its usage when it answered, an
    uncharged error when it failed (charged when the provider answered something unusable)."""
    try:
        result = await provider_call
    except DomainError as error:
        meter.served_by(served.route.entry if served.route else None)
        await run_in_pool(meter.finish, usage=_charged(error), status="error",
                          error=error.message)  # fmt: skip
        return
    except Exception as error:  # a fault of ours: settled (reservations freed), then raised
        await run_in_pool(meter.finish, usage=None, status="error",
                          error=f"{type(error).__name__}: {error}")  # fmt: skip
        return
    meter.served_by(served.route.entry if served.route else None)
    await run_in_pool(meter.finish, usage=usage_of(result), status=answered)


async def complete(call: ChatCall) -> ChatResult:
    """The whole answer (not streamed); the call is settled either way."""
    attempt = _usage_known(routing.chat(call.routes, call.chat, call.served), call.chat)
    result = await settle_call(call.meter, call.served, attempt, lambda result: result.usage)
    try:  # charged either way: the model did answer
        if call.policy.bedrock:  # a network call: off the event loop
            shown = await run_in_pool(_guarded_output, call, result)
        else:  # in-process checks (none at all for an empty policy): no thread hop
            shown = _guarded_output(call, result)
    except GuardrailBlocked as blocked:
        if call.capture:
            await run_in_pool(call.captured, f"[blocked: {blocked.policy}]", "blocked", None)
        raise
    if call.capture:
        usage = {"input_tokens": result.usage.prompt_tokens,
                 "output_tokens": result.usage.completion_tokens}  # fmt: skip
        await run_in_pool(call.captured, shown.text, "ok", usage)
    return shown


@dataclass
class EmbeddingCall:
    name: str
    resolved: ResolvedModel
    texts: list[str]
    meter: Meter
    routes: list[routing.Route]
    request_id: str
    served: routing.Served = field(default_factory=routing.Served)
    dimensions: int | None = None  # shortened vectors, where the model offers them


def start_embedding(
    caller: Caller, name: str, texts: list[str], *, dimensions: int | None = None,
    resolved: ResolvedModel | None = None, request_id: str | None = None,
) -> EmbeddingCall:  # fmt: skip
    """`request_id`: the caller's own, when a repeat of the same work must be billed once (its
    usage event is recorded once per request id)."""
    resolved = resolved or resolve(
        caller.tenant, name, Modality.EMBEDDING, caller.principal.unit_ids
    )
    request_id = request_id or f"embd-{time_ordered_hex()}"
    tokens = rate_limits.estimate_prompt_tokens(texts)
    routes = routing.routes_for(resolved)
    if dimensions is not None:  # another model's vectors would not be these
        routes = routes[:1]
    meter = meter_for(caller, resolved, routes, request_id, "embeddings", False, tokens, 0, name)
    return EmbeddingCall(name, resolved, texts, meter, routes, request_id, dimensions=dimensions)


async def embed(call: EmbeddingCall) -> EmbeddingResult:
    attempt = _embedding_usage_known(
        routing.embed(call.routes, call.texts, call.served, call.dimensions), call.texts
    )
    return await settle_call(
        call.meter, call.served, attempt,
        lambda result: Usage(result.prompt_tokens, 0, counted=result.tokens_counted),
    )  # fmt: skip


def _charged(error: DomainError) -> Usage | None:
    """What a failed call is charged: the usage of an answer the provider gave (and billed) but
    the gateway cannot pass on; nothing for a refusal or a fault."""
    return error.usage if isinstance(error, UnusableAnswer) else None


async def _usage_known(attempt: Awaitable[ChatResult], chat: ChatRequest) -> ChatResult:
    try:
        result = await attempt
    except UnusableAnswer as unusable:  # answered all the same: billed, by count if need be
        unusable.usage = known_usage(unusable.usage, chat, unusable.answered)
        raise
    return with_usage_known(result, chat)


async def _embedding_usage_known(
    attempt: Awaitable[EmbeddingResult], texts: list[str]
) -> EmbeddingResult:
    try:
        result = await attempt
    except UnusableAnswer as unusable:  # embedded all the same: billed, by count if need be
        unusable.usage = unusable.usage or counted_embedding_usage(texts)
        raise
    return with_embedding_usage_known(result, texts)


class HeldToolCalls:
    """Streamed tool calls kept back until they are whole, so the output guardrails read each
    call's arguments entire before the caller's program can act on them."""

    def __init__(self) -> None:
        self._calls: dict[int, list[Any]] = {}  # index: [id, name, arguments so far]

    def __bool__(self) -> bool:
        return bool(self._calls)

    def hold(self, deltas: tuple[ToolCallDelta, ...]) -> tuple[ToolCallDelta, ...]:
        for delta in deltas:
            call = self._calls.setdefault(delta.index, [None, None, ""])
            call[0] = call[0] or delta.id
            call[1] = call[1] or delta.name
            call[2] += delta.arguments
        return ()

    def checked(self, check_arguments: Callable[[str], str]) -> tuple[ToolCallDelta, ...]:
        calls = tuple(
            ToolCallDelta(index=index, id=call_id, name=name, arguments=check_arguments(args))
            for index, (call_id, name, args) in sorted(self._calls.items())
        )
        self._calls.clear()
        return calls


@dataclass(frozen=True)
class Settled:
    """The last item of a stream: the call's usage event (tokens, latency, cost), or the
    failure that ended it."""

    event: dict[str, Any]
    failure: DomainError | None = None


async def stream(call: ChatCall) -> AsyncGenerator[ChatChunk | Settled, None]:
    """The answer's pieces as they come, then `Settled`. A stream abandoned by its consumer (the
    client went away) is settled in the background, with its tokens counted."""
    usage: Usage | None = None
    arrived = False  # a piece came from the provider
    text: list[str] = []
    shown: list[str] = []
    settled = False

    def charged() -> Usage | None:
        """The provider's usage, or the tokens counted once a piece arrived; none for a stream
        refused before any piece (uncharged, as the same refusal unstreamed)."""
        if usage is None and not arrived:
            return None
        return known_usage(usage, call.chat, "".join(text))

    async def settle(status: str, failure: str = "") -> dict[str, Any]:
        nonlocal settled
        settled = True
        # Charged to what answered (a fallback at its price), however the stream ended.
        call.meter.served_by(call.served.route.entry if call.served.route else None)
        event = await run_in_pool(call.meter.finish, usage=charged(), status=status,
                                  error=failure)  # fmt: skip
        if call.capture:
            await run_in_pool(call.captured, "".join(shown), status, event)
        return event or {}

    guard = StreamGuard(call.policy)
    pieces = routing.stream_chat(call.routes, call.chat, call.served)
    slug = call.meter.invocation.tenant_slug

    async def release(more: str | None) -> str:
        """More text through the guard (None: the end); a Bedrock guardrail is network I/O, so
        then off the event loop."""
        step = guard.flush if more is None else lambda: guard.feed(more)
        return await run_in_pool(step) if call.policy.bedrock else step()

    held = HeldToolCalls()

    async def checked_tool_calls() -> tuple[ToolCallDelta, ...]:
        """The held tool calls, whole and checked (off the event loop where Bedrock reads)."""
        check = functools.partial(_checked_arguments, call.policy, slug)
        if call.policy.bedrock:
            return await run_in_pool(held.checked, check)
        return held.checked(check)

    try:
        async for piece in pieces:
            arrived = True
            if piece.usage is not None:
                usage = piece.usage
            text.append(piece.text)
            text.extend(delta.arguments for delta in piece.tool_calls)
            released = await release(piece.text)
            # Tool calls pass as they come when no guardrail reads them; else whole, checked.
            deltas = piece.tool_calls if call.policy.empty else held.hold(piece.tool_calls)
            if piece.finish_reason and held:
                deltas = await checked_tool_calls()
            if released or piece.finish_reason or piece.usage is not None or deltas:
                if piece.finish_reason:
                    released += await release(None)
                shown.append(released)
                yield replace(piece, text=released, tool_calls=deltas)
        rest = await release(None)
        late = await checked_tool_calls() if held else ()  # a stream that ended with no reason
        if rest or late:
            shown.append(rest)
            yield ChatChunk(text=rest, tool_calls=late)
        note(slug, "output", guard.interventions)
        yield Settled(await settle("ok"))
    except GuardrailBlocked as blocked:
        await pieces.aclose()  # stop the upstream call: nothing more of it may pass
        note(slug, "output", [(blocked.policy, "block")])
        yield Settled(await settle("error", blocked.message), blocked)
    except DomainError as error:
        usage = _charged(error) or usage
        yield Settled(await settle("error", error.message), error)
    finally:
        if not settled:
            call.meter.served_by(call.served.route.entry if call.served.route else None)
            # The client left: the provider read the prompt (and may have begun answering) and
            # bills it, whether or not a piece had arrived; unless no provider had it (the
            # client left in a wait between attempts, each refused unbilled).
            call.meter.finish_in_background(
                request=call.chat, usage=usage, text="".join(text), status="cancelled",
                charged=arrived or call.served.asking,
            )  # fmt: skip


async def opened(call: ChatCall) -> AsyncIterator[ChatChunk | Settled]:
    """`stream(call)` once its first item is there: a stream that failed, uncharged, before
    anything could be sent (throttled, refused) raises its failure, settled, so that the caller
    is answered with its status (429 with Retry-After, 400, 502) rather than a 200 and an error
    event."""
    items = stream(call)
    first = await anext(items)
    if isinstance(first, Settled) and first.failure is not None and _said_by_status(first):
        await items.aclose()
        raise first.failure
    return _after(first, items)


# What OpenAI's SDKs resend by themselves (408, 409, 429 and any 5xx).
SDK_RETRIED = frozenset({408, 409, 429})


def _said_by_status(settled: Settled) -> bool:
    """Whether a failure before the first piece may be answered with its own status: always when
    the call was not charged; when it was (a piece arrived, or an answer the gateway could not
    use), only with a status the SDKs do not resend, since each attempt would be billed again.
    Otherwise it goes as an error event after a 200."""
    status = settled.failure.status_code if settled.failure is not None else 200
    charged = settled.event.get("input_tokens") or settled.event.get("output_tokens")
    return not charged or (status < 500 and status not in SDK_RETRIED)


async def _after(
    first: ChatChunk | Settled, rest: AsyncGenerator[ChatChunk | Settled, None]
) -> AsyncGenerator[ChatChunk | Settled, None]:
    try:
        yield first
        async for item in rest:
            yield item
    finally:
        await rest.aclose()
