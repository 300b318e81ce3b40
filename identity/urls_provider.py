"""The built-in OpenID provider at `/idp/`: what OpenID Connect needs, and nothing more (no
self-service application registration, no device flow, no dynamic client registration)."""

from django.urls import path
from oauth2_provider import urls as toolkit_urls
from oauth2_provider import views as toolkit_views

from identity import views

app_name = "oauth2_provider"

urlpatterns = [
    path("login/", views.provider_login, name="login"),
    path("authorize/", views.ProviderAuthorizationView.as_view(), name="authorize"),
    path("token/", toolkit_views.TokenView.as_view(), name="token"),
    path("revoke_token/", toolkit_views.RevokeTokenView.as_view(), name="revoke-token"),
    path("introspect/", views.ProviderIntrospectionView.as_view(), name="introspect"),
    *toolkit_urls.oidc_urlpatterns,
    *toolkit_urls.metadata_urlpatterns,
]
