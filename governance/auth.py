"""Authorisation: what each role may do beyond Django's own permissions; sign-in throttling."""

from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.backends import BaseBackend
from django.db.models import Sum

_ATTEMPT_USERNAME_LENGTH = AccessAttempt._meta.get_field("username").max_length


def is_auditor(user: Any) -> bool:
    return bool(user.is_active and user.is_staff and not user.is_superuser)


class AuditorBackend(BaseBackend):
    """Grant an auditor every ``view_*`` permission, and nothing else.

    Auditors are staff without superuser: the admin shows them every list and record
    read-only; no add, change, delete or action that writes.
    """

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        codename = perm.partition(".")[2]
        return is_auditor(user_obj) and codename.startswith("view_")

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return is_auditor(user_obj)


# -- sign-in throttling (django-axes) ----------------------------------------------------------


def attempted_username(request: Any, credentials: dict | None = None) -> str | None:
    """Return the username of a sign-in attempt as django-axes records it: at most the 255
    characters of ``AccessAttempt.username`` (PostgreSQL refuses more).

    Longer than any real account's (150), a cut-short name still names no account, and the
    same typed name is cut the same way each time, so it is still counted and locked.
    """
    field = getattr(settings, "AXES_USERNAME_FORM_FIELD", "username")  # django-axes' default
    source = credentials if credentials else getattr(request, "data", request.POST)
    username = source.get(field)
    return None if username is None else str(username)[:_ATTEMPT_USERNAME_LENGTH]


class SignInThrottle(AxesDatabaseHandler):
    """django-axes' database handler, with a second, higher limit for an address.

    ``AXES_LOCKOUT_PARAMETERS`` locks an account at one address after ``AXES_FAILURE_LIMIT``
    failures. django-axes has one limit for all its parameters, so the ceiling for an address
    across accounts (``AXES_ADDRESS_FAILURE_LIMIT``: one password tried on many accounts) is
    counted here, over the same attempts and the same cool-off.
    """

    def is_locked(self, request: Any, credentials: dict | None = None) -> bool:
        return super().is_locked(request, credentials) or self._address_locked(request)

    def user_login_failed(
        self, sender: Any, credentials: dict, request: Any = None, **kwargs: Any
    ) -> None:
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or request.axes_locked_out or self.is_whitelisted(request, credentials):
            return
        if self._address_locked(request):
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send(
                "axes",
                request=request,
                username=get_client_username(request, credentials),
                ip_address=request.axes_ip_address,
            )

    def _address_locked(self, request: Any) -> bool:
        if not getattr(settings, "AXES_LOCK_OUT_AT_FAILURE", True):  # django-axes' default
            return False
        failures = AccessAttempt.objects.filter(
            ip_address=request.axes_ip_address,
            attempt_time__gte=get_cool_off_threshold(request),
        ).aggregate(total=Sum("failures_since_start"))["total"]
        return (failures or 0) >= settings.AXES_ADDRESS_FAILURE_LIMIT
