from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "governance"
    verbose_name = "Registry"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from governance.portal.views import record_authentication

        # Remember when a password was last typed: signing asks again after 10 minutes.
        user_logged_in.connect(
            lambda sender, request, user, **kwargs: request and record_authentication(request),
            weak=False,
            dispatch_uid="portal_record_authentication",
        )
