"""Who may use which model: requests, decisions, grants and revocations, all audited."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.services import record_audit
from kernel.errors import Conflict, InvalidInput, NotFound
from models_catalog.models import (
    AccessRequest,
    FoundationModel,
    Lifecycle,
    ModelGrant,
    scope_label,
)
from models_catalog.selectors import active_grants
from tenants.models import BusinessUnit, Tenant


def _business_unit_of(tenant: Tenant, business_unit_id: int | None) -> BusinessUnit | None:
    if business_unit_id is None:
        return None
    unit = BusinessUnit.objects.filter(pk=business_unit_id, tenant=tenant).first()
    if unit is None:
        raise NotFound("No such business unit in this tenant.")
    return unit


def _usable_entry(model_name: str, now: datetime) -> FoundationModel:
    model = FoundationModel.objects.filter(name=model_name).first()
    if model is None:
        raise NotFound(f"The catalogue has no model called {model_name!r}.")
    if model.lifecycle(now) == Lifecycle.RETIRED:
        raise InvalidInput(f"{model.name} is retired; it cannot be requested or granted.")
    return model


def _already_granted(
    tenant: Tenant, model: FoundationModel, unit: BusinessUnit | None, now: datetime
) -> bool:
    """Whether a grant of `model` to exactly this scope is in force. Takes the model's row lock
    first (inside the caller's transaction), so that two grants of it made at once (the grant
    matrix and an approval) are checked and made one after the other, never both."""
    list(FoundationModel.objects.select_for_update().filter(pk=model.pk).values_list("pk"))
    return active_grants(tenant, now, unit).filter(model=model, business_unit=unit).exists()


def _request_state(request: AccessRequest) -> dict[str, Any]:
    return {
        "state": request.state,
        "decided_by": request.decided_by or None,
        "comment": request.decision_comment or None,
        "expires_at": request.expires_at.isoformat() if request.expires_at else None,
    }


def request_access(
    *,
    tenant: Tenant,
    model_name: str,
    justification: str,
    requester: Any | None,
    actor: str | None = None,
    business_unit_id: int | None = None,
    now: datetime | None = None,
) -> AccessRequest:
    """A tenant administrator asks for a model, for the tenant or one business unit."""
    now = now or timezone.now()
    actor = actor or (requester.get_username() if requester is not None else "")
    justification = justification.strip()
    if not justification:
        raise InvalidInput("Say why the tenant needs the model (justification).")
    model = _usable_entry(model_name, now)
    unit = _business_unit_of(tenant, business_unit_id)
    if unit is not None and not unit.is_active:
        raise InvalidInput(f"{unit.name} is archived: nobody works for it any more.")
    if active_grants(tenant, now, unit).filter(model=model).exists():
        raise Conflict(f"This tenant can already use {model.name}.")
    try:
        with transaction.atomic():
            request = AccessRequest.objects.create(
                tenant=tenant,
                business_unit=unit,
                model=model,
                justification=justification,
                requested_by=requester,
                requested_at=now,
            )
            record_audit(
                actor=actor,
                action="access_request.created",
                target=request,
                tenant=tenant,
                after={
                    "model": model.name,
                    "business_unit": unit.name if unit else None,
                    "state": request.state,
                },
            )
    except IntegrityError:
        raise Conflict(f"A request for {model.name} is already waiting for a decision.") from None
    return request


def _pending_for_update(request_id: int) -> AccessRequest:
    request = (
        AccessRequest.objects.select_for_update(of=("self",))
        .select_related("tenant", "model", "business_unit")
        .filter(pk=request_id)
        .first()
    )
    if request is None:
        raise NotFound("No such access request.")
    if request.state != AccessRequest.State.PENDING:
        raise Conflict(f"This request was already {request.state} by {request.decided_by}.")
    return request


def approve_request(
    *,
    request_id: int,
    actor: str,
    comment: str = "",
    expires_at: datetime | None = None,
    now: datetime | None = None,
) -> ModelGrant:
    """Approve a pending request: the tenant (or unit) gets the model, until `expires_at`."""
    now = now or timezone.now()
    if expires_at is not None and expires_at <= now:
        raise InvalidInput("An approval's expiry must be in the future.")
    with transaction.atomic():
        request = _pending_for_update(request_id)
        if request.model.lifecycle(now) == Lifecycle.RETIRED:
            raise Conflict(f"{request.model.name} has been retired; reject the request instead.")
        unit = request.business_unit
        if unit is not None and not unit.is_active:
            raise Conflict(
                f"{unit.name} was archived after this request was made: nobody works for it "
                "any more. Reject the request instead."
            )
        if _already_granted(request.tenant, request.model, unit, now):
            raise Conflict(
                f"{request.model.name} is already granted to {scope_label(request.tenant, unit)}; "
                "reject the request with a comment saying so, or revoke that grant first."
            )
        before = _request_state(request)
        request.state = AccessRequest.State.APPROVED
        request.decided_by, request.decided_at = actor, now
        request.decision_comment, request.expires_at = comment.strip(), expires_at
        request.save()
        grant = ModelGrant.objects.create(
            model=request.model,
            tenant=request.tenant,
            business_unit=request.business_unit,
            expires_at=expires_at,
            granted_by=actor,
            granted_at=now,
            request=request,
        )
        record_audit(
            actor=actor,
            action="access_request.approved",
            target=request,
            tenant=request.tenant,
            before=before,
            after=_request_state(request),
        )
    return grant


def reject_request(
    *, request_id: int, actor: str, comment: str, now: datetime | None = None
) -> AccessRequest:
    """Reject a pending request; the requester sees the comment, so it is required."""
    if not comment.strip():
        raise InvalidInput("Tell the requester why (comment).")
    with transaction.atomic():
        request = _pending_for_update(request_id)
        before = _request_state(request)
        request.state = AccessRequest.State.REJECTED
        request.decided_by, request.decided_at = actor, now or timezone.now()
        request.decision_comment = comment.strip()
        request.save()
        record_audit(
            actor=actor,
            action="access_request.rejected",
            target=request,
            tenant=request.tenant,
            before=before,
            after=_request_state(request),
        )
    return request


def grant_model(
    *,
    model_name: str,
    tenants: Iterable[Tenant] | None,
    actor: str,
    expires_at: datetime | None = None,
    now: datetime | None = None,
) -> list[ModelGrant]:
    """Grant a model to chosen tenants, or to every tenant (`tenants=None`)."""
    now = now or timezone.now()
    model = _usable_entry(model_name, now)
    if expires_at is not None and expires_at <= now:
        raise InvalidInput("A grant's expiry must be in the future.")
    chosen = list(Tenant.objects.exclude(schema_name="public") if tenants is None else tenants)
    grants = []
    with transaction.atomic():
        for tenant in chosen:
            if _already_granted(tenant, model, None, now):
                continue
            grant = ModelGrant.objects.create(
                model=model,
                tenant=tenant,
                expires_at=expires_at,
                granted_by=actor,
                granted_at=now,
            )
            record_audit(
                actor=actor,
                action="model_grant.created",
                target=grant,
                tenant=tenant,
                after={
                    "model": model.name,
                    "expires_at": expires_at.isoformat() if expires_at else None,
                },
            )
            grants.append(grant)
    return grants


def revoke_grant(*, grant_id: int, actor: str, now: datetime | None = None) -> ModelGrant:
    """Take a model away; the tenant's next request already finds it gone."""
    now = now or timezone.now()
    with transaction.atomic():
        grant = (
            ModelGrant.objects.select_for_update(of=("self",))
            .select_related("tenant", "model", "business_unit")
            .filter(pk=grant_id)
            .first()
        )
        if grant is None:
            raise NotFound("No such grant.")
        if grant.revoked_at is not None:
            raise Conflict(f"This grant was already revoked by {grant.revoked_by}.")
        grant.revoked_at, grant.revoked_by = now, actor
        grant.save(update_fields=["revoked_at", "revoked_by"])
        record_audit(
            actor=actor,
            action="model_grant.revoked",
            target=grant,
            tenant=grant.tenant,
            before={"model": grant.model.name, "revoked": False},
            after={"model": grant.model.name, "revoked": True},
        )
    return grant


def grant_to_scope(
    *,
    model_id: int,
    tenant_id: int,
    business_unit_id: int | None,
    actor: str,
    expires_at: datetime | None = None,
    now: datetime | None = None,
) -> ModelGrant:
    """Grant one model to one tenant, or to one of its business units (the grant matrix)."""
    now = now or timezone.now()
    tenant = Tenant.objects.exclude(schema_name="public").filter(pk=tenant_id).first()
    if tenant is None:
        raise NotFound("No such tenant.")
    entry = FoundationModel.objects.filter(pk=model_id).first()
    if entry is None:
        raise NotFound("No such model.")
    model = _usable_entry(entry.name, now)
    unit = _business_unit_of(tenant, business_unit_id)
    if unit is not None and not unit.is_active:
        raise InvalidInput(f"{unit.name} is archived: nobody works for it any more.")
    if expires_at is not None and expires_at <= now:
        raise InvalidInput("A grant's expiry must be in the future.")
    with transaction.atomic():
        if _already_granted(tenant, model, unit, now):
            raise Conflict(f"{model.name} is already granted there.")
        grant = ModelGrant.objects.create(
            model=model,
            tenant=tenant,
            business_unit=unit,
            expires_at=expires_at,
            granted_by=actor,
            granted_at=now,
        )
        record_audit(
            actor=actor,
            action="model_grant.created",
            target=grant,
            tenant=tenant,
            after={
                "model": model.name,
                "business_unit": unit.name if unit else None,
                "expires_at": expires_at.isoformat() if expires_at else None,
            },
        )
    return grant
