from django.core.management.base import BaseCommand, CommandError

from agreements.ledger import verify_chain


class Command(BaseCommand):
    help = "Recompute the hash chain of the sign-off log; exit 1 naming the first bad entry."

    def handle(self, *args: object, **options: object) -> None:
        check = verify_chain()
        if not check.ok:
            raise CommandError(
                f"Sign-off log broken: {check.problem} "
                f"({check.entries} entries verified before it)."
            )
        self.stdout.write(self.style.SUCCESS(f"Sign-off log intact: {check.entries} entries."))
