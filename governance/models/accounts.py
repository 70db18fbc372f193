"""People who sign in: service staff, auditors and school DPOs."""

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A person who signs in. Custom from the first migration so roles can grow here."""

    schools = models.ManyToManyField(
        "governance.School",
        blank=True,
        related_name="dpo_users",
        verbose_name="DPO of",
        help_text="The schools this person is Data Protection Officer for: in the portal they "
        "see these schools only, and sign agreements for them.",
    )

    def is_dpo_of(self, school_id: int) -> bool:
        """Return whether this person may act as the DPO of the school."""
        return self.schools.filter(pk=school_id).exists()
