"""Tell the OpenAPI schema how the API authenticates: an OIDC bearer JWT."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "identity.api_auth.BearerTokenAuthentication"
    name = "oidcBearer"

    def get_security_definition(self, auto_schema):  # type: ignore[no-untyped-def]
        return {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
