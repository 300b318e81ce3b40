"""Reading back usage events: the gateway queues them and a recorder (the Celery beat task in
production) writes them; tests run that same recorder while they wait."""

from __future__ import annotations

import time

import openai

from metering.models import UsageEvent
from metering.usage_queue import record_queued_usage


def events_of(slug: str, count: int, timeout: float = 15) -> list[UsageEvent]:
    """The tenant's recorded events, oldest first, once there are `count` (or the time is up).
    A stream's event is queued when the stream ends, from a worker thread: so wait for it."""
    deadline = time.monotonic() + timeout
    while True:
        record_queued_usage()
        found = list(UsageEvent.objects.unscoped().filter(tenant_slug=slug).order_by("started_at"))
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def event_of(request_id: str) -> UsageEvent:
    record_queued_usage()
    return UsageEvent.objects.unscoped().get(request_id=request_id)


def slug_of(client: openai.OpenAI) -> str:
    """The tenant slug of an `openai` client pointed at `/t/<slug>/v1/`."""
    return client.base_url.path.split("/")[2]
