"""The site's own pages: the platform's home and probes (public schema), and each tenant's landing
page (the middleware has already chosen the tenant's schema)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from activity.selectors import recent_activity
from identity.roles import role_in_tenant, role_label
from identity.selectors import workspaces_of
from portal.readiness import readiness
from tenants.selectors import business_units_of


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers. Touches nothing else."""
    return JsonResponse({"status": "ok"})


@require_GET
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: database and broker reachable, migrations applied; else 503 and why."""
    checks = readiness()
    ready = all(check.ok for check in checks)
    body = {
        "status": "ready" if ready else "not ready",
        "checks": {check.name: {"ok": check.ok, "detail": check.detail} for check in checks},
    }
    return JsonResponse(body, status=200 if ready else 503)


def home(request: HttpRequest) -> HttpResponse:
    """The platform's front page: the workspaces the signed-in person can open."""
    return render(request, "portal/home.html", {"workspaces": workspaces_of(request.user)})


def tenant_home(request: HttpRequest) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]  # set by the tenant routing middleware
    role = role_in_tenant(request.user, tenant)
    context: dict[str, object] = {"tenant": tenant, "role": role}
    if role is not None:
        context["role_label"] = role_label(role)
        context["business_units"] = list(business_units_of(tenant))
        context["activity"] = list(recent_activity(limit=20))
    return render(request, "tenants/home.html", context)
