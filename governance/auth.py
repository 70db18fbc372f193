"""Authorisation: what each role may do beyond Django's own permissions."""

from typing import Any

from django.contrib.auth.backends import BaseBackend


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
