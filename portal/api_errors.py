"""One place where API errors become HTTP: OpenAI's error body, the right status and headers."""

from __future__ import annotations

from typing import Any

from django.http import JsonResponse
from rest_framework import exceptions
from rest_framework.response import Response

from identity.api_auth import ASK_FOR_BEARER, TokenRefused, TokenRejected, challenge
from portal.errors import DomainError

ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    405: "invalid_request_error",
    415: "invalid_request_error",
    409: "invalid_request_error",
    410: "not_found_error",
    429: "rate_limit_error",
}


def error_body(message: str, status: int, code: str | None = None) -> dict[str, Any]:
    return {
        "error": {
            "message": message,
            "type": ERROR_TYPES.get(status, "api_error"),
            "param": None,
            "code": code,
        }
    }


def _message(detail: Any) -> str:
    if isinstance(detail, list):
        return " ".join(_message(item) for item in detail)
    if isinstance(detail, dict):
        return " ".join(f"{key}: {_message(value)}" for key, value in detail.items())
    return str(detail)


def _domain_headers(error: DomainError) -> dict[str, str]:
    headers = {}
    retry_after = getattr(error, "retry_after", None)
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    if isinstance(error, TokenRefused):
        headers["WWW-Authenticate"] = error.challenge
    return headers


def domain_error_response(error: DomainError) -> JsonResponse:
    """For plain (non-DRF) API views: the same body, status and headers as the handler below."""
    body = error_body(error.message, error.status_code, error.code)
    response = JsonResponse(body, status=error.status_code)
    for name, value in _domain_headers(error).items():
        response[name] = value
    return response


def openai_error_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        body = error_body(exc.message, exc.status_code, exc.code)
        return Response(body, status=exc.status_code, headers=_domain_headers(exc))
    if not isinstance(exc, exceptions.APIException):
        return None  # a bug: let Django log it and answer 500
    status = exc.status_code
    headers: dict[str, str] = {}
    if isinstance(exc, TokenRejected):
        headers["WWW-Authenticate"] = challenge(exc.description)
        code = "invalid_token"
    elif isinstance(exc, exceptions.NotAuthenticated):
        headers["WWW-Authenticate"] = challenge()
        code = "missing_token"
        exc.detail = ASK_FOR_BEARER
    else:
        code = exc.get_codes() if isinstance(exc.get_codes(), str) else None
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))  # type: ignore[attr-defined]
    return Response(error_body(_message(exc.detail), status, code), status=status, headers=headers)
