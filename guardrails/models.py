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
    prompt_injection_threshold = models.FloatField(
        default=0.5, help_text="The probability of an attack at which a prompt is blocked "
        "(0.05-0.95; lower blocks more)."
    )  # fmt: skip
    phone_regions = models.JSONField(
        default=list, blank=True, help_text="Regions whose national phone formats are matched "
        '(["CH", "AT"]); empty: US, GB, DE, FR, ES, IT, NL, JP.'
    )  # fmt: skip
    bedrock_guardrail = models.JSONField(
        default=dict, blank=True, help_text="{provider, identifier, version}: also apply this "
        "Amazon Bedrock guardrail (ApplyGuardrail)."
    )  # fmt: skip
    # Invocation logging (a tenant's own choice; unused on the floor).
    capture_invocations = models.BooleanField(
        default=False, help_text="Keep full prompts and answers (after masking)."
    )
    retention_days = models.PositiveIntegerField(default=30)
    updated_by = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"guardrail policy (updated {self.updated_at:%Y-%m-%d})"


class InvocationRecord(models.Model):
    """One captured call (tenant schema, opt-in): the prompt and the answer after masking, in
    the shape of Amazon Bedrock's model invocation log records."""

    request_id = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(db_index=True)
    principal = models.CharField(max_length=250)
    model = models.CharField(max_length=200, db_index=True)
    region = models.CharField(max_length=30, blank=True)
    operation = models.CharField(max_length=30)
    input_messages = models.JSONField()
    output_text = models.TextField(blank=True)
    input_tokens = models.PositiveIntegerField(default=0)
    output_tokens = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.request_id
