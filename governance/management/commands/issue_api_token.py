import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from governance.models import ApiToken


class Command(BaseCommand):
    help = (
        "Issue an API token for a person, as the admin's API tokens page does, and print its "
        "key (shown once: only its hash is kept). Revoke it in the admin."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="The person the system acts for.")
        parser.add_argument("--name", required=True, help="Which system uses it.")
        parser.add_argument(
            "--role",
            choices=[role.value for role in get_user_model().Role],
            help="The token's role: the person's own (the default) or a narrower one.",
        )
        parser.add_argument(
            "--expires-in-days", type=int, metavar="DAYS", help="Refused after this many days."
        )
        parser.add_argument(
            "--signing", action="store_true", help="A DPO's signing token (30 days at most)."
        )

    def handle(self, *args: object, **options: object) -> None:
        username = str(options["username"])
        user = get_user_model()._default_manager.filter(username=username).first()
        if user is None:
            raise CommandError(f"No person with the username {username!r}.")
        days = options["expires_in_days"]
        expires = timezone.now() + datetime.timedelta(days=days) if isinstance(days, int) else None
        try:
            token, key = ApiToken.issue(
                user=user,
                name=str(options["name"]),
                role=str(options["role"] or user.role),
                expires_at=expires,
                may_sign=bool(options["signing"]),
            )
        except ValidationError as error:
            messages = [f"{field}: {' '.join(m)}" for field, m in error.message_dict.items()]
            raise CommandError("; ".join(messages)) from error
        self.stderr.write(f"Issued “{token}” for {username} ({token.role}). Copy the key now:")
        self.stdout.write(key)
