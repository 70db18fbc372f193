"""Load the world of the seed documents into the registry: Warwickshire County Council's ICT
Development Service (seeds 000, 001, 004), Wrexham County Borough Council with Victoria CP
School (seed 002) and the University of Wolverhampton Multi Academy Trust with one of its
academies (seed 003), on top of the national records (``governance.national``).

Safe to run again: it only writes what differs, so a second run changes nothing. It reads and
writes only its own three organisations' records, the shared suppliers it names and the
lawful bases of its catalogue; details staff add beyond the seeds are kept.
"""

from django.db import transaction
from django.utils import timezone

from governance.demo import suppliers, warwickshire, world
from governance.demo.loader import Loader
from governance.demo.register import load_organisation, load_supplier
from governance.demo.wolverhampton import WOLVERHAMPTON
from governance.demo.wrexham import WREXHAM
from governance.models import LawfulBasis, School
from governance.national import LAWFUL_BASES, ensure_national_records
from notices.dependencies import holding_refresh, queue_notice_refresh
from processors.models import Processor

# Stour Valley CofE Primary School's notices stay drafts, to show a school being onboarded.
DRAFT_SCHOOLS = {"999104"}


def load_demo() -> dict[str, int]:
    """Load the seed documents' world; return how many rows of each kind were written."""
    loader = Loader()
    with transaction.atomic(), holding_refresh():
        ensure_national_records()
        _load_lawful_bases(loader)
        bases = {basis.code: basis for basis in LawfulBasis.objects.all()}
        warwickshire.load_warwickshire(loader, bases)
        for supplier in suppliers.SHARED_SUPPLIERS:
            load_supplier(loader, supplier)
        shared = {p.name: p for p in Processor.objects.filter(school=None)}
        for organisation in (WREXHAM, WOLVERHAMPTON):
            load_organisation(loader, organisation, bases, shared)
        _publish_schools(loader)
    if loader.written:
        # Edits were held rather than traced one by one; refreshing every school is a no-op
        # for those whose notices did not change.
        queue_notice_refresh(School.objects.values_list("pk", flat=True))
    return dict(loader.written)


def _load_lawful_bases(loader: Loader) -> None:
    """Bring the catalogue's wording back to the seeds' where it drifted (a second run writes
    nothing)."""
    for kind, code, title, text in LAWFUL_BASES:
        loader.upsert(
            LawfulBasis, {"code": code}, {"kind": kind, "title": title, "plain_text": text}
        )


def _publish_schools(loader: Loader) -> None:
    """Publish the demo schools' notices once (all but the drafts); never move the date."""
    specs = [*world.SCHOOLS, *WREXHAM.schools, *WOLVERHAMPTON.schools]
    urns = {spec["urn"] for spec in specs} - DRAFT_SCHOOLS
    for school in School.objects.filter(urn__in=urns, notices_published_at__isnull=True):
        school.notices_published_at = timezone.now()
        school.full_clean()
        school.save(update_fields=["notices_published_at"])
        loader.written["schools published"] += 1
