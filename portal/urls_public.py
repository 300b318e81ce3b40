"""URLs of the platform's public site, `/`."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from audit import urls as audit
from gateway import urls as gateway
from guardrails import urls as guardrails
from identity import urls as identity
from identity.views import admin_sign_in
from metering import urls as metering
from models_catalog import urls as models_catalog
from portal import views

# The admin has no password form of its own: people sign in through OpenID Connect.
admin.site.login = admin_sign_in  # type: ignore[method-assign,assignment]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("oidc/", include("mozilla_django_oidc.urls")),
    path("idp/", include("identity.urls_provider")),
    *gateway.platform_urlpatterns,
    *audit.platform_urlpatterns,
    *models_catalog.platform_urlpatterns,
    *metering.platform_urlpatterns,
    *guardrails.platform_urlpatterns,
    *identity.platform_urlpatterns,
    path(
        "api/schema/",
        SpectacularAPIView.as_view(urlconf="portal.urls_schema"),
        name="api-schema",
    ),
    # The split view serves Swagger UI's start-up script as a file: no inline script for the CSP.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

handler403 = views.permission_denied
handler404 = views.page_not_found
