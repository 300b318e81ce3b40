"""The audit log: each tenant's, and the platform's."""

from django.urls import path

from audit import views

# Mounted under /t/<slug>/ by portal.urls_tenant.
tenant_urlpatterns = [
    path("audit/", views.tenant_audit_log, name="tenant-audit-log"),
]

# Mounted on the platform's site, /, by portal.urls_public.
platform_urlpatterns = [
    path("audit/", views.platform_audit_log, name="platform-audit-log"),
]
