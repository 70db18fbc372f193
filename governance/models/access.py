"""Sign-ins, sign-outs, failed sign-ins and document downloads: who, when, from where."""

from django.conf import settings
from django.db import models


class AccessEvent(models.Model):
    """One access worth remembering. Written by ``governance.access``; never edited."""

    class Kind(models.TextChoices):
        SIGN_IN = "sign_in", "Signed in"
        SIGN_OUT = "sign_out", "Signed out"
        SIGN_IN_FAILED = "sign_in_failed", "Failed sign-in"
        DOWNLOAD = "download", "Downloaded a document"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    username = models.CharField(max_length=150, blank=True, help_text="As typed, for failures.")
    ip_address = models.GenericIPAddressField("IP address", null=True, blank=True)
    path = models.CharField(max_length=500, blank=True)
    document = models.CharField(max_length=255, blank=True, help_text="What was downloaded.")

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["kind", "-at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.username} at {self.at:%Y-%m-%d %H:%M}"
