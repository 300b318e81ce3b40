"""Role checks for pages. A person without the role gets the same 404 as for a missing page."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse

from identity.principals import Principal, person_in_tenant
from identity.roles import at_least, is_platform_admin, role_in_tenant

View = Callable[..., HttpResponse]


def tenant_role_required(minimum: str) -> Callable[[View], View]:
    """Pages of a tenant: sign in first; then at least `minimum` in the request's tenant."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            role = role_in_tenant(request.user, request.tenant)  # type: ignore[attr-defined]
            if not at_least(role, minimum):
                raise Http404("No such page, or you have no access to it.")
            request.tenant_role = role  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def platform_admin_required(view: View) -> View:
    """Platform pages: sign in first; then platform administrators only (404 for others)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_platform_admin(request.user):
            raise Http404("No such page, or you have no access to it.")
        return view(request, *args, **kwargs)

    return wrapped


def principal_of(request: HttpRequest) -> Principal:
    """On a page behind `tenant_role_required`: the signed-in person as a principal of the
    request's tenant, for services that take one (as the API builds it from a token)."""
    principal = person_in_tenant(
        request.user,
        request.tenant,
        request.tenant_role,  # type: ignore[attr-defined]
    )
    if principal is None:  # only if the decorator was left off
        raise Http404("No such page, or you have no access to it.")
    return principal
