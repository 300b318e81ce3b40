"""Text as a tenant's guardrails let a model read it or a person see it, each intervention
counted: one place for the gateway's messages and answers and for a knowledge-base query (embedded
and re-ranked before any chat model sees it), checked before anything is sent, reserved or
charged."""

from __future__ import annotations

from guardrails.engine import GuardrailBlocked, check
from guardrails.interventions import note
from guardrails.policy import Policy
from guardrails.selectors import policy_for
from tenants.models import Tenant


def checked(policy: Policy, slug: str, text: str, direction: str) -> str:
    """`text` as `policy` lets it pass in `direction` ("input" or "output"): masked where it
    says so, or GuardrailBlocked naming the rule (never the text); interventions noted."""
    if not text:
        return text
    try:
        verdict = check(policy, text, direction)
    except GuardrailBlocked as blocked:
        note(slug, direction, [(blocked.policy, "block")])
        raise
    note(slug, direction, verdict.interventions)
    return verdict.text


def checked_input(tenant: Tenant, text: str) -> str:
    """`text` as the tenant's policy (with the floor) lets a model read it."""
    return checked(policy_for(tenant), tenant.slug, text, "input")
