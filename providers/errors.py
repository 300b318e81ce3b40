"""Upstream failures, as the caller should see them (OpenAI's error shape, the right status)."""

from __future__ import annotations

import re

from kernel.errors import DomainError, InvalidInput
from providers.types import Usage


class UpstreamError(DomainError):
    """The provider failed or answered something we cannot use. `retryable`: a later attempt,
    or another provider, may well succeed (5xx, connection trouble), as opposed to a refusal."""

    status_code = 502
    code = "upstream_error"

    def __init__(self, message: str, *, retryable: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable


class UnusableAnswer(UpstreamError):
    """The provider answered, and charged for, something the gateway cannot pass on (a stop it
    calls malformed, no choices, a body that is not JSON): a 502 all the same, but the call is
    billed with `usage` (None: the provider reported none, so the gateway counts the prompt and
    `answered`). Not retried: each attempt would be charged again."""

    def __init__(self, message: str, *, usage: Usage | None = None, answered: str = "") -> None:
        super().__init__(message)
        self.usage = usage
        self.answered = answered

    def headers(self) -> dict[str, str]:
        """`x-should-retry: false`: OpenAI's SDKs resend a 502 by themselves unless told not
        to, and each attempt would be billed."""
        return {**super().headers(), "x-should-retry": "false"}


class ProviderRefused(InvalidInput):
    """The provider refused the request for what it says (Bedrock's ValidationException, a 400
    or 422 of an OpenAI-compatible server): the caller's to fix, so a 400 with the provider's
    message, never retried nor sent to a fallback (it would refuse it too)."""


class PastContextWindow(ProviderRefused):
    """The provider found the input longer than the model's context window; for a chat call,
    the gateway says so as it does when it finds that itself (`gateway.context_window`)."""


# How providers say a prompt is past the model's context window: Bedrock ("Input is too long for
# requested model", "prompt is too long", "too many input tokens"), vLLM and OpenAI ("maximum
# context length is ..."), llama.cpp ("exceeds the available context size").
_PAST_CONTEXT_WINDOW = re.compile(
    r"input is too long|prompt is too long|too many (input )?tokens"
    r"|context[ _](length|size|window)",
    re.IGNORECASE,
)


def provider_refusal(message: str) -> ProviderRefused:
    """The refusal a provider's `message` is: past the context window, or another."""
    if _PAST_CONTEXT_WINDOW.search(message):
        return PastContextWindow(message)
    return ProviderRefused(message)


class ProviderNotConfigured(UpstreamError):
    """The provider has no credentials: only the platform team can fix it, waiting will not."""

    code = "provider_not_configured"


class UpstreamTimeout(DomainError):
    status_code = 504
    code = "upstream_timeout"
    retryable = True


class UpstreamThrottled(DomainError):
    status_code = 429
    code = "upstream_throttled"

    retryable = True

    def __init__(self, message: str, retry_after: int = 1) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ProviderUnsupported(DomainError):
    status_code = 501
    code = "provider_not_supported"
