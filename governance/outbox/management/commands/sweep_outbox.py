from typing import Any

from django.core.management.base import BaseCommand

from governance.outbox import services
from governance.outbox.models import Job


class Command(BaseCommand):
    help = (
        "Send background jobs whose message never reached a worker and release those whose "
        "worker died (beat does this every minute), then say what is waiting or failed."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(str(services.sweep()))
        waiting = Job.objects.open().count()
        failed = Job.objects.filter(status=Job.Status.FAILED).count()
        oldest = services.oldest_waiting_seconds()
        age = f", the oldest due {oldest} s ago" if oldest is not None else ""
        self.stdout.write(f"{waiting} job(s) waiting or running{age}; {failed} failed")
