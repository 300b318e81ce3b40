"""The outermost middleware: the requests that must not depend on PostgreSQL, and the answer to
every request that meets a dead PostgreSQL or Redis.

- The probes are answered here, before the tenant routing (which reads the public tenant from
  the database): `/healthz` touches nothing, `/readyz` says in JSON what is down.
- A dependency outage (as `kernel.outages` judges it) anywhere below, in a view, in DRF or in a
  middleware, becomes a fast 503 with Retry-After, in the shape the path's clients read: OpenAI's
  error body on the APIs, OAuth's on the OpenID provider, a page elsewhere. A view's outage is
  caught in `process_exception`; a middleware's (the tenant routing's) has already become
  Django's 500 page by the time it reaches here, so `got_request_exception` notes it on the
  request and `process_response` puts the 503 in its place.
The gateway's own ASGI handler, which has no middleware, answers outages with the same body.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

from django.core.signals import got_request_exception
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.template.loader import render_to_string
from django.utils.deprecation import MiddlewareMixin

from kernel.errors import DependencyUnavailable
from kernel.outages import dependency_outage
from portal.error_shapes import shaped_error
from portal.views import healthz, readyz

logger = logging.getLogger(__name__)

PROBES: dict[str, Callable[[HttpRequest], HttpResponseBase]] = {
    "/healthz": healthz,
    "/readyz": readyz,
}
NOTED = "dependency_outage"  # the request attribute that carries a middleware's outage


def outage_response(request: HttpRequest, outage: DependencyUnavailable) -> HttpResponseBase:
    """The 503 in the shape the path's clients read. The page is rendered without the request:
    its context processors would read the session and the user from the database."""

    def page() -> HttpResponseBase:
        text = render_to_string("portal/unavailable.html", {"message": outage.message})
        return HttpResponse(text, status=outage.status_code)

    return shaped_error(request, outage, oauth_error="temporarily_unavailable", page=page)


def _note_outage(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    outage = dependency_outage(sys.exc_info()[1]) if request is not None else None
    if outage is not None:
        setattr(request, NOTED, outage)


class DependencyOutages(MiddlewareMixin):
    def __init__(self, get_response: Any) -> None:
        super().__init__(get_response)
        got_request_exception.connect(_note_outage, dispatch_uid="portal.outages")

    def process_request(self, request: HttpRequest) -> HttpResponseBase | None:
        probe = PROBES.get(request.path)
        return probe(request) if probe is not None else None

    def process_exception(
        self, request: HttpRequest, exception: Exception
    ) -> HttpResponseBase | None:
        outage = dependency_outage(exception)
        if outage is None:
            return None
        logger.warning("%s %s: %s (%s)", request.method, request.path, outage.message, exception)
        return outage_response(request, outage)

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        outage: DependencyUnavailable | None = getattr(request, NOTED, None)
        if outage is not None and response.status_code == 500:
            return outage_response(request, outage)
        return response
