"""`POST /t/<slug>/v1/feedback`: a thumbs up or down, and a comment, on one of this tenant's
API responses (by its id), for evaluation datasets."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from guardrails.models import InvocationRecord
from kernel.errors import InvalidInput, NotFound
from metering.models import UsageEvent
from playground.models import ResponseFeedback

RATINGS = {"up": 1, "down": -1, 1: 1, -1: -1}


def _captured(request_id: str) -> dict[str, str]:
    """The question and answer of a captured call (invocation logging), for curation."""
    record = InvocationRecord.objects.filter(request_id=request_id).first()
    if record is None:
        return {}
    questions = [m["content"] for m in record.input_messages if m.get("role") == "user"]
    return {"prompt": questions[-1] if questions else "", "answer": record.output_text,
            "model": record.model}  # fmt: skip


@extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT, tags=["feedback"])
@api_view(["POST"])
def feedback(request: Request) -> Response:
    """{response_id, rating: up|down, comment}: giving it again replaces the earlier verdict."""
    body = request.data if isinstance(request.data, dict) else {}
    response_id = str(body.get("response_id") or "").strip()
    if not response_id:
        raise InvalidInput("response_id: the id of the response (e.g. chatcmpl-...).")
    rating = RATINGS.get(body.get("rating"))  # type: ignore[arg-type]
    if rating is None:
        raise InvalidInput("rating: 'up' or 'down'.")
    comment = body.get("comment") or ""
    if not isinstance(comment, str) or len(comment) > 4000:
        raise InvalidInput("comment: text of at most 4000 characters.")
    ours = UsageEvent.objects.filter(request_id=response_id)  # scoped to the URL's tenant
    if not ours.exists():
        raise NotFound(
            f"response_id: no response {response_id} of this tenant (responses are recorded "
            "within seconds of the call)."
        )
    principal = request.user
    exchange = _captured(response_id)
    saved, _ = ResponseFeedback.objects.update_or_create(
        request_id=response_id, principal_type=principal.kind, principal_id=principal.id,  # type: ignore[union-attr]
        defaults={"principal_name": principal.name, "rating": rating, "comment": comment,  # type: ignore[union-attr]
                  **exchange},
    )  # fmt: skip
    return Response({"response_id": saved.request_id, "rating": "up" if rating > 0 else "down",
                     "comment": saved.comment}, status=201)  # fmt: skip
