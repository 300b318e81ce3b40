"""The policies in force: the platform's floor (public schema), the tenant's own (its schema),
and their combination that every call obeys (cached on the hot path, invalidated on change)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from guardrails.encoder import ENGLISH
from guardrails.models import GuardrailPolicy
from guardrails.multilingual import MULTILINGUAL
from guardrails.policy import INJECTION_THRESHOLD, NO_POLICY, Policy, combined, parse
from guardrails.similarity import calibration
from guardrails.trial import Trial, try_prompt
from kernel.errors import InvalidInput
from kernel.hot_cache import cached
from models_catalog.models import Provider
from tenants.models import Tenant
from tenants.schemas import in_public_schema, in_tenant_schema


def stored(row: GuardrailPolicy | None) -> dict[str, Any]:
    if row is None:
        return {"pii": {}, "denied_topics": [], "word_filters": [], "prompt_injection": False,
                "prompt_injection_threshold": INJECTION_THRESHOLD, "bedrock_guardrail": {},
                "phone_regions": []}  # fmt: skip
    return {"pii": row.pii, "denied_topics": row.denied_topics, "word_filters": row.word_filters,
            "prompt_injection": row.prompt_injection,
            "prompt_injection_threshold": row.prompt_injection_threshold,
            "bedrock_guardrail": row.bedrock_guardrail,
            "phone_regions": row.phone_regions}  # fmt: skip


def stored_with_capture(row: GuardrailPolicy | None) -> dict[str, Any]:
    """A tenant's policy as stored, with its invocation log's settings (the API's whole body)."""
    return {**stored(row), "capture_invocations": bool(row and row.capture_invocations),
            "retention_days": row.retention_days if row else 30}  # fmt: skip


def floor_row() -> GuardrailPolicy | None:
    with in_public_schema():
        return GuardrailPolicy.objects.first()


def tenant_row(tenant: Tenant) -> GuardrailPolicy | None:
    with in_tenant_schema(tenant):
        return GuardrailPolicy.objects.first()


def _load(tenant: Tenant) -> tuple[Policy, str]:
    rows = floor_row(), tenant_row(tenant)
    floor, own = (stored(row) for row in rows)
    digest = hashlib.sha256(json.dumps([floor, own], sort_keys=True).encode()).hexdigest()[:32]
    if rows == (None, None):
        return NO_POLICY, digest
    return combined(parse(floor, saved=True), parse(own, saved=True)), digest


def policy_for(tenant: Tenant) -> Policy:
    return cached(("guardrails", tenant.pk), lambda: _load(tenant))[0]


def policy_digest(tenant: Tenant) -> str:
    """A fingerprint of the policies a tenant's calls obey (the floor's and its own, as stored):
    it changes when either does, so what one policy let through (a cached answer) is never
    served under another."""
    return cached(("guardrails", tenant.pk), lambda: _load(tenant))[1]


def topic_calibrations(raw: dict[str, Any]) -> list[dict[str, Any]]:
    """For each denied topic of a stored policy that has examples, the threshold its examples
    calibrate (what the policy editor shows): how close a window must come to an example, how
    close the least typical example is to the others, and how close the nearest
    counter-example comes to an example; and the threshold of the multilingual reading of
    windows in other languages."""
    shown = []
    for topic in parse(raw, saved=True).topics:
        if topic.examples:
            measured = calibration(topic.examples, topic.counter_examples, ENGLISH)
            other = calibration(topic.examples, topic.counter_examples, MULTILINGUAL)
            shown.append({"name": topic.name, "threshold": measured.threshold,
                          "examples_apart": measured.examples_apart,
                          "counter_example_closest": measured.counter_closest,
                          "multilingual_threshold": other.threshold})  # fmt: skip
    return shown


MAX_SAMPLE_CHARACTERS = 32_000


def checked_policy(raw: dict[str, Any]) -> Policy:
    """`raw` parsed whole, and each Bedrock guardrail's provider found in the catalogue;
    InvalidInput names the first bad field."""
    policy = parse(raw)
    for guardrail in policy.bedrock:
        if not Provider.objects.filter(
            name=guardrail.provider, kind=Provider.Kind.BEDROCK
        ).exists():
            raise InvalidInput(
                f"bedrock_guardrail.provider: no Bedrock provider called {guardrail.provider!r} "
                "in the catalogue."
            )
    return policy


def draft_trial(raw: dict[str, Any], sample: str) -> Trial:
    """`sample` tried as a prompt against what the tenant policy `raw` would put in force (with
    the platform's floor), without saving it; InvalidInput names a bad field of the draft."""
    if not sample.strip():
        raise InvalidInput("sample: write a prompt to try the policy on.")
    if len(sample) > MAX_SAMPLE_CHARACTERS:
        raise InvalidInput(f"sample: at most {MAX_SAMPLE_CHARACTERS:,} characters.")
    return try_prompt(combined(parse(stored(floor_row()), saved=True), checked_policy(raw)), sample)


def calibrations_by_topic(raw: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """`topic_calibrations` of a policy as submitted, by topic name; none while it is invalid."""
    try:
        return {shown["name"]: shown for shown in topic_calibrations(raw)}
    except InvalidInput:
        return {}
