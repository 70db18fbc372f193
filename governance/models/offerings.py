"""What schools subscribe to: offerings, and each school's subscriptions with dates."""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from governance.audit import audited
from governance.models.organisations import Authority, School


@audited()
class Offering(models.Model):
    """A service schools subscribe to (e.g. “WeLearn365”); its flows say what data it needs."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="offerings")
    name = models.CharField(max_length=200)
    description = models.TextField(help_text="What the school gets, in plain words.")
    is_active = models.BooleanField("offered", default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "name"], name="offering_name_unique_per_authority"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SubscriptionQuerySet(models.QuerySet["Subscription"]):
    def current(self, on: datetime.date | None = None) -> "SubscriptionQuerySet":
        """Return the subscriptions in force on ``on`` (today by default)."""
        day = on or timezone.localdate()
        return self.filter(Q(end_date__isnull=True) | Q(end_date__gte=day), start_date__lte=day)


@audited()
class Subscription(models.Model):
    """A school's subscription to an offering, from a start date to an optional end date."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="subscriptions")
    offering = models.ForeignKey(Offering, on_delete=models.PROTECT, related_name="subscriptions")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True, help_text="Empty while it runs on.")

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["school__name", "offering__name", "-start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "offering", "start_date"], name="subscription_unique_start"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="subscription_ends_after_it_starts",
                violation_error_message="A subscription cannot end before it starts.",
            ),
        ]

    def __str__(self) -> str:
        until = f" to {self.end_date:%d %b %Y}" if self.end_date else ""
        return f"{self.school.name}: {self.offering.name} (from {self.start_date:%d %b %Y}{until})"

    def clean(self) -> None:
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "A subscription cannot end before it starts."})
        # The school may be unsaved yet (added with its subscriptions): compare the rows.
        school, offering = getattr(self, "school", None), getattr(self, "offering", None)
        if (
            school is not None
            and offering is not None
            and school.authority_id != offering.authority_id
        ):
            raise ValidationError({"offering": "That offering belongs to another organisation."})
