"""Catalogue pages: the platform's (catalogue, queue, registry) and a tenant's (browse, request)."""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

import markdown
import nh3
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods

from identity.permissions import tenant_role_required
from identity.roles import at_least, is_platform_admin
from kernel.errors import InvalidInput, NotFound
from kernel.form_values import whole_number
from kernel.pages import domain_errors_as_messages
from models_catalog import selectors
from models_catalog.forms import ModelEntryForm, PriceForm, ProviderForm
from models_catalog.models import CustomModel, FoundationModel, Provider
from models_catalog.services import access, catalog, connection, registry
from tenants.models import Role
from tenants.selectors import business_units_of, customer_tenants

NO_SUCH_PAGE = "No such page, or you have no access to it."
# What the request form's list can be narrowed to (labels of FoundationModel.capability_labels).
CAPABILITY_FILTERS = (
    "tools",
    "parallel tool calls",
    "streamed tool calls",
    "JSON",
    "JSON schema",
    "images",
)


def _when(value: str) -> datetime | None:
    """A date or date-time from a form; empty means none."""
    if not value.strip():
        return None
    try:
        parsed = parse_datetime(value) or parse_datetime(f"{value}T00:00:00")
    except ValueError:  # well formed, but no such day or hour (2027-02-30)
        parsed = None
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


def platform_admin_required(view: Any) -> Any:
    """Platform pages: sign in first; then platform administrators only. Anyone else signed in
    gets 403 and the styled refusal page (the portal's handler403)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_platform_admin(request.user):
            raise PermissionDenied("Platform administrators only.")
        response: HttpResponse = view(request, *args, **kwargs)
        return response

    return wrapped


def _form_errors(form: BaseForm) -> str:
    """A form's errors as one message: each field's label and what is wrong with it."""
    return "; ".join(
        f"{_label(form, name)}: {' '.join(str(error) for error in errors)}"
        for name, errors in form.errors.items()
    )


def _label(form: BaseForm, name: str) -> str:
    field = form.fields.get(name)
    return str(field.label or name.replace("_", " ").capitalize()) if field else "Form"


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
        return _decide(request)
    return render(request, "models_catalog/queue.html", {"pending": selectors.pending_requests()})


@domain_errors_as_messages
def _decide(request: HttpRequest) -> HttpResponse:
    """Approve or reject a tenant's access request."""
    request_id = _number(request.POST.get("request_id")) or 0
    comment = request.POST.get("comment", "")
    if request.POST.get("decision") == "approve":
        grant = access.approve_request(
            request_id=request_id, actor=_actor(request), comment=comment,
            expires_at=_when(request.POST.get("expires_at", "")),
        )  # fmt: skip
        messages.success(
            request, f"Approved: {selectors.who_can_use(grant)} can use {grant.model.name} now."
        )
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
            version_number=_number(request.POST.get("version")) or 0, actor=_actor(request),
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
    units = selectors.units_of_person(int(request.user.pk or 0), tenant)
    context = {
        "tenant": tenant,
        "role": role,
        "can_request": at_least(role, Role.ADMIN),
        "usable": _rows(selectors.usable_models_with_prices(tenant, now, unit_ids=units), now),
        "unit_grants": selectors.unit_grants_of_tenant(tenant, now),
        "requestable": selectors.requestable_models_with_prices(tenant, now),
        "capability_filters": CAPABILITY_FILTERS,
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
        business_unit_id=_number(unit),
    )  # fmt: skip
    messages.success(request, "Requested. Platform administrators will decide.")
    return redirect(f"/t/{tenant.slug}/models/")


@platform_admin_required
@require_http_methods(["GET", "POST"])
def providers(request: HttpRequest) -> HttpResponse:
    form = ProviderForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            provider = catalog.save_catalog_entry(form.save(commit=False), actor=_actor(request))
            messages.success(request, f"Provider {provider.name} added: test its connection.")
            return redirect(f"/catalog/providers/{provider.pk}/")
        messages.error(request, _form_errors(form))
    context = {"providers": selectors.providers_list(), "form": form}
    return render(request, "models_catalog/providers.html", context)


def _provider_or_404(provider_id: int) -> Provider:
    try:
        return selectors.find_provider(provider_id)
    except NotFound:
        raise Http404(NO_SUCH_PAGE) from None


@platform_admin_required
@require_http_methods(["GET", "POST"])
def provider_page(request: HttpRequest, provider_id: int) -> HttpResponse:
    provider = _provider_or_404(provider_id)
    form = ProviderForm(request.POST or None, instance=provider)
    if request.method == "POST":
        if form.is_valid():
            catalog.save_catalog_entry(form.save(commit=False), actor=_actor(request))
            messages.success(request, f"Provider {provider.name} saved.")
            return redirect(f"/catalog/providers/{provider.pk}/")
        messages.error(request, _form_errors(form))
    return render(request, "models_catalog/provider.html", {"provider": provider, "form": form})


@platform_admin_required
@require_http_methods(["POST"])
def provider_test(request: HttpRequest, provider_id: int) -> HttpResponse:
    """Call the provider's endpoint now and say on its page what happened."""
    provider = _provider_or_404(provider_id)
    check = connection.check_connection(provider)
    (messages.success if check.ok else messages.error)(request, check.summary)
    return redirect(f"/catalog/providers/{provider.pk}/")


@platform_admin_required
@require_http_methods(["GET", "POST"])
def model_new(request: HttpRequest) -> HttpResponse:
    form = ModelEntryForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            model = catalog.save_catalog_entry(form.save(commit=False), actor=_actor(request))
            messages.success(request, f"{model.name} added: give it a price.")
            return redirect(f"/catalog/models/{model.pk}/")
        messages.error(request, _form_errors(form))
    return render(request, "models_catalog/model.html", {"form": form, "model": None})


@platform_admin_required
@require_http_methods(["GET", "POST"])
def model_page(request: HttpRequest, model_id: int) -> HttpResponse:
    try:
        model = selectors.find_model(model_id)
    except NotFound:
        raise Http404(NO_SUCH_PAGE) from None
    price_posted = request.method == "POST" and request.POST.get("action") == "price"
    form = ModelEntryForm(
        request.POST if request.method == "POST" and not price_posted else None, instance=model
    )
    price_form = PriceForm(request.POST if price_posted else None)
    if price_posted:
        return _add_price(request, model, price_form)
    if request.method == "POST":
        if form.is_valid():
            catalog.save_catalog_entry(form.save(commit=False), actor=_actor(request))
            messages.success(request, f"{model.name} saved.")
            return redirect(f"/catalog/models/{model.pk}/")
        messages.error(request, _form_errors(form))
    now = timezone.now()
    prices = selectors.prices_of(model)
    context = {
        "model": model,
        "form": form,
        "price_form": price_form,
        "prices": prices,
        "price_now": selectors.price_in_force(prices, now),
        "lifecycle": model.lifecycle(now),
    }
    return render(request, "models_catalog/model.html", context)


@domain_errors_as_messages
def _add_price(request: HttpRequest, model: FoundationModel, form: PriceForm) -> HttpResponse:
    """A new price row from a date on; the older rows stay (usage is charged as it was)."""
    if not form.is_valid():
        raise InvalidInput(_form_errors(form))
    data = form.cleaned_data
    price = catalog.set_price(
        model=model, input_per_million=data["input_per_million"],
        output_per_million=data["output_per_million"], currency=data["currency"],
        effective_from=data["effective_from"], source=data["source"], actor=_actor(request),
    )  # fmt: skip
    messages.success(
        request, f"New price for {model.name} from {price.effective_from:%Y-%m-%d %H:%M} UTC."
    )
    return redirect(f"/catalog/models/{model.pk}/")


@platform_admin_required
@require_http_methods(["GET", "POST"])
def grant_matrix(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _act_on_cell(request)
    context = {"matrix": selectors.grant_matrix(timezone.now())}
    return render(request, "models_catalog/grants.html", context)


def _number(value: str | None) -> int | None:
    if not value:
        return None
    if (number := whole_number(value)) is None:
        raise InvalidInput(f"{value!r} is not a number.")
    return number


@domain_errors_as_messages
def _act_on_cell(request: HttpRequest) -> HttpResponse:
    """Grant, approve, reject or revoke, in place in the matrix."""
    post, actor = request.POST, _actor(request)
    action = post.get("action")
    if action == "grant":
        grant = access.grant_to_scope(
            model_id=_number(post.get("model_id")) or 0,
            tenant_id=_number(post.get("tenant_id")) or 0,
            business_unit_id=_number(post.get("business_unit_id")), actor=actor,
        )  # fmt: skip
        messages.success(request, f"Granted: {selectors.who_can_use(grant)} can use it now.")
    elif action == "approve":
        grant = access.approve_request(request_id=_number(post.get("request_id")) or 0, actor=actor)
        messages.success(
            request, f"Approved: {selectors.who_can_use(grant)} can use {grant.model.name} now."
        )
    elif action == "reject":
        access.reject_request(
            request_id=_number(post.get("request_id")) or 0, actor=actor,
            comment=post.get("comment", ""),
        )  # fmt: skip
        messages.success(request, "Rejected; the requester sees your comment.")
    elif action == "revoke":
        grant = access.revoke_grant(grant_id=_number(post.get("grant_id")) or 0, actor=actor)
        messages.success(
            request,
            f"Revoked: {selectors.who_can_use(grant)} can no longer use {grant.model.name}.",
        )
    else:
        raise InvalidInput("Choose grant, approve, reject or revoke.")
    return redirect("/catalog/grants/")
