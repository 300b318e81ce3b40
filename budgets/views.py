"""The budgets page of a tenant: this month's spend against each budget, and the form that sets
them (tenant administrators: business units; platform administrators: the tenant too)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from budgets.models import Budget
from budgets.selectors import budgets_of_tenant
from budgets.services import (
    DEFAULT_THRESHOLDS,
    TENANT_WIDE,
    may_manage,
    remove_budget,
    set_budget,
)
from identity.permissions import tenant_role_required
from kernel.errors import DomainError, InvalidInput, NotAllowed
from kernel.pages import page_message
from tenants.models import BusinessUnit, Role


def _thresholds(raw: str) -> list[int] | str:
    try:
        return [int(part) for part in raw.replace(",", " ").split()]
    except ValueError:
        return raw  # the service names what is wrong with it


def _budget_id(raw: str | None) -> int:
    try:
        return int(raw or "")
    except ValueError:
        raise InvalidInput("Pick the budget to remove.") from None


def _saved(budget: Budget) -> str:
    scope = budget.business_unit.name if budget.business_unit else "the whole workspace"
    kind = "hard" if budget.hard_limit else "soft"
    limit = f"{budget.currency} {budget.monthly_limit:.2f}"
    return f"Saved: a {kind} monthly limit of {limit} for {scope}."


@tenant_role_required(Role.ADMIN)
def budgets_page(request: HttpRequest) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    role = request.tenant_role  # type: ignore[attr-defined]
    error = None
    if request.method == "POST":
        unit = request.POST.get("business_unit") or None
        try:
            if request.POST.get("action") == "remove":  # the budget's own unit decides
                remove_budget(tenant=tenant, budget_id=_budget_id(request.POST.get("budget")),
                              actor=request.user.get_username(), role=role)  # fmt: skip
                messages.success(request, "Budget removed.")
            else:
                if not may_manage(role, unit):
                    raise NotAllowed(TENANT_WIDE)
                budget = set_budget(
                    tenant=tenant, business_unit=unit,
                    monthly_limit=request.POST.get("monthly_limit", ""),
                    currency=request.POST.get("currency", ""),
                    alert_thresholds=_thresholds(request.POST.get("alert_thresholds", "")),
                    hard_limit=request.POST.get("hard_limit") == "on",
                    actor=request.user.get_username(),
                )  # fmt: skip
                messages.success(request, _saved(budget))
            return redirect(f"/t/{tenant.slug}/budgets/")
        except DomainError as failure:
            error = page_message(failure)
    context = {
        "tenant": tenant,
        "role": role,
        "budgets": budgets_of_tenant(tenant, timezone.now()),
        "units": BusinessUnit.objects.filter(tenant=tenant).order_by("name"),
        "may_set_tenant_budget": may_manage(role, None),
        "default_thresholds": " ".join(str(p) for p in DEFAULT_THRESHOLDS),
        "error": error,
        "form": request.POST if error else None,
    }
    return render(request, "budgets/budgets.html", context, status=400 if error else 200)
