"""A tenant's input guardrails on text that reaches a model outside a chat call: a knowledge-base
query, embedded and re-ranked before any chat model sees it. Checked before anything is sent,
reserved or charged, as a chat's messages are (`gateway.calls`), each intervention counted."""

from __future__ import annotations

from guardrails.engine import GuardrailBlocked, check
from guardrails.interventions import note
from guardrails.selectors import policy_for
from tenants.models import Tenant


def checked_input(tenant: Tenant, text: str) -> str:
    """`text` as the tenant's policy (with the floor) lets a model read it: masked where it says
    so, or GuardrailBlocked naming the rule (never the text)."""
    try:
        verdict = check(policy_for(tenant), text, "input")
    except GuardrailBlocked as blocked:
        note(tenant.slug, "input", [(blocked.policy, "block")])
        raise
    note(tenant.slug, "input", verdict.interventions)
    return verdict.text
