from django.apps import AppConfig


class ProcessorsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "processors"
    verbose_name = "Third-party processors"
