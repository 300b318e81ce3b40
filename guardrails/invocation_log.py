"""Invocation logging: a tenant that opts in keeps every chat call's prompt and answer (after
the guardrails masked them) for its retention period. The gateway hands each record to a
tenant-aware Celery task (one Redis write on the hot path, no database query; `tasks`); beat
purges records past their retention, one task per tenant; admins browse, search and export
them as JSON Lines in the shape of Amazon Bedrock's model invocation log records."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Func, Q, QuerySet, TextField
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from guardrails.models import GuardrailPolicy, InvocationRecord
from kernel.hot_cache import cached
from tenants.models import Tenant
from tenants.schemas import in_tenant_schema


def captures(tenant: Tenant) -> bool:
    def load() -> bool:
        with in_tenant_schema(tenant):
            row = GuardrailPolicy.objects.first()
        return bool(row and row.capture_invocations)

    return cached(("capture", tenant.pk), load)


def capture(tenant: Tenant, record: dict[str, Any]) -> None:
    """Queue one record (from the gateway, after a call settled)."""
    from guardrails.tasks import store_invocation_task  # the task module imports this one

    if captures(tenant):
        with in_tenant_schema(tenant):  # the task runs in the tenant's schema
            store_invocation_task.delay(record)


def store_invocation(record: dict[str, Any]) -> None:
    """Keep one record in the active tenant's schema (once, whatever the retries)."""
    fields = {**record, "created_at": parse_datetime(record["created_at"])}
    InvocationRecord.objects.get_or_create(request_id=record["request_id"], defaults=fields)


def purge_expired_invocations() -> int:
    """Delete the active tenant's records older than its retention period."""
    row = GuardrailPolicy.objects.first()
    days = row.retention_days if row else 30
    cutoff = timezone.now() - timedelta(days=days)
    return InvocationRecord.objects.filter(created_at__lt=cutoff).delete()[0]


class PromptText(Func):
    """A record's prompt as text: its messages' contents, one a line, without the JSON's keys,
    roles and quoting (which every record has, so a search for "user" found them all)."""

    template = (
        "(SELECT string_agg(message ->> 'content', E'\\n')"
        " FROM jsonb_array_elements(%(expressions)s) AS message)"
    )
    output_field = TextField()


def search(query: str = "", model: str = "") -> QuerySet[InvocationRecord]:
    """The active tenant's records (its own schema), filtered: `query` in a prompt's or an
    answer's text (any case)."""
    records = InvocationRecord.objects.all()
    if query:
        records = records.alias(prompt_text=PromptText("input_messages")).filter(
            Q(output_text__icontains=query) | Q(prompt_text__icontains=query)
        )
    if model:
        records = records.filter(model=model)
    return records


def bedrock_record(record: InvocationRecord, tenant: Tenant) -> dict[str, Any]:
    """A record with the fields of Bedrock's ModelInvocationLog (schema version 1.0)."""
    return {
        "schemaType": "ModelInvocationLog",
        "schemaVersion": "1.0",
        "timestamp": record.created_at.isoformat().replace("+00:00", "Z"),
        "accountId": tenant.slug,
        "identity": {"arn": f"atrium:{tenant.slug}:{record.principal}"},
        "region": record.region,
        "requestId": record.request_id,
        "operation": record.operation,
        "modelId": record.model,
        "input": {
            "inputContentType": "application/json",
            "inputBodyJson": {"messages": record.input_messages},
            "inputTokenCount": record.input_tokens,
        },
        "output": {
            "outputContentType": "application/json",
            "outputBodyJson": {
                "output": {
                    "message": {"role": "assistant", "content": [{"text": record.output_text}]}
                },
                "status": record.status,
            },
            "outputTokenCount": record.output_tokens,
        },
        "requestMetadata": {"tenant": tenant.slug},
    }


def jsonl(records: QuerySet[InvocationRecord], tenant: Tenant) -> Iterator[str]:
    for record in records.iterator(chunk_size=500):
        yield json.dumps(bedrock_record(record, tenant)) + "\n"


def as_record(
    *, request_id: str, started_at: datetime, principal: str, model: str, region: str,
    messages: list[dict[str, str]], output: str, input_tokens: int, output_tokens: int,
    status: str,
) -> dict[str, Any]:  # fmt: skip
    return {
        "request_id": request_id, "created_at": started_at.isoformat(), "principal": principal,
        "model": model, "region": region, "operation": "Converse", "input_messages": messages,
        "output_text": output, "input_tokens": input_tokens, "output_tokens": output_tokens,
        "status": status,
    }  # fmt: skip
