"""People who sign in: service staff, auditors and school DPOs."""

from django.contrib.auth.models import AbstractUser
from django.db import models

from governance.audit import audited


@audited(exclude=["password", "last_login"])
class User(AbstractUser):
    """A person who signs in. Their role follows from Django's flags (see ``role``)."""

    class Role(models.TextChoices):
        STAFF = "staff", "Service staff (full admin)"
        AUDITOR = "auditor", "Auditor (sees everything, changes nothing)"
        DPO = "dpo", "School DPO (the portal, for their schools)"

    schools = models.ManyToManyField(
        "governance.School",
        blank=True,
        related_name="dpo_users",
        verbose_name="DPO of",
        help_text="The schools this person is Data Protection Officer for: in the portal they "
        "see these schools only, and sign agreements for them.",
    )

    @property
    def role(self) -> "User.Role":
        """Staff are superusers; auditors are staff without it (view-only, granted by
        ``governance.auth.AuditorBackend``); everyone else signs in to the portal only."""
        if self.is_superuser:
            return self.Role.STAFF
        if self.is_staff:
            return self.Role.AUDITOR
        return self.Role.DPO

    def set_role(self, role: str) -> None:
        """Set the flags that make this person ``role`` (saved by the caller)."""
        self.is_staff = role in (self.Role.STAFF, self.Role.AUDITOR)
        self.is_superuser = role == self.Role.STAFF

    @classmethod
    def staff_addresses(cls) -> list[str]:
        """The email addresses of active staff (superusers), who get the service's reminders."""
        staff = cls._default_manager.filter(is_superuser=True, is_active=True).exclude(email="")
        return sorted(set(staff.values_list("email", flat=True)))

    def is_dpo_of(self, school_id: int) -> bool:
        """Return whether this person may act as the DPO of the school."""
        return self.schools.filter(pk=school_id).exists()
