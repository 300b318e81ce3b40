"""The ASGI handler of the tenant API's model endpoints (`/t/<slug>/v1/chat/completions`,
`/embeddings`, `/models`), which `portal.asgi` routes here before Django's own handler.

Django's handler would put every call through the browser middleware (sessions, CSRF, messages,
static files: none of which a bearer-token API needs) and send the request signals, whose
synchronous receivers start a thread for every request. This one reads the request, calls the
async view and sends its response, with Django's own request and response classes; a client that
disconnects cancels the view (so a stream stops its upstream call), as in Django's handler.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from typing import Any, cast

from django.core.exceptions import RequestAborted
from django.core.handlers import base
from django.core.handlers.asgi import ASGIHandler
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse

from gateway import api
from kernel.http_errors import domain_error_response, error_body
from kernel.outages import dependency_outage
from kernel.pool_threads import pooled

logger = logging.getLogger("django.request")

ROUTE = re.compile(r"^/t/[^/]+/v1/(chat/completions|embeddings|models|models/.+)$")
VIEWS = {
    "chat/completions": api.chat_completions,
    "embeddings": api.embeddings,
    "models": api.models,
    "model": api.model,
}


def serves(path: str) -> bool:
    # A path with a NUL goes to Django's handler, whose first middleware refuses it.
    return "\x00" not in path and ROUTE.match(path) is not None


class GatewayHandler(ASGIHandler):
    def __init__(self) -> None:
        base.BaseHandler.__init__(self)  # no middleware chain

    async def handle(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        try:
            request, refusal = self.create_request(scope, body_file)
            if request is None:
                # create_request() gives either a request or the response refusing it (a path
                # not in UTF-8, a body over the size limit): said in OpenAI's shape.
                status = cast(HttpResponseBase, refusal).status_code
                message = "The request could not be read (a path or body this API cannot take)."
                answer = JsonResponse(error_body(message, status), status=status)
                _as_django_would(answer)
                await self.send_response(answer, send)
                return
            tasks = [
                asyncio.create_task(self.listen_for_disconnect(receive)),
                asyncio.create_task(self._respond(request, send)),
            ]
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for task in tasks:
                if not task.done():
                    task.cancel()  # the client left: stop the view and its upstream call
                with contextlib.suppress(asyncio.CancelledError, RequestAborted):
                    await task
        finally:
            body_file.close()

    async def _respond(self, request: HttpRequest, send: Any) -> None:
        route = ROUTE.match(request.path).group(1)  # type: ignore[union-attr]  # see serves()
        view = VIEWS["model" if route.startswith("models/") else route]
        try:
            with pooled():
                response: HttpResponseBase = await view(request)
        except Exception as error:
            response = _unexpected(request, error)
        _as_django_would(response)
        # A stream's body runs here, after the view: its pool work (settling, capture) must also
        # hand back the database connections it opens.
        with contextlib.suppress(asyncio.CancelledError), pooled():  # the client may leave
            await self.send_response(response, send)


def _as_django_would(response: HttpResponseBase) -> None:
    """The headers Django's middleware would have set on an API answer: its length (a whole
    answer), and no content-type sniffing."""
    if isinstance(response, HttpResponse) and not response.has_header("Content-Length"):
        response.headers["Content-Length"] = str(len(response.content))
    response.headers.setdefault("X-Content-Type-Options", "nosniff")


def _unexpected(request: HttpRequest, error: Exception) -> HttpResponseBase:
    """A dead PostgreSQL or Redis: a 503 with Retry-After. Anything else is a bug: logged like
    Django's handler does, answered in OpenAI's shape."""
    outage = dependency_outage(error)
    if outage is not None:
        logger.warning("%s %s: %s (%s)", request.method, request.path, outage.message, error)
        return domain_error_response(outage)
    logger.exception("Internal Server Error: %s", request.path)
    return JsonResponse(
        error_body("The gateway failed unexpectedly; the error is logged.", 500), status=500
    )
