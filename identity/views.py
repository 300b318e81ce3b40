"""Pages for identity: signing in (the portal as a relying party, and the built-in provider's
own login), a tenant's API access page, and its service accounts."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import LoginView, redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from mozilla_django_oidc.views import OIDCAuthenticationRequestView
from oauth2_provider.views import AuthorizationView, IntrospectTokenView
from oauth2_provider.www_authenticate import build_bearer_challenge, challenge_status

from identity.business_units import assign_business_units
from identity.issuers import IssuerUnavailable
from identity.permissions import tenant_role_required
from identity.rp_config import rp_setting
from identity.selectors import (
    active_service_accounts,
    business_units_with_principals,
    members_of,
    membership_of,
    revoked_service_accounts,
    service_account_of,
)
from identity.services import (
    add_member,
    change_member_role,
    create_service_account,
    mint_member_token,
    register_external_client,
    remove_member,
    revoke_service_account,
)
from identity.tokens import builtin_issuer
from kernel.errors import InvalidInput
from kernel.form_values import whole_number
from tenants.models import Role
from tenants.selectors import active_business_units, business_unit_of
from tenants.services import add_business_unit, change_business_unit

NO_SUCH_PAGE = "No such page, or you have no access to it."


class SignInStartView(OIDCAuthenticationRequestView):
    """Start the authorization-code flow (with PKCE) at the configured provider."""

    get_settings = staticmethod(rp_setting)

    def __init__(self, **kwargs: Any) -> None:
        super(OIDCAuthenticationRequestView, self).__init__(**kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            self.OIDC_OP_AUTH_ENDPOINT = rp_setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
            self.OIDC_RP_CLIENT_ID = rp_setting("OIDC_RP_CLIENT_ID")
        except IssuerUnavailable:
            return render(
                request,
                "identity/provider_unavailable.html",
                status=502,
            )
        return super().get(request)


class ProviderLoginView(LoginView):
    """The built-in provider's own sign-in form (user name and password)."""

    template_name = "identity/provider_login.html"
    redirect_authenticated_user = False


class ProviderAuthorizationView(AuthorizationView):
    """django-oauth-toolkit's authorize endpoint, sending people to the provider's own form."""

    login_url = "/idp/login/"


class ProviderIntrospectionView(IntrospectTokenView):
    """Token introspection (RFC 7662). A caller that is neither one of the provider's clients
    nor the holder of a token with the `introspection` scope is answered 401 with OAuth's JSON
    error (RFC 7662 section 2.3, RFC 6749 section 5.2), not the toolkit's empty 403."""

    def unauthenticated_response(
        self, request: HttpRequest, oauthlib_request: Any = None
    ) -> HttpResponse:
        bearer_error = getattr(oauthlib_request, "oauth2_error", None) or None
        if bearer_error:  # a token was sent: Bearer's challenge (403 for a scope it lacks)
            status = challenge_status(bearer_error)
            challenge = build_bearer_challenge(
                request, oauth2_error=bearer_error, resource_metadata_url=None
            )
            body = {"error": bearer_error.get("error", "invalid_token")}
        else:
            status, challenge = 401, 'Basic realm="idp"'
            body = {"error": "invalid_client"}
        body["error_description"] = (
            "Authenticate as a client of this provider (HTTP Basic), or send a bearer token "
            "with the introspection scope."
        )
        response = JsonResponse(body, status=status)
        response["WWW-Authenticate"] = challenge
        return response


def _api_base(request: HttpRequest) -> str:
    tenant = request.tenant  # type: ignore[attr-defined]
    if tenant.is_platform:
        return request.build_absolute_uri("/api")
    return request.build_absolute_uri(f"/t/{tenant.slug}/v1")


@tenant_role_required(Role.MEMBER)
@never_cache
def api_access(request: HttpRequest) -> HttpResponse:
    return render(request, "identity/api_access.html", _api_access_context(request))


def _api_access_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    return {
        "tenant": request.tenant,  # type: ignore[attr-defined]
        "role": request.tenant_role,  # type: ignore[attr-defined]
        "api_base": _api_base(request),
        "token_url": builtin_issuer() + "/token/",
        "example_path": "catalog/models" if request.tenant.is_platform else "whoami",  # type: ignore[attr-defined]
        **extra,
    }


@require_POST
@tenant_role_required(Role.MEMBER)
@never_cache
def issue_token(request: HttpRequest) -> HttpResponse:
    """A fresh short-lived token for the signed-in person, shown once (or as a .env file)."""
    token = mint_member_token(user=request.user, tenant=request.tenant)  # type: ignore[attr-defined]
    if request.POST.get("format") == "env":
        body = (
            f"# Atrium API access for {request.tenant.slug}; expires in 15 minutes\n"  # type: ignore[attr-defined]
            f"OPENAI_BASE_URL={_api_base(request)}\n"
            f"OPENAI_API_KEY={token}\n"
        )
        response = HttpResponse(body, content_type="text/plain; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="atrium.env"'
        return response
    return render(request, "identity/api_access.html", _api_access_context(request, token=token))


@require_http_methods(["GET", "POST"])
@tenant_role_required(Role.ADMIN)
@never_cache
def service_accounts(request: HttpRequest) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    context: dict[str, Any] = {
        "tenant": tenant,
        "role": request.tenant_role,  # type: ignore[attr-defined]
        "roles": Role.choices,
    }
    status = 200
    if request.method == "POST":
        external_client_id = request.POST.get("external_client_id", "").strip()
        try:
            if request.POST.get("action") == "units":
                account = service_account_of(tenant, _int_or_zero(request.POST.get("account")))
                if account is None or not account.is_active:
                    raise Http404(NO_SUCH_PAGE)
                _assign_units(request, account)
                return redirect(f"/t/{tenant.slug}/service-accounts/")
            fields = {
                "tenant": tenant,
                "name": request.POST.get("name", ""),
                "role": request.POST.get("role", Role.MEMBER),
                "business_unit_id": _unit_id(request.POST.get("business_unit", "")),
                "actor": request.user.get_username(),
            }
            if external_client_id:
                account = register_external_client(client_id=external_client_id, **fields)
                context["registered"] = account
            else:
                account, secret = create_service_account(**fields)
                context["created"] = {"account": account, "secret": secret}
        except InvalidInput as error:
            context["error"] = error.message
            status = 400
    context["token_url"] = builtin_issuer() + "/token/"
    context["api_base"] = _api_base(request)
    context["accounts"] = active_service_accounts(tenant)
    context["business_units"] = active_business_units(tenant)
    context["external_issuer"] = settings.OIDC_ISSUER
    context["revoked"] = revoked_service_accounts(tenant)
    return render(request, "identity/service_accounts.html", context, status=status)


def _int_or_zero(value: str | None) -> int:
    return whole_number(value) or 0


def _unit_id(value: str) -> int | None:
    """The business unit a form names (empty: none)."""
    if not value.strip():
        return None
    if (unit_id := whole_number(value)) is None:
        raise InvalidInput("Choose a business unit from the list.")
    return unit_id


@require_POST
@tenant_role_required(Role.ADMIN)
def revoke_account(request: HttpRequest, account_id: int) -> HttpResponse:
    account = service_account_of(request.tenant, account_id)  # type: ignore[attr-defined]
    if account is None:
        raise Http404(NO_SUCH_PAGE)
    revoke_service_account(account=account, actor=request.user.get_username())
    return redirect(f"/t/{account.tenant.slug}/service-accounts/")


@never_cache
def admin_sign_in(request: HttpRequest, extra_context: object = None) -> HttpResponse:
    """The admin site's sign-in: people sign in through OpenID Connect. Someone signed in
    already who may not use the admin is told so: sending them to sign in again would only
    bring them back here, round and round."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.GET.get("next", "/admin/"))
    if admin.site.has_permission(request):
        return redirect("admin:index")
    return render(request, "identity/admin_refused.html", status=403)


provider_login = method_decorator(never_cache, name="dispatch")(ProviderLoginView).as_view()


@require_http_methods(["GET", "POST"])
@tenant_role_required(Role.ADMIN)
@never_cache
def members(request: HttpRequest) -> HttpResponse:
    """A tenant administrator's view of the tenant's people: roles and business units."""
    tenant = request.tenant  # type: ignore[attr-defined]
    actor = request.user.get_username()
    error = None
    if request.method == "POST":
        try:
            action = request.POST.get("action")
            if action == "add":
                add_member(tenant=tenant, login=request.POST.get("login", ""),
                           role=request.POST.get("role", Role.MEMBER), actor=actor)  # fmt: skip
            else:
                membership = membership_of(tenant, request.POST.get("membership"))
                if membership is None:
                    raise Http404(NO_SUCH_PAGE)
                if action == "remove":
                    remove_member(membership=membership, actor=actor)
                elif action == "units":
                    _assign_units(request, membership)
                else:
                    change_member_role(membership=membership, role=request.POST.get("role", ""),
                                       actor=actor)  # fmt: skip
            return redirect(f"/t/{tenant.slug}/members/")
        except InvalidInput as failure:
            error = failure.message
    context = {
        "tenant": tenant,
        "role": request.tenant_role,  # type: ignore[attr-defined]
        "roles": Role.choices,
        "members": members_of(tenant)
        .select_related("business_unit")
        .prefetch_related("extra_business_units"),
        "business_units": active_business_units(tenant),
        "error": error,
    }
    return render(request, "identity/members.html", context, status=400 if error else 200)


def _assign_units(request: HttpRequest, assignee: Any) -> None:
    """The units form of a member or a service account: a default unit and extra ones."""
    assign_business_units(
        assignee=assignee,
        business_unit_id=_unit_id(request.POST.get("business_unit", "")),
        extra_business_unit_ids=[
            unit for value in request.POST.getlist("extra_business_units")
            if (unit := _unit_id(value)) is not None
        ],
        actor=request.user.get_username(),
    )  # fmt: skip


@require_http_methods(["GET", "POST"])
@tenant_role_required(Role.ADMIN)
@never_cache
def business_units(request: HttpRequest) -> HttpResponse:
    """A tenant administrator's business units: create, rename (and re-cost), archive, restore."""
    tenant = request.tenant  # type: ignore[attr-defined]
    actor = request.user.get_username()
    error = None
    if request.method == "POST":
        try:
            action = request.POST.get("action")
            if action == "create":
                add_business_unit(
                    tenant=tenant,
                    name=request.POST.get("name", ""),
                    cost_centre=request.POST.get("cost_centre", ""),
                    actor=actor,
                )
            else:
                unit = business_unit_of(tenant, request.POST.get("unit"))
                if unit is None:
                    raise Http404(NO_SUCH_PAGE)
                change_business_unit(
                    unit=unit, actor=actor,
                    name=request.POST.get("name") if action == "rename" else None,
                    cost_centre=request.POST.get("cost_centre") if action == "rename" else None,
                    archived={"archive": True, "restore": False}.get(action or ""),
                )  # fmt: skip
            return redirect(f"/t/{tenant.slug}/business-units/")
        except InvalidInput as failure:
            error = failure.message
    context = {
        "tenant": tenant,
        "role": request.tenant_role,  # type: ignore[attr-defined]
        "units": business_units_with_principals(tenant),
        "error": error,
    }
    return render(request, "tenants/business_units.html", context, status=400 if error else 200)
