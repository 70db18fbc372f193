from django.apps import AppConfig


class OutboxConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "governance.outbox"
    label = "outbox"
    verbose_name = "Background jobs"

    def ready(self) -> None:
        from governance.outbox import worker

        worker.connect()
