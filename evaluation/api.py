"""`POST /t/<slug>/v1/feedback`: a thumbs up or down, and a comment, on one of this tenant's
API responses (by its id), for evaluation datasets."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiTypes, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from evaluation.services import MAX_COMMENT, record_response_feedback, verdict_of
from identity.principals import Principal
from kernel.errors import InvalidInput


@extend_schema(
    request=inline_serializer(
        "Feedback",
        {
            "response_id": serializers.CharField(min_length=1, help_text="e.g. chatcmpl-..."),
            "rating": serializers.ChoiceField(choices=["up", "down"]),
            "comment": serializers.CharField(
                required=False, allow_blank=True, max_length=MAX_COMMENT
            ),
        },
    ),
    responses={201: OpenApiTypes.OBJECT},
    tags=["feedback"],
)
@api_view(["POST"])
def feedback(request: Request) -> Response:
    """{response_id, rating: up|down, comment}: giving it again replaces the earlier verdict."""
    body = request.data if isinstance(request.data, dict) else {}
    response_id = str(body.get("response_id") or "").strip()
    if not response_id:
        raise InvalidInput("response_id: the id of the response (e.g. chatcmpl-...).")
    verdict = verdict_of(rating=body.get("rating"), comment=body.get("comment"))
    principal: Principal = request.user  # type: ignore[assignment]  # set by bearer auth
    saved = record_response_feedback(request_id=response_id, principal=principal, verdict=verdict)
    return Response({"response_id": saved.request_id,
                     "rating": "up" if saved.rating > 0 else "down",
                     "comment": saved.comment}, status=201)  # fmt: skip
