"""An error answered by a middleware, before any view, in the shape the path's clients read:
OpenAI's error body on the APIs (`/api/`, `/t/<slug>/v1/`), OAuth 2.0's on the built-in
provider (RFC 6749, 5.2), a page elsewhere; with the error's headers (Retry-After...)."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase, JsonResponse

from kernel.errors import DomainError
from kernel.http_errors import domain_error_response

API_PATH = re.compile(r"^/api/|^/t/[^/]+/v1/")


def shaped_error(
    request: HttpRequest,
    error: DomainError,
    *,
    oauth_error: str,
    page: Callable[[], HttpResponseBase],
) -> HttpResponseBase:
    if API_PATH.match(request.path):
        return domain_error_response(error)
    if request.path.startswith("/idp/"):
        body = {"error": oauth_error, "error_description": error.message}
        response: HttpResponseBase = JsonResponse(body, status=error.status_code)
    else:
        response = page()
    for name, value in error.headers().items():
        response[name] = value
    return response
