"""URLs of a tenant; django-tenants mounts them under `/t/<slug>/`."""

from django.urls import path

from tenants import views as tenant_views

urlpatterns = [
    path("", tenant_views.tenant_home, name="tenant-home"),
]
