from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from governance.models import School
from notices.services import refresh_school_notices
from notices.tasks import render_school_notices


class Command(BaseCommand):
    help = (
        "Bring schools' documents up to date with the registry: a school whose notice content "
        "changed gets a new version; unchanged ones are left alone."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--school", action="append", metavar="URN", default=[],
            help="Only this school (repeatable). Default: every school.",
        )  # fmt: skip
        parser.add_argument(
            "--sync", action="store_true",
            help="Render here and now instead of queueing Celery tasks.",
        )  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        schools = School.objects.select_related("authority").order_by("name")
        if options["school"]:
            wanted = set(options["school"])
            schools = schools.filter(urn__in=wanted)
            missing = wanted - {s.urn for s in schools}
            if missing:
                raise CommandError(f"No school with URN {', '.join(sorted(missing))}")
        failures = 0
        for school in schools:
            if not options["sync"]:
                render_school_notices.delay(school.pk)
                self.stdout.write(f"{school.name}: queued")
                continue
            try:
                results = refresh_school_notices(school=school)
            except Exception as error:  # recorded on the version; report and go on
                failures += 1
                self.stderr.write(f"{school.name}: rendering failed: {error}")
                continue
            self.stdout.write(f"{school.name}: " + "; ".join(str(r) for r in results))
        if failures:
            raise CommandError(f"{failures} school(s) failed to render; see the errors above")
