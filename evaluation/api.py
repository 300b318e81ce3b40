"""`POST /t/<slug>/v1/feedback`: a thumbs up or down, and a comment, on one of this tenant's
API responses (by its id), for evaluation datasets."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from evaluation.services import record_response_feedback
from identity.principals import Principal
from kernel.errors import InvalidInput

RATINGS = {"up": 1, "down": -1, 1: 1, -1: -1}


@extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT, tags=["feedback"])
@api_view(["POST"])
def feedback(request: Request) -> Response:
    """{response_id, rating: up|down, comment}: giving it again replaces the earlier verdict."""
    body = request.data if isinstance(request.data, dict) else {}
    response_id = str(body.get("response_id") or "").strip()
    if not response_id:
        raise InvalidInput("response_id: the id of the response (e.g. chatcmpl-...).")
    given = body.get("rating")
    rating = RATINGS.get(given) if isinstance(given, str | int) else None
    if rating is None:
        raise InvalidInput("rating: 'up' or 'down'.")
    comment = body.get("comment") or ""
    if not isinstance(comment, str) or len(comment) > 4000:
        raise InvalidInput("comment: text of at most 4000 characters.")
    principal: Principal = request.user  # type: ignore[assignment]  # set by bearer auth
    saved = record_response_feedback(
        request_id=response_id, principal=principal, rating=rating, comment=comment
    )
    return Response({"response_id": saved.request_id, "rating": "up" if rating > 0 else "down",
                     "comment": saved.comment}, status=201)  # fmt: skip
