"""The tenant's Responses API: `POST /responses` (whole, or streamed as Responses events),
`GET` and `DELETE /responses/{id}`, `GET /responses/{id}/input_items`.

A response is one chat call through `gateway.calls` (admission, budgets, rate limits,
guardrails, fallbacks, one usage event under the response's own id); with `store` (the default)
it is kept in the tenant's schema, with the conversation that led to it, for
`previous_response_id`. Served by Django's ASGI handler; errors in OpenAI's shape.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import AsyncGenerator, AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponseBase, JsonResponse

from gateway import calls
from gateway.api import api_caller, decorated, endpoint, event_stream, json_body
from gateway.parameters import BadParameter, require_model, unmet_need
from gateway.usage import usage_of_event
from kernel.errors import InvalidInput
from kernel.pool_threads import run_in_pool, run_in_pool_or_undo, start_in_pool
from models_catalog.models import Modality
from response_store import openai_format
from response_store.parameters import (
    ParsedResponse,
    input_items_query,
    response_request,
    retrieve_query,
)
from response_store.selectors import access_response, conversation_after, input_items_page
from response_store.services import delete_response, store_response

logger = logging.getLogger("atrium.gateway")

# Chat's names for what the Responses API calls otherwise (in a refusal's `param`).
PARAMS = {"messages": "input", "response_format": "text.format"}


@dataclass(frozen=True)
class StartedResponse:
    call: calls.ChatCall
    parsed: ParsedResponse
    caller: calls.Caller
    conversation: list[dict[str, Any]]  # the earlier items and this input: kept with it

    def keep(self, response: dict[str, Any]) -> None:
        """Store the answered response (when the request said `store`). The call is settled
        and charged by now: a failure to store it is logged, and the answer still goes back
        (asking again would be charged again)."""
        if not self.parsed.store:
            return
        try:
            store_response(tenant=self.caller.tenant, principal=self.caller.principal,
                           response=response, conversation=self.conversation)  # fmt: skip
        except Exception:
            logger.exception("response %s was answered but could not be stored", response["id"])


def _refusal(error: InvalidInput) -> InvalidInput:
    """A refusal of the chat request (by `unmet_need`, the gateway or the provider's
    translation), naming the Responses API's field."""
    param = error.param or ""
    name = PARAMS.get(param.split("[", 1)[0].split(".", 1)[0])
    if name is None:
        return error
    return BadParameter(name, error.message.split(": ", 1)[-1])


@contextmanager
def _responses_names() -> Iterator[None]:
    """Refusals raised inside, with the Responses API's names for chat's fields."""
    try:
        yield
    except InvalidInput as error:
        refusal = _refusal(error)
        if refusal is error:
            raise
        raise refusal from None


def _start(request: HttpRequest) -> StartedResponse:
    caller = api_caller(request, "POST")
    body = json_body(request, images=True)
    name = require_model(body)
    with calls.refusals_recorded(caller, name, "chat"):
        resolved = calls.resolve(caller.tenant, name, Modality.CHAT, caller.principal.unit_ids)
    history: list[dict[str, Any]] = []
    previous = body.get("previous_response_id")
    if previous is not None:
        if not isinstance(previous, str):
            raise BadParameter("previous_response_id", "must be a response id (resp_...).")
        stored = access_response(caller.tenant, caller.principal, previous,
                                 param="previous_response_id")  # fmt: skip
        history = conversation_after(stored)
    parsed = response_request(body, resolved.entry, history)
    refusal = unmet_need(resolved.entry, parsed.request, parsed.stream)
    if refusal is not None:
        raise _refusal(refusal)
    with _responses_names(), calls.refusals_recorded(caller, name, "chat"):
        call = calls.start_chat(caller, resolved, name, parsed.request, stream=parsed.stream,
                                request_id=openai_format.new_item_id("resp"))  # fmt: skip
    return StartedResponse(call, parsed, caller, [*history, *parsed.input_items])


class ResponseStream:
    """The Responses stream of an admitted call, as Django sends it. `calls.stream` settles the
    call however the stream ends, once it has it; until then the call is only admitted, and a
    client gone before (the stream closed at `response.created`, or never begun: then Django
    only calls `close`) has its reservations given back, recorded as cancelled."""

    def __init__(self, started: StartedResponse) -> None:
        self.started = started
        self._settler: str | None = None  # "stream" or "close": whichever took the call first
        self._lock = threading.Lock()  # `close` runs in a thread
        self._sent = self._events()

    def _take(self, settler: str) -> bool:
        """Whether `settler` settles the call: true for the first to ask, once (`close` runs
        both when the stream is closed at a send and when Django closes the response)."""
        with self._lock:
            if self._settler is not None:
                return False
            self._settler = settler
            return True

    def close(self) -> None:
        """Called by Django once the response is over, sent or not."""
        if self._take("close"):
            calls.abandoned(self.started.call)

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self

    async def __anext__(self) -> bytes:
        return await anext(self._sent)

    async def aclose(self) -> None:
        await self._sent.aclose()

    async def _events(self) -> AsyncGenerator[bytes, None]:
        """The events; the response is stored before `response.completed` is sent, so a client
        may follow it up at once."""
        call = self.started.call
        events = openai_format.ResponseEvents(
            call.request_id, call.name, self.started.parsed.settings
        )
        try:
            for event in events.start():
                yield event
        except BaseException:  # GeneratorExit: closed at a send, the client gone
            start_in_pool(self.close)
            raise
        if not self._take("stream"):
            return
        async for item in calls.stream(call):
            if not isinstance(item, calls.Settled):
                for event in events.piece(item):
                    yield event
            elif item.failure is not None:
                for event in events.failed(item.failure.code, item.failure.message):
                    yield event
            else:
                usage = openai_format.usage_body(usage_of_event(item.event))
                final, closing = events.finish(usage)
                await run_in_pool(self.started.keep, final)
                for event in closing:
                    yield event


@endpoint
async def create_response(request: HttpRequest) -> HttpResponseBase:
    """OpenAI's Responses API: a model's response to input items, whole or streamed."""
    started = await run_in_pool_or_undo(lambda it: calls.abandoned(it.call), _start, request)
    call = started.call
    if call.stream:
        response = event_stream(ResponseStream(started))
        return decorated(response, call.resolved, call.request_id, call.served)
    created_at = int(time.time())
    with _responses_names():  # the provider's translation may refuse what it cannot carry
        result = await calls.complete(call)
    status, incomplete = openai_format.status_of(result.finish_reason)
    answered = openai_format.response_object(
        call.request_id, call.name, started.parsed.settings, created_at=created_at,
        status=status, output=openai_format.output_items(result), incomplete=incomplete,
        usage=openai_format.usage_body(result.usage),
    )  # fmt: skip
    await run_in_pool(started.keep, answered)
    return decorated(JsonResponse(answered), call.resolved, call.request_id, call.served)


@endpoint
async def response_detail(request: HttpRequest, response_id: str) -> HttpResponseBase:
    """A stored response of the caller's (GET), or its deletion (DELETE)."""

    def answer() -> dict[str, Any]:
        method = request.method if request.method in {"GET", "DELETE"} else "GET"
        caller = api_caller(request, method)
        retrieve_query(request.GET, method)
        if method == "DELETE":
            delete_response(tenant=caller.tenant, principal=caller.principal,
                            response_id=response_id)  # fmt: skip
            return {"id": response_id, "object": "response", "deleted": True}
        return dict(access_response(caller.tenant, caller.principal, response_id).response)

    return JsonResponse(await run_in_pool(answer))


@endpoint
async def response_input_items(request: HttpRequest, response_id: str) -> HttpResponseBase:
    """The input items of a stored response of the caller's, a page at a time (GET)."""

    def answer() -> dict[str, Any]:
        caller = api_caller(request, "GET")
        page = input_items_query(request.GET)
        stored = access_response(caller.tenant, caller.principal, response_id)
        return openai_format.item_list(*input_items_page(stored, page))

    return JsonResponse(await run_in_pool(answer))
