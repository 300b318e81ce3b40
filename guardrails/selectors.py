"""The policies in force: the platform's floor (public schema), the tenant's own (its schema),
and their combination that every call obeys (cached on the hot path, invalidated on change)."""

from __future__ import annotations

from typing import Any

from guardrails.models import GuardrailPolicy
from guardrails.policy import NO_POLICY, Policy, combined, parse
from kernel.hot_cache import cached
from tenants.models import Tenant
from tenants.schemas import in_public_schema, in_tenant_schema


def stored(row: GuardrailPolicy | None) -> dict[str, Any]:
    if row is None:
        return {"pii": {}, "denied_topics": [], "word_filters": [], "prompt_injection": False,
                "bedrock_guardrail": {}, "phone_regions": []}  # fmt: skip
    return {"pii": row.pii, "denied_topics": row.denied_topics, "word_filters": row.word_filters,
            "prompt_injection": row.prompt_injection,
            "bedrock_guardrail": row.bedrock_guardrail,
            "phone_regions": row.phone_regions}  # fmt: skip


def floor_row() -> GuardrailPolicy | None:
    with in_public_schema():
        return GuardrailPolicy.objects.first()


def tenant_row(tenant: Tenant) -> GuardrailPolicy | None:
    with in_tenant_schema(tenant):
        return GuardrailPolicy.objects.first()


def _load(tenant: Tenant) -> Policy:
    floor, own = floor_row(), tenant_row(tenant)
    if floor is None and own is None:
        return NO_POLICY
    return combined(parse(stored(floor), saved=True), parse(stored(own), saved=True))


def policy_for(tenant: Tenant) -> Policy:
    return cached(("guardrails", tenant.pk), lambda: _load(tenant))
