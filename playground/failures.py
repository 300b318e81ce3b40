"""Failures in words a business user understands: what happened, and what to do."""

from __future__ import annotations

from typing import Any

from kernel.errors import DomainError

TITLES = {
    "budget_exhausted": "Your team's AI budget is used up",
    "rate_limit_exceeded": "Too many requests just now",
    "gone": "This model has been retired",
    "permission_denied": "This model isn't available to your team",
    "not_found": "This model isn't available to your team",
    "upstream_error": "The model's provider is not answering",
    "upstream_timeout": "The model's provider took too long",
    "guardrail_blocked": "Blocked by your organisation's policy",
}
ADVICE = {
    "rate_limit_exceeded": "Wait a moment and send it again.",
    "gone": "Pick another model from the list.",
    "permission_denied": "Pick another model, or ask your administrator to request this one.",
    "not_found": "Pick another model, or ask your administrator to request this one.",
    "upstream_error": "Try again in a minute, or pick another model.",
    "upstream_timeout": "Try again, perhaps with a shorter answer (fewer max tokens).",
}


def explain(error: DomainError) -> dict[str, Any]:
    title = TITLES.get(error.code, "That did not work")
    advice = ADVICE.get(error.code, "")
    return {
        "title": title,
        "message": f"{error.message} {advice}".strip(),
        "code": error.code,
        "status": error.status_code,
    }
