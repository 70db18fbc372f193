from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "governance"
    verbose_name = "Registry"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from governance import access
        from governance.portal.views import record_authentication

        access.connect()

        # Remember when a password was last typed: signing asks again after 10 minutes.
        def remember_sign_in(
            sender: object, request: object, user: object, **kwargs: object
        ) -> None:
            if request is not None:
                record_authentication(request)  # type: ignore[arg-type]

        user_logged_in.connect(
            remember_sign_in, weak=False, dispatch_uid="portal_record_authentication"
        )
