"""One place where domain errors become HTTP for APIs: OpenAI's error body, the right status
and headers (DRF's handler in `portal.api_errors` uses the same body)."""

from __future__ import annotations

from typing import Any

from django.http import JsonResponse

from kernel.errors import DomainError

ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    405: "invalid_request_error",
    415: "invalid_request_error",
    409: "invalid_request_error",
    410: "not_found_error",
    413: "invalid_request_error",
    429: "rate_limit_error",
}


def error_body(
    message: str, status: int, code: str | None = None, param: str | None = None
) -> dict[str, Any]:
    return {
        "error": {
            "message": message,
            "type": ERROR_TYPES.get(status, "api_error"),
            "param": param,
            "code": code,
        }
    }


def domain_error_body(error: DomainError) -> dict[str, Any]:
    return error_body(error.message, error.status_code, error.code, error.param)


def domain_error_response(error: DomainError) -> JsonResponse:
    """For plain (non-DRF) API views: the same body, status and headers as DRF's handler."""
    response = JsonResponse(domain_error_body(error), status=error.status_code)
    for name, value in error.headers().items():
        response[name] = value
    return response
