from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from governance import gias


class Command(BaseCommand):
    help = (
        "Import schools from a GIAS establishment data CSV (all of England, or an extract). "
        "Without --apply, print what would change and change nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The CSV GIAS exports.")
        parser.add_argument("--apply", action="store_true", help="Apply it (one transaction).")

    def handle(self, *args: object, **options: object) -> None:
        path = options["file"]
        assert isinstance(path, Path)
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}") from None
        try:
            plan = gias.apply_plan(data) if options["apply"] else gias.read_plan(data)
        except gias.GiasFileError as error:
            raise CommandError(f"{path}: {error}") from None
        except gias.ImportRefused as refused:
            self._print(refused.plan)
            raise CommandError(str(refused)) from None
        self._print(plan)
        if options["apply"]:
            self.stdout.write(self.style.SUCCESS(f"Imported: {plan.summary(applied=True)}."))
        elif plan.ok:
            self.stdout.write(f"Nothing changed yet: {plan.summary()}. Run again with --apply.")
        else:
            raise CommandError(f"Nothing can be imported: {len(plan.errors)} rows have errors.")

    def _print(self, plan: gias.Plan) -> None:
        for title, changes in (("New", plan.created), ("Changed", plan.updated),
                               ("Closed", plan.closed)):  # fmt: skip
            for change in changes:
                fields = ", ".join(sorted(change.fields)) if title != "New" else ""
                self.stdout.write(f"{title}: {change.name} (URN {change.urn})"
                                  + (f": {fields}" if fields else ""))  # fmt: skip
        for skipped in plan.skipped:
            self.stdout.write(
                f"Skipped: line {skipped.line}, {skipped.name} (URN {skipped.urn}): "
                f"{skipped.reason}"
            )
        for problem in plan.errors:
            self.stderr.write(f"Error: {problem} (URN {problem.urn or '?'})")
        self.stdout.write(plan.summary())
