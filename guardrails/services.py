"""Changing guardrail policies: validated whole (a malformed regular expression, an unknown PII
kind, a tenant policy looser than the floor: refused with the field named, nothing saved)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from audit.services import record_audit
from guardrails.models import GuardrailPolicy
from guardrails.policy import Policy, parse, weakenings
from guardrails.selectors import checked_policy, floor_row, stored
from kernel.errors import InvalidInput
from tenants.models import Tenant
from tenants.schemas import in_public_schema, in_tenant_schema


def _retention(raw: Any) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or not 1 <= raw <= 3650:
        raise InvalidInput("retention_days: a whole number of days from 1 to 3650.")
    return raw


def _save(
    raw: dict[str, Any], policy: Policy, actor: str
) -> tuple[GuardrailPolicy, dict[str, Any] | None]:
    """`raw` as stored, once `policy` (parsed from it) has passed every check."""
    with transaction.atomic():
        row = GuardrailPolicy.objects.select_for_update().first()
        before = stored(row) if row else None
        row = row or GuardrailPolicy()
        row.pii = raw.get("pii") or {}
        row.denied_topics = raw.get("denied_topics") or []
        row.word_filters = raw.get("word_filters") or []
        row.prompt_injection = bool(raw.get("prompt_injection", False))
        row.prompt_injection_threshold = policy.injection_threshold
        row.phone_regions = raw.get("phone_regions") or []
        row.bedrock_guardrail = raw.get("bedrock_guardrail") or {}
        row.capture_invocations = bool(raw.get("capture_invocations", False))
        row.retention_days = _retention(raw.get("retention_days", 30))
        row.updated_by = actor
        row.save()
    return row, before


def set_floor(*, raw: dict[str, Any], actor: str) -> GuardrailPolicy:
    """Platform administrators: the policy no tenant can weaken."""
    policy = checked_policy(raw)
    with in_public_schema():
        row, before = _save(raw, policy, actor)
    record_audit(actor=actor, action="guardrails.floor", target=row, before=before,
                 after=stored(row))  # fmt: skip
    return row


def set_tenant_policy(*, tenant: Tenant, raw: dict[str, Any], actor: str) -> GuardrailPolicy:
    """Tenant administrators: their own rules, on top of the floor."""
    proposed = checked_policy(raw)
    _retention(raw.get("retention_days", 30))
    problems = weakenings(parse(stored(floor_row()), saved=True), proposed)
    if problems:
        raise InvalidInput("This policy would weaken the platform's floor: " + "; ".join(problems))
    with in_tenant_schema(tenant):
        row, before = _save(raw, proposed, actor)
    record_audit(actor=actor, action="guardrails.policy", target=row, tenant=tenant,
                 before=before, after=stored(row))  # fmt: skip
    return row
