"""Changing guardrail policies: validated whole (a malformed regular expression, an unknown PII
kind, a field the policy does not have, a tenant policy looser than the floor: refused with the
field named, nothing saved), and stored as parsed, never as submitted. A tenant's invocation log
settings have a service of their own: a privacy control never waits on the rest of the policy."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from audit.services import record_audit
from guardrails.models import GuardrailPolicy
from guardrails.policy import POLICY_FIELDS, parse, stored_form, weakenings
from guardrails.selectors import checked_policy, floor_row, stored, stored_with_capture
from kernel.errors import InvalidInput
from kernel.strict_input import refuse_unknown_fields
from tenants.models import Tenant
from tenants.schemas import in_public_schema, in_tenant_schema

CAPTURE_FIELDS = ("capture_invocations", "retention_days")  # a tenant's own, never the floor's
# What the API answers beside the policy: a GET's policy may be PUT back as it came.
SHOWN_FIELDS = ("topic_calibration",)
DEFAULT_RETENTION_DAYS = 30


def _capture_settings(capture: Any, retention_days: Any) -> tuple[bool, int]:
    """The invocation log's settings (null: the default, off and 30 days); InvalidInput names
    the bad one."""
    if capture is not None and not isinstance(capture, bool):
        raise InvalidInput("capture_invocations: true or false.", param="capture_invocations")
    days = DEFAULT_RETENTION_DAYS if retention_days is None else retention_days
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 3650:
        raise InvalidInput("retention_days: a whole number of days from 1 to 3650.",
                           param="retention_days")  # fmt: skip
    return bool(capture), days


def _save(
    policy_fields: dict[str, Any], actor: str, capture: tuple[bool, int] | None = None
) -> tuple[GuardrailPolicy, dict[str, Any] | None]:
    """The policy's row in the current schema: `policy_fields` (`stored_form`'s) and, for a
    tenant, `capture` set, no other column written; with its state before."""
    shown = stored if capture is None else stored_with_capture
    with transaction.atomic():
        row = GuardrailPolicy.objects.select_for_update().first()
        before = shown(row) if row else None
        row = row or GuardrailPolicy()
        changed = [*policy_fields, "updated_by", "updated_at"]
        for name, value in policy_fields.items():
            setattr(row, name, value)
        if capture is not None:
            row.capture_invocations, row.retention_days = capture
            changed += CAPTURE_FIELDS
        row.updated_by = actor
        row.save(update_fields=changed if row.pk else None)
    return row, before


def set_floor(*, raw: dict[str, Any], actor: str) -> GuardrailPolicy:
    """Platform administrators: the policy no tenant can weaken."""
    for name in CAPTURE_FIELDS:
        if name in raw:
            raise InvalidInput(f"{name}: a tenant's own invocation log setting; the floor has "
                               "none.", param=name)  # fmt: skip
    refuse_unknown_fields(raw, (*POLICY_FIELDS, *SHOWN_FIELDS))
    policy = checked_policy(raw)
    with in_public_schema():
        row, before = _save(stored_form(policy), actor)
    record_audit(actor=actor, action="guardrails.floor", target=row, before=before,
                 after=stored(row))  # fmt: skip
    return row


def set_tenant_policy(*, tenant: Tenant, raw: dict[str, Any], actor: str) -> GuardrailPolicy:
    """Tenant administrators: their own rules, on top of the floor, and the invocation log's
    settings (the whole body of `PUT v1/guardrails`)."""
    refuse_unknown_fields(raw, (*POLICY_FIELDS, *CAPTURE_FIELDS, *SHOWN_FIELDS))
    proposed = checked_policy(raw)
    capture = _capture_settings(raw.get("capture_invocations"), raw.get("retention_days"))
    problems = weakenings(parse(stored(floor_row()), saved=True), proposed)
    if problems:
        raise InvalidInput("This policy would weaken the platform's floor: " + "; ".join(problems))
    with in_tenant_schema(tenant):
        row, before = _save(stored_form(proposed), actor, capture)
    record_audit(actor=actor, action="guardrails.policy", target=row, tenant=tenant,
                 before=before, after=stored_with_capture(row))  # fmt: skip
    return row


def set_invocation_capture(
    *, tenant: Tenant, capture: Any, retention_days: Any, actor: str
) -> GuardrailPolicy:
    """Tenant administrators: whether prompts and answers are kept, and for how many days. Only
    those two settings change: turning capture off is never refused for what the rest of the
    policy says (a floor grown since it was saved)."""
    settings = _capture_settings(capture, retention_days)
    with in_tenant_schema(tenant):
        row, before = _save({}, actor, settings)
    record_audit(actor=actor, action="guardrails.invocation_capture", target=row, tenant=tenant,
                 before=before, after=stored_with_capture(row))  # fmt: skip
    return row
