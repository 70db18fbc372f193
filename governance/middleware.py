"""Request middleware of the project."""

from collections.abc import Callable

from django.db import connection
from django.http import HttpRequest, HttpResponse
from pghistory.middleware import HistoryMiddleware


class AuditContextMiddleware(HistoryMiddleware):
    """Attach the signed-in user and the URL to every audited write (django-pghistory).

    The audit trail is recorded by PostgreSQL triggers; on SQLite (a first run on a laptop)
    there are none, and pghistory's context statement would not parse, so this does nothing.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        super().__init__(get_response)
        self.plain = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if connection.vendor != "postgresql":
            return self.plain(request)
        return super().__call__(request)
