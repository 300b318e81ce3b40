"""Writing stored responses: keeping one (after it was answered), deleting one, purging those
past the retention period."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from identity.principals import Principal
from providers.openai_wire import without_lone_surrogates
from response_store.models import StoredResponse
from response_store.openai_format import with_item_id
from response_store.selectors import access_response, owner_of, retention_cutoff
from tenants.models import Tenant
from tenants.schemas import in_tenant_schema


def store_response(
    *, tenant: Tenant, principal: Principal, response: dict[str, Any],
    conversation: list[dict[str, Any]],
) -> StoredResponse:  # fmt: skip
    """Keep an answered response (with `store: true`) for `previous_response_id`, GET and
    DELETE by the principal that asked for it, each input item with an id; what PostgreSQL
    cannot hold is replaced (`storable`)."""
    with in_tenant_schema(tenant):
        return StoredResponse.objects.create(
            id=response["id"], principal=owner_of(principal), model=response["model"],
            conversation=storable([with_item_id(item) for item in conversation]),
            response=storable(response),
            created_at=timezone.now(),
        )  # fmt: skip


def storable(value: Any) -> Any:
    """`value` with each NUL and lone surrogate in its strings replaced by U+FFFD: a model's
    answer may hold either (a request that does is refused), and jsonb holds neither."""
    if isinstance(value, str):
        return without_lone_surrogates(value.replace("\x00", "\ufffd"))
    if isinstance(value, list):
        return [storable(item) for item in value]
    if isinstance(value, dict):
        return {key: storable(item) for key, item in value.items()}
    return value


def delete_response(*, tenant: Tenant, principal: Principal, response_id: str) -> None:
    """Delete the caller's stored response (the same 404 as reading it, when it is not theirs)."""
    stored = access_response(tenant, principal, response_id)
    with in_tenant_schema(tenant):
        stored.delete()


def purge_expired_responses() -> int:
    """Delete the active tenant's responses past RESPONSES_RETENTION_DAYS; how many."""
    return StoredResponse.objects.filter(created_at__lt=retention_cutoff()).delete()[0]
