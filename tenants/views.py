"""Pages of a tenant's site, `/t/<slug>/`. The middleware has already chosen the tenant's schema."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from activity.selectors import recent_activity
from identity.roles import role_in_tenant, role_label
from tenants.selectors import business_units_of


def tenant_home(request: HttpRequest) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]  # set by the tenant routing middleware
    role = role_in_tenant(request.user, tenant)
    context: dict[str, object] = {"tenant": tenant, "role": role}
    if role is not None:
        context["role_label"] = role_label(role)
        context["business_units"] = list(business_units_of(tenant))
        context["activity"] = list(recent_activity(limit=20))
    return render(request, "tenants/home.html", context)
