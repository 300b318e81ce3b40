"""Amazon Bedrock Guardrails as one more rule of a policy: ApplyGuardrail through boto3
(`bedrock-runtime`), with the catalogue provider's region, endpoint and credentials.

An intervention that only anonymised sensitive information masks (Bedrock's rewritten text is
used); any other intervention blocks. A guardrail that cannot be reached fails closed: the call
is refused, never let through unchecked."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from guardrails.policy import BedrockGuardrail
from kernel.hot_cache import cached
from models_catalog.models import Provider
from providers.errors import UpstreamError
from providers.selection import aws_client


def _blocked_anywhere(assessments: Any) -> bool:
    if isinstance(assessments, dict):
        if assessments.get("action") == "BLOCKED":
            return True
        return any(_blocked_anywhere(value) for value in assessments.values())
    if isinstance(assessments, list):
        return any(_blocked_anywhere(item) for item in assessments)
    return False


def apply(guardrail: BedrockGuardrail, text: str, direction: str) -> tuple[str, bool]:
    """(text as it may pass, blocked?)."""
    provider = cached(
        ("provider", guardrail.provider),
        lambda: Provider.objects.filter(name=guardrail.provider).first(),
    )
    if provider is None:
        raise UpstreamError(f"The Bedrock provider {guardrail.provider!r} is not configured.")
    client = aws_client(provider, "bedrock-runtime").get()
    try:
        answer = client.apply_guardrail(
            guardrailIdentifier=guardrail.identifier, guardrailVersion=guardrail.version,
            source="INPUT" if direction == "input" else "OUTPUT",
            content=[{"text": {"text": text}}],
        )  # fmt: skip
    except (BotoCoreError, ClientError) as error:
        raise UpstreamError(
            f"The Amazon Bedrock guardrail {guardrail.identifier} could not be applied ({error})."
        ) from None
    if answer.get("action") != "GUARDRAIL_INTERVENED":
        return text, False
    if _blocked_anywhere(answer.get("assessments", [])):
        return text, True
    rewritten = "".join(output.get("text", "") for output in answer.get("outputs", []))
    return rewritten or text, False
