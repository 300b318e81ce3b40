"""The guardrail policy's body, for the API's OpenAPI schema: exact types and choices from the
constants `guardrails.policy.parse` checks (which validates, naming the field)."""

from __future__ import annotations

from rest_framework import serializers

from guardrails.policy import ACTIONS, INJECTION_THRESHOLD_RANGE, PII_KINDS

PiiSerializer = type(
    "PiiSerializer",
    (serializers.Serializer,),
    {kind: serializers.ChoiceField(choices=ACTIONS, required=False) for kind in PII_KINDS},
)


class DeniedTopicSerializer(serializers.Serializer):
    name = serializers.CharField(min_length=1)
    examples = serializers.ListField(child=serializers.CharField(), required=False)
    keywords = serializers.ListField(child=serializers.CharField(), required=False)
    counter_examples = serializers.ListField(
        child=serializers.CharField(), required=False,
        help_text="Prompts close to the topic that are allowed; the threshold is calibrated "
        "between them and the examples.",
    )  # fmt: skip


class WordFilterSerializer(serializers.Serializer):
    name = serializers.CharField(required=False)
    pattern = serializers.CharField(min_length=1)
    regex = serializers.BooleanField(required=False, help_text="A regular expression (RE2).")


class BedrockGuardrailSerializer(serializers.Serializer):
    provider = serializers.CharField(min_length=1)
    identifier = serializers.CharField(min_length=1)
    version = serializers.CharField(min_length=1)


class FloorPolicySerializer(serializers.Serializer):
    pii = PiiSerializer(required=False, help_text="Per kind: off, mask or block.")
    denied_topics = DeniedTopicSerializer(many=True, required=False)
    word_filters = WordFilterSerializer(many=True, required=False)
    prompt_injection = serializers.BooleanField(required=False)
    prompt_injection_threshold = serializers.FloatField(
        required=False, min_value=INJECTION_THRESHOLD_RANGE[0],
        max_value=INJECTION_THRESHOLD_RANGE[1],
        help_text="The attack probability at which a prompt is blocked (lower blocks more; 0.5).",
    )  # fmt: skip
    phone_regions = serializers.ListField(
        child=serializers.CharField(min_length=2, max_length=2),
        required=False,
        help_text="Region codes whose national phone formats are matched; empty: the default set.",
    )
    bedrock_guardrail = BedrockGuardrailSerializer(required=False)


class TenantPolicySerializer(FloorPolicySerializer):
    capture_invocations = serializers.BooleanField(required=False)
    retention_days = serializers.IntegerField(required=False, min_value=1, max_value=3650)
