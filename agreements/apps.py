from django.apps import AppConfig


class AgreementsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "agreements"
    verbose_name = "Data sharing agreements"

    def ready(self) -> None:
        from agreements import checks

        checks.register()
