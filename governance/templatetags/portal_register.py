"""Template tags of the portal's register pages."""

from django import template

from governance.models import School
from governance.register import notice_previews

register = template.Library()


@register.simple_tag
def notices_pending(school: School) -> bool:
    """Return whether the school's register would change a public notice if published now."""
    return not all(preview.is_unchanged for _, preview in notice_previews(school=school))


@register.simple_tag
def notices_issuing(school: School) -> str:
    """Return "issuing" while a notice of the school is being rendered, "failed" when the
    latest attempt at one failed for good, else ""."""
    from governance.outbox.models import Job

    latest: dict[str, str] = {}
    jobs = Job.objects.filter(kind=Job.Kind.NOTICE, school=school).order_by("-created_at", "-pk")
    for audience, status in jobs.values_list("audience", "status")[:20]:
        latest.setdefault(audience, status)
    if any(s in (Job.Status.PENDING, Job.Status.RUNNING) for s in latest.values()):
        return "issuing"
    return "failed" if Job.Status.FAILED in latest.values() else ""
