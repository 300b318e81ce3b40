"""Guardrail policies. The app is both a shared and a tenant app: the row in the public schema
is the platform's floor, which no tenant can weaken; the row in a tenant's schema is that
tenant's own policy, edited by its administrators. A call obeys both (`guardrails.policy`)."""

from __future__ import annotations

from django.db import models


class GuardrailPolicy(models.Model):
    pii = models.JSONField(default=dict, help_text='Kind -> "off", "mask" or "block".')
    denied_topics = models.JSONField(default=list, help_text="[{name, examples, keywords}]")
    word_filters = models.JSONField(default=list, help_text="[{name, pattern, regex}]")
    prompt_injection = models.BooleanField(default=False)
    updated_by = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"guardrail policy (updated {self.updated_at:%Y-%m-%d})"
