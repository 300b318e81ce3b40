"""Sign-in helpers, members and service accounts (the built-in provider is in urls_provider)."""

from django.urls import path

from identity import api, views

# Mounted under /t/<slug>/ by portal.urls_tenant.
tenant_urlpatterns = [
    path("api-access/", views.api_access, name="api-access"),
    path("api-access/token", views.issue_token, name="api-access-token"),
    path("members/", views.members, name="members"),
    path("business-units/", views.business_units, name="business-units"),
    path("service-accounts/", views.service_accounts, name="service-accounts"),
    path(
        "service-accounts/<int:account_id>/revoke",
        views.revoke_account,
        name="service-account-revoke",
    ),
    path("v1/whoami", api.whoami, name="api-whoami"),
    path("v1/service-accounts", api.service_accounts, name="api-service-accounts"),
    path("v1/service-accounts/<int:account_id>", api.service_account, name="api-service-account"),
    path("v1/business-units", api.business_units, name="api-business-units"),
    path("v1/business-units/<int:unit_id>", api.business_unit, name="api-business-unit"),
    path("v1/members", api.members, name="api-members"),
    path("v1/members/<int:membership_id>", api.member, name="api-member"),
]

# Mounted on the platform's site, /, by portal.urls_public.
platform_urlpatterns = [
    # Platform administrators take tokens for the platform API as tenants do for theirs.
    path("api-access/", views.api_access, name="platform-api-access"),
    path("api-access/token", views.issue_token, name="platform-api-token"),
]
