"""The site's own pages: the platform's home and probes (public schema), and each tenant's landing
page (the middleware has already chosen the tenant's schema)."""

from __future__ import annotations

from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_tenants.utils import get_public_schema_name

from identity.roles import role_in_tenant, role_label
from identity.selectors import workspaces_of
from kernel.errors import DomainError, NotAllowed, NotFound
from kernel.http_errors import domain_error_response
from metering.selectors import CostTotal
from metering.views import money
from portal.dashboard import tenant_dashboard
from portal.error_shapes import API_PATH
from portal.readiness import readiness


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
    """A tenant's dashboard: this month's spend against its budgets, the costliest models, the
    access requests waiting (administrators); the workspace's recent activity (every member)."""
    tenant = request.tenant  # type: ignore[attr-defined]  # set by the tenant routing middleware
    role = role_in_tenant(request.user, tenant)
    context: dict[str, object] = {"tenant": tenant, "role": role}
    if role is not None:
        dashboard = tenant_dashboard(tenant, role, timezone.now())
        context["role_label"] = role_label(role)
        context["dashboard"] = dashboard
        context["spend"] = [_shown(total) for total in dashboard.spend]
        context["top_models"] = [_shown(total) for total in dashboard.top_models]
    return render(request, "tenants/home.html", context)


def _shown(total: CostTotal) -> dict[str, object]:
    """A cost line as the billing page shows it (the same rounding, so the two agree)."""
    return {
        "group": total.group,
        "calls": total.calls,
        "currency": total.currency or "unpriced",
        "cost": money(total.cost),
    }


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponseBase:
    """Django's handler404. The same page whether a workspace does not exist or is not the
    person's, so that it reveals nothing; inside their own workspace a member is told the page
    may be for its administrators."""
    return _refusal(
        request,
        NotFound("No such page, or you have no access to it."),
        title="Page not found",
        explanation="There is no such page, or it is not yours to open.",
        to_member="There is no such page in {tenant}, or it is for the workspace's administrators.",
    )


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponseBase:
    """Django's handler403: what happened, and the way back to the person's workspaces."""
    return _refusal(
        request,
        NotAllowed("You have no access to this."),
        title="Not allowed",
        explanation="Your account may not open this page.",
        to_member="Your role in {tenant} does not allow this page.",
    )


def _refusal(
    request: HttpRequest, error: DomainError, *, title: str, explanation: str, to_member: str
) -> HttpResponseBase:
    if API_PATH.match(request.path):
        return domain_error_response(error)
    user = _signed_in_user(request)
    tenant = getattr(request, "tenant", None)
    own_tenant = None
    # A member knows their workspace exists: nothing to hide from them.
    if (
        tenant is not None
        and tenant.schema_name != get_public_schema_name()
        and role_in_tenant(user, tenant) is not None
    ):
        own_tenant = tenant
        explanation = to_member.format(tenant=tenant.name)
    context = {
        "title": title,
        "explanation": explanation,
        "own_tenant": own_tenant,
        "workspaces": workspaces_of(user),
    }
    return render(request, "portal/refused.html", context, status=error.status_code)


def _signed_in_user(request: HttpRequest) -> AbstractBaseUser | AnonymousUser:
    """The person asking. An unknown workspace is refused by the tenant routing before the
    session is read: read it here, or that answer would differ from a known workspace's."""
    if not hasattr(request, "user"):
        SessionMiddleware(lambda _: HttpResponse()).process_request(request)
        AuthenticationMiddleware(lambda _: HttpResponse()).process_request(request)
    return request.user
