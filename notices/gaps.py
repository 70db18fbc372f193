"""What a school's notices cannot say because the registry is silent: shown to staff and the
school's DPO, never printed for readers."""

from django.utils import timezone

from governance.models import Authority, School
from governance.services import condition_misfits
from notices.content import Audience
from notices.register import RegisterRows, bases_of, load_register
from processors.models import Processor


def notice_gaps(school: School) -> list[str]:
    """Return, in plain words, each fact the school's notices leave out for want of a record,
    and each special category condition that does not fit whose data it covers."""
    gaps = [f"The school's {label} is not recorded." for label in school.missing_contacts]
    if trust_contacts_missing(school):
        gaps.append(
            f"How to contact {school.trust_name} (the data controller) is not recorded: the "
            "notices name the trust and give the school's contact details as the school's."
        )
    day = timezone.localdate()
    suppliers: dict[int, str] = {}
    misfits: dict[str, None] = {}
    for audience in Audience:
        rows = load_register(school, audience, day)
        if not rows.purposes:
            gaps.append(f"No purposes are recorded for the {audience.label.lower()} notice.")
        if not rows.categories:
            gaps.append(f"No data categories apply to the {audience.label.lower()} notice.")
        unsaid = [c.title for c in rows.categories if not c.obligation]
        if unsaid:
            gaps.append(
                f"Whether people must provide it is not recorded for: {', '.join(unsaid)} "
                f"({audience.label.lower()} notice)."
            )
        for supplier in rows.suppliers():
            gap = _supplier_gap(supplier)
            if gap:
                suppliers.setdefault(supplier.pk, gap)
        misfits.update(dict.fromkeys(_condition_gaps(rows)))
    gaps += sorted(suppliers.values())
    gaps += list(misfits)
    if not (school.security_measures.strip() or school.authority.security_measures.strip()):
        gaps.append("No security measures are recorded (the notice says nothing about them).")
    schedule = school.retention_schedule
    if not (schedule["summary"] or schedule["url"]):
        gaps.append("No records retention schedule is recorded for the school.")
    return gaps


def _condition_gaps(rows: RegisterRows) -> list[str]:
    return [
        f"To {flow.recipient}: {warning}"
        for flow, carried in rows.flows
        for warning in condition_misfits(data_objects=carried, lawful_bases=bases_of(flow))
    ]


def _supplier_gap(supplier: Processor) -> str:
    if supplier.data_leaves_uk == "unknown":
        return f"Whether {supplier.name} stores data outside the UK is not known."
    if not supplier.data_location.strip():
        return f"Where {supplier.name} stores data is not recorded."
    return ""


def trust_contacts_missing(school: School) -> bool:
    """Return whether ``school`` is an academy whose trust, the controller, is known only by
    name (not an organisation here, and no address, phone or email of its own recorded)."""
    if school.school_type == School.Type.MAINTAINED:
        return False
    if school.authority.kind == Authority.Kind.TRUST:
        return False
    return not (school.trust_address.strip() or school.trust_email or school.trust_phone)
