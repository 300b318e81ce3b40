"""The tenant's landing page."""

from django.urls import path

from tenants import views

# Mounted under /t/<slug>/ by portal.urls_tenant.
tenant_urlpatterns = [
    path("", views.tenant_home, name="tenant-home"),
]
