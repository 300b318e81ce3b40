"""Domain errors: services raise them, one place maps them to HTTP (kernel.http_errors) and pages
show their message. Each message says what to do."""

from __future__ import annotations

import re

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


class DomainError(Exception):
    status_code = 400
    code = "invalid_request"

    def __init__(self, message: str, *, param: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.param = param  # the request field the error is about, when there is one

    def headers(self) -> dict[str, str]:
        """HTTP headers the response carries (Retry-After for refusals that pass with time)."""
        retry_after = getattr(self, "retry_after", None)
        return {} if retry_after is None else {"Retry-After": str(retry_after)}


# "monthly_limit: must be more than zero.", "filters.dated_from: a date ...": the field a
# message opens with, by the house's convention for refusals of one field.
_FIELD_FIRST = re.compile(r"([a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*|\[\d+\])*): ")


class InvalidInput(DomainError):
    """A request refused for what it says; `param` is the field, or the one the message opens
    with ("max_tokens: ...")."""

    status_code = 400
    code = "invalid_request"

    def __init__(self, message: str, *, param: str | None = None) -> None:
        if param is None and (named := _FIELD_FIRST.match(message)):
            param = named[1]
        super().__init__(message, param=param)


class NotAllowed(DomainError):
    status_code = 403
    code = "permission_denied"


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class Conflict(DomainError):
    status_code = 409
    code = "conflict"


class Gone(DomainError):
    status_code = 410
    code = "gone"


class DependencyUnavailable(DomainError):
    """PostgreSQL or Redis cannot be reached: nothing is wrong with the request, so the caller
    may send it again shortly (`kernel.outages` decides which failures these are)."""

    status_code = 503
    code = "dependency_unavailable"
    retry_after = 5


def invalid_input_of(error: ValidationError) -> InvalidInput:
    """A model's validation error as a refusal naming its (first) field."""
    fields = [name for name in getattr(error, "error_dict", {}) if name != NON_FIELD_ERRORS]
    return InvalidInput("; ".join(error.messages), param=fields[0] if fields else None)
