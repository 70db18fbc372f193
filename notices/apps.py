from django.apps import AppConfig


class NoticesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "notices"
    verbose_name = "Privacy notices"

    def ready(self) -> None:
        from notices import checks, signals

        signals.connect()
        checks.register()
