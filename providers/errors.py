"""Upstream failures, as the caller should see them (OpenAI's error shape, the right status)."""

from __future__ import annotations

from kernel.errors import DomainError


class UpstreamError(DomainError):
    """The provider failed or answered something we cannot use. `retryable`: a later attempt,
    or another provider, may well succeed (5xx, connection trouble), as opposed to a refusal."""

    status_code = 502
    code = "upstream_error"

    def __init__(self, message: str, *, retryable: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable


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
