"""People who sign in: service staff, auditors and school DPOs."""

from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """A person who signs in. Custom from the first migration so roles can grow here."""
