import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from governance.models import School
from governance.outbox.models import JobBatch
from notices.dependencies import queue_notice_batch
from notices.services import refresh_school_notices


class Command(BaseCommand):
    help = (
        "Bring schools' documents up to date with the registry: a school whose notice content "
        "changed gets a new version; unchanged ones are left alone. By default writes a batch "
        "of jobs for the workers and returns; --wait follows its progress."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--school", action="append", metavar="URN", default=[],
            help="Only this school (repeatable). Default: every school.",
        )  # fmt: skip
        parser.add_argument(
            "--sync", action="store_true",
            help="Render here and now, one school after another, instead of queueing jobs.",
        )  # fmt: skip
        parser.add_argument(
            "--wait", action="store_true",
            help="After queueing, print the batch's progress until every job has finished.",
        )  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        schools = School.objects.select_related("authority").order_by("name")
        if options["school"]:
            wanted = set(options["school"])
            schools = schools.filter(urn__in=wanted)
            missing = wanted - {s.urn for s in schools}
            if missing:
                raise CommandError(f"No school with URN {', '.join(sorted(missing))}")
        if options["sync"]:
            self._render_here(list(schools))
            return
        batch = queue_notice_batch(
            label="Re-render from the command line", school_ids=[s.pk for s in schools]
        )
        self.stdout.write(f"Batch {batch.pk}: {self._progress(batch)}")
        if options["wait"]:
            self._follow(batch)

    def _render_here(self, schools: list[School]) -> None:
        failures = 0
        for school in schools:
            try:
                results = refresh_school_notices(school=school)
            except Exception as error:  # recorded on the version; report and go on
                failures += 1
                self.stderr.write(f"{school.name}: rendering failed: {error}")
                continue
            if not results:
                self.stdout.write(f"{school.name}: draft, nothing issued until published")
                continue
            self.stdout.write(f"{school.name}: " + "; ".join(str(r) for r in results))
        if failures:
            raise CommandError(f"{failures} school(s) failed to render; see the errors above")

    def _progress(self, batch: JobBatch) -> str:
        p = batch.progress()
        return f"{p['done']} done, {p['pending']} pending, {p['failed']} failed of {p['total']}"

    def _follow(self, batch: JobBatch) -> None:
        last = ""
        while True:
            line = self._progress(batch)
            if line != last:
                self.stdout.write(f"Batch {batch.pk}: {line}")
                last = line
            progress = batch.progress()
            if not progress["pending"]:
                break
            time.sleep(1)
        if progress["failed"]:
            raise CommandError(
                f"{progress['failed']} job(s) failed; see Background jobs in the admin"
            )
