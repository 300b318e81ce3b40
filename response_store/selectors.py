"""Reading stored responses: only the caller's own, within the retention period."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from identity.principals import Principal
from kernel.errors import NotFound
from response_store.models import StoredResponse
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
