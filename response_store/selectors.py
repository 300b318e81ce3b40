"""Reading stored responses: only the caller's own, within the retention period."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from gateway.parameters import BadParameter
from identity.principals import Principal
from kernel.errors import NotFound
from response_store.models import StoredResponse
from response_store.parameters import ItemsPage
from tenants.models import Tenant
from tenants.schemas import in_tenant_schema


class ResponseNotFound(NotFound):
    code = "response_not_found"


def owner_of(principal: Principal) -> str:
    return f"{principal.kind}:{principal.id}"


def retention_cutoff() -> Any:
    """Responses created before this are past retention: gone, whether purged yet or not."""
    return timezone.now() - timedelta(days=settings.RESPONSES_RETENTION_DAYS)


def access_response(
    tenant: Tenant, principal: Principal, response_id: Any, *, param: str | None = None
) -> StoredResponse:
    """The stored response `response_id` of this caller in `tenant`, or the same 404 whether it
    is missing, past retention, another principal's or another tenant's (another tenant's is
    not even in this schema)."""
    found = None
    if isinstance(response_id, str):
        with in_tenant_schema(tenant):
            found = StoredResponse.objects.filter(
                pk=response_id, principal=owner_of(principal), created_at__gte=retention_cutoff()
            ).first()
    if found is None:
        raise ResponseNotFound(f"No response with id '{response_id}' was found.", param=param)
    return found


def conversation_after(stored: StoredResponse) -> list[dict[str, Any]]:
    """The items a follow-up of `stored` continues from: its conversation, then its output."""
    return [*stored.conversation, *stored.response.get("output", [])]


def input_items_page(stored: StoredResponse, page: ItemsPage) -> tuple[list[dict[str, Any]], bool]:
    """(the items of `page`, whether more follow) among the input items of `stored`: its
    conversation, earlier turns included, as OpenAI lists them (newest first by default)."""
    items = stored.conversation if page.order == "asc" else stored.conversation[::-1]
    start = 0
    if page.after is not None:
        ids = [item.get("id") for item in items]
        if page.after not in ids:
            raise BadParameter("after", f"names no input item of response {stored.id}.")
        start = ids.index(page.after) + 1
    return items[start : start + page.limit], start + page.limit < len(items)
