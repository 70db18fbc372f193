"""Record sign-ins, sign-outs, failed sign-ins and private document downloads."""

from typing import Any

from axes.helpers import get_client_ip_address
from django.http import HttpRequest

from governance.models.access import AccessEvent


def record_access(
    *, kind: str, request: HttpRequest | None, user: Any = None, username: str = "",
    document: str = "",
) -> AccessEvent:  # fmt: skip
    """Write one access event; the user, address and path come from ``request``."""
    if user is None and request is not None and getattr(request, "user", None) is not None:
        user = request.user if request.user.is_authenticated else None
    return AccessEvent.objects.create(
        kind=kind,
        user=user,
        username=(user.get_username() if user is not None else username)[:150],
        ip_address=get_client_ip_address(request) if request is not None else None,
        path=request.path[:500] if request is not None else "",
        document=document[:255],
    )


def connect() -> None:
    """Listen to Django's sign-in signals (wiring only: the record is written here)."""
    from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

    def signed_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
        if request is not None:
            record_access(kind=AccessEvent.Kind.SIGN_IN, request=request, user=user)

    def signed_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
        if request is not None and user is not None:
            record_access(kind=AccessEvent.Kind.SIGN_OUT, request=request, user=user)

    def failed(sender: Any, credentials: dict, request: Any = None, **kwargs: Any) -> None:
        record_access(
            kind=AccessEvent.Kind.SIGN_IN_FAILED,
            request=request,
            username=str(credentials.get("username", "")),
        )

    user_logged_in.connect(signed_in, weak=False, dispatch_uid="access_sign_in")
    user_logged_out.connect(signed_out, weak=False, dispatch_uid="access_sign_out")
    user_login_failed.connect(failed, weak=False, dispatch_uid="access_sign_in_failed")
