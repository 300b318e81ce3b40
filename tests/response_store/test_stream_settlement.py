"""A streamed response whose client leaves before the model is called (while
`response.created` is sent, or before the stream begins): the admitted call is given back at
once (recorded as cancelled, nothing charged), not held until the budgets' reconciliation."""

from __future__ import annotations

import asyncio
import json

import pytest
from django.test import RequestFactory

from response_store.api import ResponseStream, StartedResponse, _start
from tests.gateway.recorded import events_of
from tests.response_store.conftest import MODEL

pytestmark = pytest.mark.django_db(transaction=True)


def _started(acme) -> StartedResponse:  # type: ignore[no-untyped-def]
    body = json.dumps({"model": MODEL, "input": "hi", "stream": True})
    request = RequestFactory().post(
        f"/t/{acme.tenant.slug}/v1/responses",
        data=body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {acme.api_key}",
    )
    return _start(request)


def test_a_stream_left_before_the_model_is_called_gives_its_call_back(acme, upstream) -> None:
    at_created = _started(acme)

    async def leave_at_created() -> None:
        stream = ResponseStream(at_created)
        assert b"response.created" in await anext(stream)
        await stream.aclose()  # what Django does when the client is gone mid-send

    asyncio.run(leave_at_created())  # which waits for the work it left in pool threads
    never_begun = _started(acme)
    ResponseStream(never_begun).close()  # Django closes a response it never got to send

    assert at_created.call.meter.done and never_begun.call.meter.done
    events = events_of(acme.tenant.slug, 2)
    assert {event.request_id for event in events} == {
        at_created.call.request_id,
        never_begun.call.request_id,
    }
    assert all(event.status == "cancelled" and not event.cost for event in events)
    assert upstream.requests == []
