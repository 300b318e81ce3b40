"""The playground's JSON and streaming endpoints (the page's script calls them with the session
and the CSRF token). Members of the tenant only."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.views.decorators.http import require_POST

from identity.principals import Principal, person_in_tenant
from kernel.errors import DomainError, InvalidInput
from kernel.pool_threads import run_in_pool
from playground import services
from playground.chat import prepare, stream_events
from playground.failures import explain

SIGN_IN = {"title": "Signed out", "message": "Sign in again to use the playground.",
           "code": "signed_out", "status": 401}  # fmt: skip
NOT_MEMBER = {"title": "No access", "message": "You are not a member of this tenant.",
              "code": "permission_denied", "status": 404}  # fmt: skip


def _json(request: HttpRequest) -> dict[str, Any]:
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        raise InvalidInput("The request was not valid JSON.") from None
    if not isinstance(body, dict):
        raise InvalidInput("The request must be a JSON object.")
    return body


def principal_for(request: HttpRequest, user: Any) -> Principal | None:
    """The signed-in person as a principal of the request's tenant (None: not a member)."""
    return person_in_tenant(user, request.tenant)  # type: ignore[attr-defined]


def _refusal(failure: dict[str, Any]) -> JsonResponse:
    return JsonResponse({"error": failure}, status=failure["status"])


@require_POST
async def chat(request: HttpRequest) -> HttpResponse:
    """Start a turn; the answer streams back as server-sent events."""
    user = await request.auser()
    if not user.is_authenticated:
        return _refusal(SIGN_IN)
    tenant = request.tenant  # type: ignore[attr-defined]

    def start() -> Any:
        principal = principal_for(request, user)
        if principal is None:
            return None
        return prepare(tenant, principal, _json(request))

    try:
        prepared = await run_in_pool(start)
    except DomainError as error:
        return _refusal(explain(error))
    if prepared is None:
        return _refusal(NOT_MEMBER)
    response = StreamingHttpResponse(stream_events(prepared), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response


@require_POST
def feedback(request: HttpRequest, turn_id: int) -> HttpResponse:
    """{rating: up|down, comment}: the person's verdict on one of their answers."""
    if not request.user.is_authenticated:
        return _refusal(SIGN_IN)
    if principal_for(request, request.user) is None:
        return _refusal(NOT_MEMBER)
    try:
        body = _json(request)
        saved = services.record_feedback(user_id=request.user.pk, turn_id=turn_id,
                                         rating=body.get("rating"),
                                         comment=str(body.get("comment") or ""))  # fmt: skip
    except DomainError as error:
        return _refusal(explain(error))
    return JsonResponse({"turn_id": turn_id, "rating": "up" if saved.rating > 0 else "down",
                         "comment": saved.comment})  # fmt: skip
