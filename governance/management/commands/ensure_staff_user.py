import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from governance.env import env_str


class Command(BaseCommand):
    help = (
        "Make sure a staff superuser exists. Takes DJANGO_SUPERUSER_USERNAME and "
        "DJANGO_SUPERUSER_PASSWORD, or creates 'admin' with a random password and prints it."
    )

    def handle(self, *args: object, **options: object) -> None:
        username = env_str("DJANGO_SUPERUSER_USERNAME", "admin")
        password = env_str("DJANGO_SUPERUSER_PASSWORD")
        users = get_user_model()._default_manager
        user = users.filter(username=username).first()
        if user is not None and not password:
            self.stdout.write(
                f"Staff login '{username}' already exists; its password is unchanged "
                "(set DJANGO_SUPERUSER_PASSWORD to reset it)."
            )
            return
        if not username.strip():
            raise CommandError("DJANGO_SUPERUSER_USERNAME must not be blank")
        generated = not password
        password = password or secrets.token_urlsafe(12)
        if user is None:
            user = users.create_superuser(username=username, email="", password=password)
        else:
            user.is_staff = user.is_superuser = user.is_active = True
            user.set_password(password)
            user.save()
        shown = password if generated else "(from DJANGO_SUPERUSER_PASSWORD)"
        self.stdout.write(
            self.style.SUCCESS(f"Staff login for {settings.SITE_URL}/admin/: {username} / {shown}")
        )
