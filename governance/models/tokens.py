"""Keys for systems that call the API (``/api/v1/``), issued and revoked by staff in the admin.

A key is ``dsg_`` and 43 URL-safe characters (``secrets.token_urlsafe(32)``: 256 random bits).
It is shown once, when issued; only its SHA-256 is kept, with its first eight characters after
``dsg_`` (the prefix) to find the row and to tell keys apart in the admin. A token has a role
of its own: its scope, which may narrow its owner's role but never widen it (a staff member
may give a reporting system an auditor's token).
"""

import datetime
import hashlib
import hmac
import re
import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from governance.audit import audited
from governance.models.accounts import User

KEY_START = "dsg_"
PREFIX_LENGTH = 8
KEY_FORMAT = re.compile(r"dsg_[A-Za-z0-9_-]{43}")
# last_used_at is written at most this often per token, not on every request.
TOUCH_INTERVAL = datetime.timedelta(minutes=1)
# A signing token signs agreements without the password each time: it must end this soon.
SIGNING_TOKEN_LIFETIME = datetime.timedelta(days=30)

# The roles a token of a person of each role may have: the same, or narrower.
TOKEN_ROLES: dict[str, tuple[str, ...]] = {
    User.Role.STAFF: (User.Role.STAFF, User.Role.AUDITOR),
    User.Role.AUDITOR: (User.Role.AUDITOR,),
    User.Role.DPO: (User.Role.DPO,),
}


def key_hash(key: str) -> str:
    """The SHA-256 (hex) of a whole key, as stored."""
    return hashlib.sha256(key.encode()).hexdigest()


def key_prefix(key: str) -> str:
    """The part of a key kept in clear: eight characters after ``dsg_``."""
    return key[len(KEY_START) : len(KEY_START) + PREFIX_LENGTH]


def roles_for(user: Any) -> tuple[str, ...]:
    """The roles a token of ``user`` may have."""
    return TOKEN_ROLES[user.role]


# The hash is never copied into the audit trail; last_used_at would add an event a minute.
@audited(exclude=["key_hash", "last_used_at"])
class ApiToken(models.Model):
    """A key a system uses to call the API as one person, in a role no wider than theirs."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name="owner",
        help_text="The person the system acts for: it sees what they see, in the token's role.",
    )
    name = models.CharField(
        max_length=200,
        help_text="Which system uses it, e.g. “MIS nightly export”.",
    )
    role = models.CharField(
        max_length=10,
        choices=User.Role.choices,
        help_text="The token's scope: the owner's role or a narrower one (a staff member may "
        "issue an auditor's token; an auditor only an auditor's, a DPO only a DPO's).",
    )
    prefix = models.CharField(max_length=PREFIX_LENGTH, db_index=True, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField("issued", default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name="issued by",
    )
    last_used_at = models.DateTimeField("last used", null=True, blank=True, editable=False)
    expires_at = models.DateTimeField(
        "expires",
        null=True,
        blank=True,
        help_text="Optional: after this the token is refused. Leave empty for no end date.",
    )
    may_sign = models.BooleanField(
        "signing token",
        default=False,
        help_text="A DPO's token that may also sign agreement versions for their schools "
        "without their password each time. It must expire within 30 days.",
    )
    revoked_at = models.DateTimeField("revoked", null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({KEY_START}{self.prefix}…)"

    def clean(self) -> None:
        errors = {}
        if self._state.adding and self.expires_at and self.expires_at <= timezone.now():
            errors["expires_at"] = "Choose a time in the future (or none)."
        if self.may_sign and self.role != User.Role.DPO:
            errors["may_sign"] = "Only a DPO's token can sign: a school's DPO signs for it."
        elif (
            self.may_sign
            and self._state.adding
            and (
                self.expires_at is None or self.expires_at > timezone.now() + SIGNING_TOKEN_LIFETIME
            )
        ):
            errors["expires_at"] = "A signing token must expire within 30 days."
        if self.user_id is not None:
            allowed = roles_for(self.user)
            if not self.user.is_active:
                errors["user"] = "This person's account is inactive: they can have no token."
            elif self.role and self.role not in allowed:
                labels = " or ".join(f"“{User.Role(role).label}”" for role in allowed)
                errors["role"] = (
                    "A token may narrow its owner's role, never widen it: "
                    f"{self.user} is “{User.Role(self.user.role).label}”, so their token can "
                    f"only be {labels}."
                )
        if errors:
            raise ValidationError(errors)

    # -- issuing, finding, revoking ------------------------------------------------------------

    @classmethod
    def issue(
        cls,
        *,
        user: Any,
        name: str,
        role: str,
        created_by: Any = None,
        expires_at: datetime.datetime | None = None,
        may_sign: bool = False,
    ) -> tuple["ApiToken", str]:
        """Issue a token: return the saved row and the plain key, which is stored nowhere
        (show it once). Raise ValidationError for a role wider than the owner's."""
        key = KEY_START + secrets.token_urlsafe(32)
        token = cls(
            user=user,
            name=name,
            role=role,
            created_by=created_by,
            expires_at=expires_at,
            may_sign=may_sign,
            prefix=key_prefix(key),
            key_hash=key_hash(key),
        )
        token.full_clean()
        token.save()
        return token, key

    @classmethod
    def find(cls, key: str) -> "ApiToken | None":
        """The token whose key is ``key`` (usable or not), or None. The hash is compared in
        constant time against each row of the key's prefix."""
        if not KEY_FORMAT.fullmatch(key):
            return None
        digest = key_hash(key)
        found = None
        for token in cls.objects.select_related("user").filter(prefix=key_prefix(key)):
            if hmac.compare_digest(digest, token.key_hash):
                found = token
        return found

    def revoke(self, by: Any) -> bool:
        """Revoke the token for good; return False if it already was (the first revocation
        stands)."""
        if self.revoked_at is not None:
            return False
        self.revoked_at = timezone.now()
        self.revoked_by = by
        self.save(update_fields=["revoked_at", "revoked_by"])
        return True

    def touch(self, now: datetime.datetime | None = None) -> None:
        """Record a use, writing at most once per ``TOUCH_INTERVAL`` (one conditional UPDATE:
        several processes serving the same token write once between them)."""
        now = now or timezone.now()
        if self.last_used_at is not None and now - self.last_used_at < TOUCH_INTERVAL:
            return
        stale = Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - TOUCH_INTERVAL)
        type(self).objects.filter(stale, pk=self.pk).update(last_used_at=now)
        self.last_used_at = now

    # -- state ---------------------------------------------------------------------------------

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_usable(self) -> bool:
        """Whether the API accepts the token: not revoked, not expired, its owner active and
        still of a role the token's does not exceed (a staff member made an auditor since)."""
        return self.refusal is None

    @property
    def refusal(self) -> str | None:
        """Why the API refuses the token (for staff), or None when it accepts it."""
        if self.is_revoked:
            return "Revoked"
        if self.is_expired:
            return "Expired"
        if not self.user.is_active:
            return "Owner inactive"
        if self.role not in roles_for(self.user):
            return "Wider than its owner's role"
        return None
