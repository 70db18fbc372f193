"""How the OpenAPI schema describes the API's own authentication."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "governance.api.authentication.TokenAuthentication"
    name = "token"

    def get_security_definition(self, auto_schema: object) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A token staff issued in the admin (API tokens), scoped to a role: "
            "`Authorization: Bearer dsg_…`.",
        }
