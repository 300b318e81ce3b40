"""Catalogue pages: the platform's (catalogue, queue, registry) and a tenant's (browse, request)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import markdown
import nh3
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods

from identity.permissions import platform_admin_required, tenant_role_required
from identity.roles import at_least
from kernel.errors import DomainError, InvalidInput
from models_catalog.models import AliasChange, CustomModel, FoundationModel, ModelVersion
from models_catalog.selectors import (
    pending_requests,
    price_at,
    requestable_models,
    requests_of_tenant,
    usable_models,
)
from models_catalog.services import access, registry
from tenants.models import BusinessUnit, Role, Tenant


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
        {"model": model, "lifecycle": model.lifecycle(now), "price": price_at(model, now)}
        for model in models
    ]


def _actor(request: HttpRequest) -> str:
    return request.user.get_username()


@platform_admin_required
@require_http_methods(["GET", "POST"])
def catalogue(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    if request.method == "POST":
        try:
            slugs = request.POST.getlist("tenants")
            chosen = None if "*" in slugs else list(Tenant.objects.filter(slug__in=slugs))
            if chosen == []:
                raise InvalidInput("Choose at least one tenant, or every tenant.")
            made = access.grant_model(
                model_name=request.POST.get("model", ""), tenants=chosen, actor=_actor(request),
                expires_at=_when(request.POST.get("expires_at", "")),
            )  # fmt: skip
            messages.success(request, f"{len(made)} grant(s) made.")
        except DomainError as error:
            messages.error(request, error.message)
        return redirect("/catalog/")
    models = FoundationModel.objects.select_related("provider").prefetch_related("prices")
    context = {
        "rows": _rows(models, now),
        "tenants": Tenant.objects.exclude(schema_name="public"),
    }
    return render(request, "models_catalog/catalogue.html", context)


@platform_admin_required
@require_http_methods(["GET", "POST"])
def queue(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        request_id = int(request.POST.get("request_id", "0"))
        comment = request.POST.get("comment", "")
        try:
            if request.POST.get("decision") == "approve":
                access.approve_request(
                    request_id=request_id, actor=_actor(request), comment=comment,
                    expires_at=_when(request.POST.get("expires_at", "")),
                )  # fmt: skip
                messages.success(request, "Approved: the tenant can use the model now.")
            else:
                access.reject_request(request_id=request_id, actor=_actor(request), comment=comment)
                messages.success(request, "Rejected; the requester sees your comment.")
        except DomainError as error:
            messages.error(request, error.message)
        return redirect("/catalog/requests/")
    return render(request, "models_catalog/queue.html", {"pending": pending_requests()})


@platform_admin_required
def registry_index(request: HttpRequest) -> HttpResponse:
    models = CustomModel.objects.select_related("entry__provider").prefetch_related(
        "aliases__version", "versions"
    )
    return render(request, "models_catalog/registry.html", {"custom_models": models})


@platform_admin_required
@require_http_methods(["GET", "POST"])
def custom_model_page(request: HttpRequest, name: str) -> HttpResponse:
    model = get_object_or_404(CustomModel, name=name)
    if request.method == "POST":
        alias = request.POST.get("alias", "")
        try:
            if request.POST.get("action") == "rollback":
                moved = registry.rollback(
                    custom_model=model, alias_name=alias, actor=_actor(request)
                )
            else:
                moved = registry.deploy(
                    custom_model=model, alias_name=alias,
                    version_number=int(request.POST.get("version") or 0), actor=_actor(request),
                )  # fmt: skip
            messages.success(request, f"{moved.name} now points at version {moved.version.number}.")
        except DomainError as error:
            messages.error(request, error.message)
        return redirect(f"/catalog/registry/{model.name}/")
    context = {
        "custom_model": model,
        "versions": model.versions.select_related("base_model", "parent").prefetch_related(
            "aliases"
        ),
        "aliases": model.aliases.select_related("version"),
        "history": AliasChange.objects.filter(alias__custom_model=model).select_related(
            "alias", "from_version", "to_version"
        ),
    }
    return render(request, "models_catalog/custom_model.html", context)


@platform_admin_required
def version_page(request: HttpRequest, name: str, number: int) -> HttpResponse:
    version = get_object_or_404(
        ModelVersion.objects.select_related("custom_model", "base_model", "parent"),
        custom_model__name=name,
        number=number,
    )
    card = nh3.clean(markdown.markdown(version.model_card, extensions=["fenced_code", "tables"]))
    history = AliasChange.objects.filter(alias__custom_model=version.custom_model).select_related(
        "alias", "from_version", "to_version"
    )
    context = {
        "version": version,
        "model_card": mark_safe(card),  # noqa: S308 - sanitised by nh3 just above
        "history": [
            change
            for change in history
            if version.pk in {change.from_version_id, change.to_version_id}
        ],
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
        else:
            unit = request.POST.get("business_unit") or None
            try:
                access.request_access(
                    tenant=tenant, model_name=request.POST.get("model", ""),
                    justification=request.POST.get("justification", ""), requester=request.user,
                    business_unit_id=int(unit) if unit else None,
                )  # fmt: skip
                messages.success(request, "Requested. Platform administrators will decide.")
            except DomainError as error:
                messages.error(request, error.message)
        return redirect(f"/t/{tenant.slug}/models/")
    now = timezone.now()
    context = {
        "tenant": tenant,
        "role": role,
        "can_request": at_least(role, Role.ADMIN),
        "usable": _rows(usable_models(tenant, now).prefetch_related("prices"), now),
        "requestable": requestable_models(tenant, now),
        "requests": requests_of_tenant(tenant),
        "business_units": BusinessUnit.objects.filter(tenant=tenant),
    }
    return render(request, "models_catalog/tenant_models.html", context)
