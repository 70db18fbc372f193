from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from governance.health import broker_status, database_status


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Report whether the database and the broker answer: 200 if both do, else 503."""
    report = {"database": database_status(), "broker": broker_status()}
    healthy = all(value in {"ok", "in-process"} for value in report.values())
    return JsonResponse(report, status=200 if healthy else 503)
