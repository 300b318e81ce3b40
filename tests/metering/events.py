"""Usage events written straight to the table, for tests of what reads them."""

from __future__ import annotations

import itertools
import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from kernel.redis_client import shared_redis
from metering.models import UsageEvent
from metering.usage_queue import COLUMNS, enqueue
from tenants.models import Tenant

_numbers = itertools.count()


def usage_event(tenant: Tenant, started_at: datetime, **fields: Any) -> UsageEvent:
    """An unsaved event of `tenant`: 100 + 20 tokens of a priced model unless told otherwise."""
    number = next(_numbers)
    values: dict[str, Any] = {
        "request_id": f"test-{uuid.uuid4().hex}",
        "tenant_id": tenant.pk,
        "tenant_slug": tenant.slug,
        "principal_type": "user",
        "principal_id": 1,
        "principal_name": "alice",
        "model_name": "model-a",
        "provider_name": "bedrock-eu",
        "provider_kind": "bedrock",
        "region": "eu-west-1",
        "operation": "chat",
        "input_tokens": 100 + number % 7,
        "output_tokens": 20 + number % 5,
        "latency_ms": 40,
        "status": "ok",
        "currency": "USD",
        "input_price_per_million": Decimal("0.25"),
        "output_price_per_million": Decimal("1.25"),
        "started_at": started_at,
    }
    values.update(fields)
    if "cost" not in fields:
        values["cost"] = (
            values["input_tokens"] * values["input_price_per_million"]
            + values["output_tokens"] * values["output_price_per_million"]
        ) / Decimal(1_000_000)
    return UsageEvent(**values)


def save_events(events: list[UsageEvent]) -> list[UsageEvent]:
    return UsageEvent.objects.unscoped().bulk_create(events)


def queued_event(tenant: Any, **fields: Any) -> dict[str, Any]:
    """A usage event of `tenant` now, as the gateway queues it."""
    event = usage_event(tenant, timezone.now(), **fields)
    return {column: getattr(event, column) for column in COLUMNS}


def queue(events: list[dict[str, Any]]) -> None:
    """Queue `events` in Redis as the gateway does, in one round trip."""
    with shared_redis().pipeline(transaction=False) as pipe:
        for event in events:
            enqueue(pipe, event)
        pipe.execute()
