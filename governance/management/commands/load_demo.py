from django.core.management.base import BaseCommand

from governance.demo import load_demo


class Command(BaseCommand):
    help = "Load the seed documents' world (authority, services, suppliers, flows, demo schools)."

    def handle(self, *args: object, **options: object) -> None:
        written = load_demo()
        if not written:
            self.stdout.write("Demo registry already up to date: nothing changed.")
            return
        summary = ", ".join(f"{count} {label}" for label, count in sorted(written.items()))
        self.stdout.write(self.style.SUCCESS(f"Demo registry loaded: {summary}."))
