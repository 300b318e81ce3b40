"""Domain errors: services raise them, one handler maps them to HTTP (portal.api_errors) and pages
show their message. Each message says what to do."""

from __future__ import annotations


class DomainError(Exception):
    status_code = 400
    code = "invalid_request"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(DomainError):
    status_code = 400
    code = "invalid_request"


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
