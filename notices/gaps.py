"""What a school's notices cannot say because the registry is silent: shown to staff and the
school's DPO, never printed for readers."""

from django.utils import timezone

from governance.models import School
from notices.content import Audience
from notices.register import load_register


def notice_gaps(school: School) -> list[str]:
    """Return, in plain words, each fact the school's notices leave out for want of a record."""
    gaps = [f"The school's {label} is not recorded." for label in school.missing_contacts]
    day = timezone.localdate()
    suppliers: dict[int, str] = {}
    for audience in Audience:
        rows = load_register(school, audience, day)
        if not rows.purposes:
            gaps.append(f"No purposes are recorded for the {audience.label.lower()} notice.")
        if not rows.categories:
            gaps.append(f"No data categories apply to the {audience.label.lower()} notice.")
        for supplier in rows.suppliers():
            if supplier.data_leaves_uk == "unknown":
                suppliers[supplier.pk] = (
                    f"Whether {supplier.name} stores data outside the UK is not known."
                )
            elif not supplier.data_location.strip():
                suppliers.setdefault(
                    supplier.pk, f"Where {supplier.name} stores data is not recorded."
                )
    gaps += sorted(suppliers.values())
    if not (school.security_measures.strip() or school.authority.security_measures.strip()):
        gaps.append("No security measures are recorded (the notice says nothing about them).")
    schedule = school.retention_schedule
    if not (schedule["summary"] or schedule["url"]):
        gaps.append("No records retention schedule is recorded for the school.")
    return gaps
