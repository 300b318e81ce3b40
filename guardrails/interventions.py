"""Every guardrail intervention counted (Prometheus, by tenant, rule, action and direction) and
logged, without the text that triggered it."""

from __future__ import annotations

import logging

from prometheus_client import Counter

logger = logging.getLogger("atrium.guardrails")

INTERVENTIONS = Counter(
    "atrium_guardrail_interventions_total", "Guardrail blocks and masks.",
    ["tenant", "rule", "action", "direction"],
)  # fmt: skip


def note(tenant: str, direction: str, interventions: list[tuple[str, str]]) -> None:
    for rule, action in interventions:
        INTERVENTIONS.labels(tenant, rule, action, direction).inc()
        logger.info("guardrail %s", action, extra={"tenant": tenant, "rule": rule,
                                                   "direction": direction})  # fmt: skip
