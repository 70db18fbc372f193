"""How often one caller may call the API: ``DEFAULT_THROTTLE_RATES["caller"]`` requests
(``API_RATE_LIMIT``) per period, counted in Django's cache (shared by every process when
``REDIS_URL`` is set).

The caller is the token for a system (two systems of one person are counted apart), the person
for a signed-in browser, and the client's address for anyone else, read as sign-in throttling
reads it (X-Forwarded-For only behind ``TRUSTED_PROXY_COUNT`` proxies, so a client cannot
name itself a new address per request).
"""

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from agreements.middleware import client_key
from governance.models import ApiToken


class CallerRateThrottle(SimpleRateThrottle):
    scope = "caller"

    def get_rate(self) -> str | None:
        # DRF's own reads the rates once, at import; read them when each request is served.
        rates = api_settings.DEFAULT_THROTTLE_RATES
        if self.scope not in rates:
            raise ImproperlyConfigured(
                f"REST_FRAMEWORK's DEFAULT_THROTTLE_RATES has no {self.scope!r} rate"
            )
        return rates[self.scope]

    def get_cache_key(self, request: Request, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.caller(request)}

    def caller(self, request: Request) -> str:
        if isinstance(request.auth, ApiToken):
            return f"token-{request.auth.pk}"
        user = request.user
        if user is not None and user.is_authenticated:
            return f"user-{user.pk}"
        return f"address-{client_key(request._request)}"
