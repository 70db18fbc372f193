from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "governance"
    verbose_name = "Registry"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_migrate

        from governance import access
        from governance.national import seed_after_migrate
        from governance.portal.views import record_authentication

        access.connect()
        post_migrate.connect(seed_after_migrate, sender=self, dispatch_uid="national_records")

        # Remember when a password was last typed: signing asks again after 10 minutes.
        def remember_sign_in(
            sender: object, request: object, user: object, **kwargs: object
        ) -> None:
            if request is not None:
                record_authentication(request)  # type: ignore[arg-type]

        user_logged_in.connect(
            remember_sign_in, weak=False, dispatch_uid="portal_record_authentication"
        )
