"""Catalogue pages: the platform's (catalogue, queue, registry) and a tenant's (browse, request)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import markdown
import nh3
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods

from identity.permissions import platform_admin_required, tenant_role_required
from identity.roles import at_least
from kernel.errors import InvalidInput, NotFound
from kernel.pages import domain_errors_as_messages
from models_catalog import selectors
from models_catalog.models import CustomModel
from models_catalog.services import access, registry
from tenants.models import Role
from tenants.selectors import business_units_of, customer_tenants

NO_SUCH_PAGE = "No such page, or you have no access to it."


def _when(value: str) -> datetime | None:
    """A date or date-time from a form; empty means none."""
    if not value.strip():
        return None
    parsed = parse_datetime(value) or parse_datetime(f"{value}T00:00:00")
    if parsed is None:
        raise InvalidInput(f"{value!r} is not a date (use YYYY-MM-DD or YYYY-MM-DDTHH:MM).")
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, timezone.UTC)


def _rows(models: Any, now: datetime) -> list[dict[str, Any]]:
    return [
        {"model": model, "lifecycle": model.lifecycle(now), "price": selectors.price_at(model, now)}
        for model in models
    ]


def _actor(request: HttpRequest) -> str:
    return request.user.get_username()


@platform_admin_required
@require_http_methods(["GET", "POST"])
def catalogue(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _grant(request)
    now = timezone.now()
    context = {
        "rows": _rows(selectors.catalogue_models(), now),
        "tenants": customer_tenants(),
    }
    return render(request, "models_catalog/catalogue.html", context)


@domain_errors_as_messages
def _grant(request: HttpRequest) -> HttpResponse:
    """Grant a model to the ticked tenants ("*": every tenant)."""
    slugs = request.POST.getlist("tenants")
    chosen = None if "*" in slugs else selectors.tenants_by_slug(slugs)
    if chosen == []:
        raise InvalidInput("Choose at least one tenant, or every tenant.")
    made = access.grant_model(
        model_name=request.POST.get("model", ""), tenants=chosen, actor=_actor(request),
        expires_at=_when(request.POST.get("expires_at", "")),
    )  # fmt: skip
    messages.success(request, f"{len(made)} grant(s) made.")
    return redirect("/catalog/")


@platform_admin_required
@require_http_methods(["GET", "POST"])
def queue(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _decide(request, int(request.POST.get("request_id", "0")))
    return render(request, "models_catalog/queue.html", {"pending": selectors.pending_requests()})


@domain_errors_as_messages
def _decide(request: HttpRequest, request_id: int) -> HttpResponse:
    """Approve or reject a tenant's access request."""
    comment = request.POST.get("comment", "")
    if request.POST.get("decision") == "approve":
        access.approve_request(
            request_id=request_id, actor=_actor(request), comment=comment,
            expires_at=_when(request.POST.get("expires_at", "")),
        )  # fmt: skip
        messages.success(request, "Approved: the tenant can use the model now.")
    else:
        access.reject_request(request_id=request_id, actor=_actor(request), comment=comment)
        messages.success(request, "Rejected; the requester sees your comment.")
    return redirect("/catalog/requests/")


@platform_admin_required
def registry_index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "models_catalog/registry.html",
        {"custom_models": selectors.custom_models_with_versions()},
    )


@platform_admin_required
@require_http_methods(["GET", "POST"])
def custom_model_page(request: HttpRequest, name: str) -> HttpResponse:
    try:
        model = selectors.find_custom_model(name)
    except NotFound:
        raise Http404(NO_SUCH_PAGE) from None
    if request.method == "POST":
        return _move_alias(request, model)
    context = {
        "custom_model": model,
        "versions": selectors.versions_of(model),
        "aliases": selectors.aliases_of(model),
        "history": selectors.alias_history(model),
    }
    return render(request, "models_catalog/custom_model.html", context)


@domain_errors_as_messages
def _move_alias(request: HttpRequest, model: CustomModel) -> HttpResponse:
    """Deploy a version under an alias, or roll the alias back to its previous version."""
    alias = request.POST.get("alias", "")
    if request.POST.get("action") == "rollback":
        moved = registry.rollback(custom_model=model, alias_name=alias, actor=_actor(request))
    else:
        moved = registry.deploy(
            custom_model=model, alias_name=alias,
            version_number=int(request.POST.get("version") or 0), actor=_actor(request),
        )  # fmt: skip
    messages.success(request, f"{moved.name} now points at version {moved.version.number}.")
    return redirect(f"/catalog/registry/{model.name}/")


@platform_admin_required
def version_page(request: HttpRequest, name: str, number: int) -> HttpResponse:
    try:
        version = selectors.find_model_version(name, number)
    except NotFound:
        raise Http404(NO_SUCH_PAGE) from None
    card = nh3.clean(markdown.markdown(version.model_card, extensions=["fenced_code", "tables"]))
    context = {
        "version": version,
        "model_card": mark_safe(card),  # noqa: S308 - sanitised by nh3 just above
        "history": selectors.alias_history_of_version(version),
    }
    return render(request, "models_catalog/version.html", context)


@tenant_role_required(Role.MEMBER)
@require_http_methods(["GET", "POST"])
def tenant_models(request: HttpRequest) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    role = request.tenant_role  # type: ignore[attr-defined]
    if request.method == "POST":
        if not at_least(role, Role.ADMIN):
            messages.error(request, "Only this tenant's administrators can request models.")
            return redirect(f"/t/{tenant.slug}/models/")
        return _request_model(request)
    now = timezone.now()
    context = {
        "tenant": tenant,
        "role": role,
        "can_request": at_least(role, Role.ADMIN),
        "usable": _rows(selectors.usable_models_with_prices(tenant, now), now),
        "requestable": selectors.requestable_models(tenant, now),
        "requests": selectors.requests_of_tenant(tenant),
        "business_units": business_units_of(tenant),
    }
    return render(request, "models_catalog/tenant_models.html", context)


@domain_errors_as_messages
def _request_model(request: HttpRequest) -> HttpResponse:
    """A tenant administrator asks the platform for a model (for the tenant, or one unit)."""
    tenant = request.tenant  # type: ignore[attr-defined]
    unit = request.POST.get("business_unit") or None
    access.request_access(
        tenant=tenant, model_name=request.POST.get("model", ""),
        justification=request.POST.get("justification", ""), requester=request.user,
        business_unit_id=int(unit) if unit else None,
    )  # fmt: skip
    messages.success(request, "Requested. Platform administrators will decide.")
    return redirect(f"/t/{tenant.slug}/models/")
