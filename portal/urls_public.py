"""URLs of the platform's public site, `/`."""

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from audit import views as audit_views
from gateway.metrics import metrics_view
from guardrails import api as guardrails_api
from identity import views as identity_views
from metering import views as metering_views
from models_catalog import views as catalog_views
from portal import views


def admin_sign_in(request: HttpRequest, extra_context: object = None) -> HttpResponse:
    """The admin has no password form of its own: people sign in through OpenID Connect."""
    return redirect_to_login(request.GET.get("next", "/admin/"))


admin.site.login = admin_sign_in  # type: ignore[method-assign]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("metrics", metrics_view, name="metrics"),
    path("admin/", admin.site.urls),
    path("oidc/", include("mozilla_django_oidc.urls")),
    path("idp/", include("identity.urls_provider")),
    path("audit/", audit_views.platform_audit_log, name="platform-audit-log"),
    path("catalog/", catalog_views.catalogue, name="catalogue"),
    path("catalog/requests/", catalog_views.queue, name="request-queue"),
    path("catalog/registry/", catalog_views.registry_index, name="registry"),
    path("catalog/registry/<slug:name>/", catalog_views.custom_model_page, name="custom-model"),
    path(
        "catalog/registry/<slug:name>/<int:number>/",
        catalog_views.version_page,
        name="model-version",
    ),
    path("billing/", metering_views.platform_billing, name="platform-billing"),
    path("api/guardrails/floor", guardrails_api.floor_policy, name="api-guardrails-floor"),
    path("api/", include("models_catalog.urls_api")),
    # Platform administrators take tokens for the platform API as tenants do for theirs.
    path("api-access/", identity_views.api_access, name="platform-api-access"),
    path("api-access/token", identity_views.issue_token, name="platform-api-token"),
    path(
        "api/schema/",
        SpectacularAPIView.as_view(urlconf="portal.urls_schema"),
        name="api-schema",
    ),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
