from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from governance.health import broker_status, database_status, outbox_status


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Report whether the database and the broker answer (200 if both do, else 503), and how
    the background jobs stand: the oldest due job's wait, and how many are overdue or failed.
    Jobs falling behind are for staff to see, not a reason to restart the site."""
    report: dict[str, object] = {"database": database_status(), "broker": broker_status()}
    healthy = all(value in {"ok", "in-process"} for value in report.values())
    if report["database"] == "ok":
        report["outbox"] = outbox_status()
    return JsonResponse(report, status=200 if healthy else 503)
