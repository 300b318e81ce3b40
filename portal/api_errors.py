"""DRF's exception handler: domain errors and DRF's own, in OpenAI's error body."""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.settings import api_settings

from identity.api_auth import ASK_FOR_BEARER, TokenRejected, challenge
from kernel.errors import DomainError
from kernel.http_errors import domain_error_body, error_body


def _message(detail: Any) -> str:
    if isinstance(detail, list):
        return " ".join(_message(item) for item in detail)
    if isinstance(detail, dict):
        return " ".join(f"{key}: {_message(value)}" for key, value in detail.items())
    return str(detail)


def openai_error_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        return Response(domain_error_body(exc), status=exc.status_code, headers=exc.headers())
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
    # A field's error names the field (the first, where several are wrong).
    param = next(iter(exc.detail), None) if isinstance(exc.detail, dict) else None
    if param == api_settings.NON_FIELD_ERRORS_KEY:
        param = None
    return Response(
        error_body(_message(exc.detail), status, code, None if param is None else str(param)),
        status=status,
        headers=headers,
    )
