"""Systems call the API with a token staff issued them (``ApiToken``):
``Authorization: Bearer dsg_…`` (``Token dsg_…`` is accepted too).

No such header: this class has nothing to say and the next one (the session) is asked. A
header naming a token that is malformed, unknown, revoked, expired, of an inactive person or
wider than its owner's role now: 401, one plain message for all of them. Otherwise the caller
is the token's owner and ``request.auth`` the token, whose role the API reads
(``governance.api.roles.api_role``). A token is a credential of its own, not a cookie the
browser sends by itself: no CSRF check.
"""

from typing import Any

from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from governance.models import ApiToken

KEYWORDS = (b"bearer", b"token")
REFUSED = "Invalid or revoked token."


class TokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer <key>`` (or ``Token <key>``) -> (the owner, the ApiToken)."""

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        words = get_authorization_header(request).split()
        if not words or words[0].lower() not in KEYWORDS:
            return None
        if len(words) != 2:
            raise AuthenticationFailed(REFUSED)
        try:
            key = words[1].decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed(REFUSED) from None
        token = ApiToken.find(key)
        if token is None or not token.is_usable:
            raise AuthenticationFailed(REFUSED)
        token.touch()
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        """Makes an unauthenticated call a 401 (with this challenge), not a 403."""
        return 'Bearer realm="api"'
