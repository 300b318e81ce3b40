"""Reads for a tenant's home page: what its people need at a glance. Each part comes from the
selector that owns it (billing, budgets, access requests, activity); nothing here queries usage
itself, so the dashboard cannot disagree with the pages it links to."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from activity.models import ActivityEntry
from activity.selectors import recent_activity
from budgets.selectors import BudgetStatus, budgets_of_tenant
from identity.roles import at_least
from metering.selectors import TENANT_DIMENSIONS, CostTotal, DateRange, tenant_costs
from models_catalog.models import AccessRequest
from models_catalog.selectors import requests_of_tenant
from tenants.models import BusinessUnit, Role, Tenant
from tenants.selectors import business_units_of

TOP_MODELS = 5
RECENT = 10


@dataclass(frozen=True)
class Dashboard:
    """One tenant's home page for one role. The spend, budgets and access requests are filled
    for administrators only: members are not shown what the billing pages keep from them."""

    business_units: list[BusinessUnit]
    activity: list[ActivityEntry]
    for_admins: bool = False
    month: DateRange | None = None
    spend: list[CostTotal] = field(default_factory=list)  # one per currency
    top_models: list[CostTotal] = field(default_factory=list)  # costliest first
    budgets: list[BudgetStatus] = field(default_factory=list)
    pending_requests: list[AccessRequest] = field(default_factory=list)


def tenant_dashboard(tenant: Tenant, role: str | None, at: datetime) -> Dashboard:
    """The home page of `tenant` as someone with `role` sees it at `at` (this month so far)."""
    units = list(business_units_of(tenant))
    activity = list(recent_activity(limit=RECENT))
    if not at_least(role, Role.ADMIN):
        return Dashboard(business_units=units, activity=activity)
    month = DateRange(at.date().replace(day=1), at.date())
    report = tenant_costs(tenant, month, TENANT_DIMENSIONS["model"])
    pending = requests_of_tenant(tenant).filter(state=AccessRequest.State.PENDING)
    return Dashboard(
        business_units=units,
        activity=activity,
        for_admins=True,
        month=month,
        spend=report.totals,
        top_models=report.by_group[:TOP_MODELS],
        budgets=budgets_of_tenant(tenant, at),
        pending_requests=list(pending.select_related("requested_by").order_by("requested_at")),
    )
