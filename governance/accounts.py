"""Accounts: inviting a person to set their password with a one-time link."""

from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode


class InvitationError(Exception):
    """The person cannot be invited (no email address, inactive account)."""


def invitation_url(user: Any) -> str:
    """Return a link that lets ``user`` set a password once (Django's reset tokens: it stops
    working when the password changes, when they sign in, or after PASSWORD_RESET_TIMEOUT)."""
    path = reverse(
        "portal:welcome",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return settings.SITE_URL.rstrip("/") + path


def invite_user(*, user: Any, invited_by: Any) -> None:
    """Email ``user`` a one-time link to set their password and sign in."""
    if not user.is_active:
        raise InvitationError(f"Cannot invite {user.get_username()}: the account is inactive.")
    if not user.email:
        raise InvitationError(f"Cannot invite {user.get_username()}: no email address.")
    context = {
        "user": user,
        "url": invitation_url(user),
        "invited_by": invited_by,
        "schools": list(user.schools.order_by("name")),
        "days": settings.PASSWORD_RESET_TIMEOUT // 86400,
    }
    text = render_to_string("portal/email/invitation.txt", context).strip()
    subject, _, body = text.partition("\n")
    EmailMessage(subject, body.strip() + "\n", settings.DEFAULT_FROM_EMAIL, [user.email]).send()
