"""Staff publish a version: the registry's facts and their clauses, frozen with a fingerprint,
laid out as a PDF; from then on the version never changes, whatever staff try."""

import datetime
import hashlib
import io
import json
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.dateformat import format as format_date
from pypdf import PdfReader

from agreements.content import build_agreement_content, party_schools
from agreements.models import AgreementVersion
from agreements.services import (
    AgreementError,
    delete_draft,
    publish_problems,
    publish_version,
    save_draft,
    start_draft,
)
from governance.models import DataFlow, DesignatedOfficer, LawfulBasis, School
from tests.agreements.conftest import (
    ARDEN,
    AVON,
    BRYN_DERW,
    KINETON,
    NEW_PURPOSE,
    STOUR,
    next_draft,
)
from tests.factories import DataObjectFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("world")]


def stored_pdf(version: AgreementVersion) -> bytes:
    with version.pdf.open("rb") as handle:
        return handle.read()


def pdf_text(data: bytes) -> str:
    """The PDF's words, with line breaks (table cells wrap names) folded to spaces."""
    pages = PdfReader(io.BytesIO(data)).pages
    return " ".join(" ".join(page.extract_text().split()) for page in pages)


def party_flows(version: AgreementVersion) -> list[DataFlow]:
    return list(
        DataFlow.objects.filter(
            authority=version.agreement.authority,
            is_active=True,
            partner_service__is_agreement_party=True,
        ).prefetch_related("data_objects", "lawful_bases")
    )


# What an agreement says


def test_content_carries_the_registry_facts_and_the_staff_clauses(world) -> None:
    version = world.version(2)
    content = version.content
    flows = party_flows(version)

    assert content["purpose"] == [NEW_PURPOSE]
    assert content["use"] == [version.use_of_information]
    assert content["security"] == version.security.split("\n\n")
    assert content["changes"] == [version.changes]
    assert content["review"]["display"] == format_date(version.review_date, "j F Y")
    art6 = {b.code for f in flows for b in f.lawful_bases.all() if b.kind == LawfulBasis.Kind.ART6}
    assert [basis["code"] for basis in content["legal"]["art6"]] == sorted(art6)
    assert content["exchange"]["transports"] == sorted({f.transport for f in flows})
    assert {f["label"] for f in content["exchange"]["frequencies"]} == {
        f.get_frequency_display() for f in flows
    }
    shared = {o["sif_name"] for group in content["data"] for o in group["objects"]}
    assert shared == {o.sif_name for f in flows for o in f.data_objects.all()}
    assert {rule["name"] for rule in content["retention"]["rules"]} == {
        f.retention_rule.name for f in flows
    }


def test_content_lists_each_party_services_designated_officers(world) -> None:
    officers = world.version(2).content["officers"]

    expected = DesignatedOfficer.objects.filter(
        partner__authority__agreements__pk=world.agreement_id, partner__is_agreement_party=True
    )
    assert {(row["partner"], row["name"]) for row in officers} == {
        (o.partner.name, o.name) for o in expected
    }
    assert {
        "partner": "Children Missing Education",
        "name": "Annette Firman",
        "position": "Lead Professional – Vulnerable Groups",
        "email": "annettefirman@warwickshire.gov.uk",
    } in officers


def test_content_hash_is_the_sha256_of_the_canonical_json(world) -> None:
    version = world.version(2)

    canonical = json.dumps(
        version.content, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode()
    assert version.content_hash == hashlib.sha256(canonical).hexdigest()
    assert version.content == build_agreement_content(version)


def test_published_pdf_reads_back_with_the_registry_words(world) -> None:
    version = world.version(2)
    data = stored_pdf(version)

    text = pdf_text(data)
    assert "Annette Firman" in text
    assert "LearnerPersonal" in text
    assert "UK GDPR Article 6(1)(e)" in text
    assert "share pupil data securely" in text
    assert version.pdf_sha256 == hashlib.sha256(data).hexdigest()


def test_publishing_records_who_and_when(world) -> None:
    version = world.version(2)

    assert version.status == AgreementVersion.Status.PUBLISHED
    assert version.published_by.username == "publisher"
    assert version.published_at is not None
    assert "Annette Firman" in version.html


def test_registry_changes_after_publishing_leave_the_published_version_as_it_was(world) -> None:
    version = world.version(2)
    before = (version.content, version.content_hash, version.html, stored_pdf(version))
    DesignatedOfficer.objects.filter(name="Annette Firman").update(name="Annette Smith")
    flow = DataFlow.objects.filter(partner_service__name="Children Missing Education").first()
    flow.data_objects.add(DataObjectFactory(sif_name="LearnerNewThing"))

    draft = start_draft(agreement=version.agreement)
    fresh = build_agreement_content(draft)
    version.refresh_from_db()

    assert "Annette Smith" in {row["name"] for row in fresh["officers"]}
    assert "LearnerNewThing" in {o["sif_name"] for g in fresh["data"] for o in g["objects"]}
    assert (version.content, version.content_hash, version.html, stored_pdf(version)) == before
    assert hashlib.sha256(stored_pdf(version)).hexdigest() == version.pdf_sha256
    assert "Annette Smith" not in pdf_text(stored_pdf(version))


# Drafts and what stops publishing


def test_a_new_draft_copies_the_newest_clauses_and_there_is_only_ever_one(world) -> None:
    agreement = world.version(2).agreement

    draft = start_draft(agreement=agreement)

    assert (draft.number, draft.status, draft.purpose) == (3, "draft", NEW_PURPOSE)
    assert start_draft(agreement=agreement).pk == draft.pk
    assert draft.review_date > world.version(2).review_date


def test_a_draft_with_a_blank_required_clause_or_past_review_date_cannot_be_published(
    world, staff
) -> None:
    draft = start_draft(agreement=world.version(2).agreement)
    AgreementVersion.objects.filter(pk=draft.pk).update(
        security="   ", review_date=datetime.date(2000, 1, 1)
    )
    draft.refresh_from_db()

    problems = publish_problems(draft)

    assert "Write the clause “security and data management”." in problems
    assert "Set a review date in the future." in problems
    with pytest.raises(AgreementError, match="security and data management"):
        publish_version(version=draft, user=staff)
    draft.refresh_from_db()
    assert (draft.status, draft.pdf_sha256) == (AgreementVersion.Status.DRAFT, "")


def test_publishing_an_issued_version_again_is_refused(world, staff) -> None:
    with pytest.raises(AgreementError, match="already Published"):
        publish_version(version=world.version(2), user=staff)


def test_party_schools_are_every_school_of_the_authority_and_no_other(world) -> None:
    authority = world.version(2).agreement.authority

    # Warwickshire's three demo schools and the world's Kineton Brook; not Ysgol Bryn Derw
    # (now Wrexham's) nor the other organisations' schools, which share nothing with it.
    assert set(party_schools(authority).values_list("urn", flat=True)) == {
        AVON, ARDEN, KINETON, STOUR,
    }  # fmt: skip
    others = set(School.objects.exclude(authority=authority).values_list("urn", flat=True))
    assert BRYN_DERW in others, "the demo has other organisations' schools to leave out"


# A published version never changes: the services refuse


@pytest.mark.parametrize("number", [1, 2], ids=["superseded", "published"])
def test_saving_an_issued_version_is_refused(world, number) -> None:
    version = world.version(number)
    version.purpose = "Rewritten after publication."

    with pytest.raises(AgreementError, match="cannot be changed"):
        save_draft(version=version)

    version.refresh_from_db()
    assert version.purpose != "Rewritten after publication."
    assert version.status != AgreementVersion.Status.DRAFT


@pytest.mark.parametrize("number", [1, 2], ids=["superseded", "published"])
def test_deleting_an_issued_version_is_refused(world, number) -> None:
    version = world.version(number)

    with pytest.raises(AgreementError, match="kept for ever"):
        delete_draft(version=version)

    assert AgreementVersion.objects.filter(pk=version.pk).exists()


def test_a_draft_can_be_edited_and_deleted(world) -> None:
    draft = start_draft(agreement=world.version(2).agreement)
    draft.purpose = "A better purpose."

    save_draft(version=draft)
    assert AgreementVersion.objects.get(pk=draft.pk).purpose == "A better purpose."
    delete_draft(version=draft)
    assert not AgreementVersion.objects.filter(pk=draft.pk).exists()


# ... and so does the admin


def change_url(version: AgreementVersion) -> str:
    return reverse("admin:agreements_agreementversion_change", args=[version.pk])


def test_admin_shows_a_published_version_read_only(world, staff_client: Client) -> None:
    version = world.version(2)

    page = staff_client.get(change_url(version))

    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="purpose"' not in html
    assert 'name="review_date' not in html
    assert "share pupil data securely" in html
    assert set(page.context["adminform"].form.fields) == set()


def test_admin_post_to_a_published_version_changes_nothing_and_is_no_server_error(
    world, staff
) -> None:
    version = world.version(2)
    frozen = AgreementVersion.objects.filter(pk=version.pk).values().get()
    staff_client = Client(raise_request_exception=False)
    staff_client.force_login(staff)

    response = staff_client.post(
        change_url(version),
        {"purpose": "Rewritten in the admin.", "review_date": "2040-01-01", "_save": "Save"},
    )

    assert AgreementVersion.objects.filter(pk=version.pk).values().get() == frozen
    assert response.status_code in (200, 302, 403), "a refused save must not be a server error"


def test_admin_cannot_delete_a_published_version(world, staff_client: Client) -> None:
    version = world.version(2)

    response = staff_client.post(
        reverse("admin:agreements_agreementversion_delete", args=[version.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert AgreementVersion.objects.filter(pk=version.pk).exists()


def test_admin_bulk_delete_leaves_issued_versions_alone(world, staff) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(staff)
    form = {"action": "delete_selected", "_selected_action": [str(world.v1), str(world.v2)]}

    response = client.post(reverse("admin:agreements_agreementversion_changelist"), {
        **form, "post": "yes",
    })  # fmt: skip

    assert response.status_code in (200, 302, 403)
    assert AgreementVersion.objects.filter(pk__in=[world.v1, world.v2]).count() == 2


def test_admin_publish_page_publishes_a_draft_and_opens_its_round(
    world, staff_client: Client
) -> None:
    draft = next_draft(world.version(2).agreement)

    response = staff_client.post(
        reverse("admin:agreements_agreementversion_publish", args=[draft.pk]), follow=True
    )

    draft.refresh_from_db()
    assert draft.status == AgreementVersion.Status.PUBLISHED
    html = unescape(response.content.decode())
    # Four party schools must sign; Stour Valley has no DPO email address, so three are asked.
    assert draft.requests.count() == 4
    assert "Version 3 published; 3 schools asked to sign by email." in html
    assert "1 school could not be emailed (Stour Valley CofE Primary School: no DPO email" in html
    assert world.version(2).status == AgreementVersion.Status.SUPERSEDED


def test_admin_preview_of_a_draft_lists_what_stops_publishing(world, staff_client) -> None:
    draft = start_draft(agreement=world.version(2).agreement)
    AgreementVersion.objects.filter(pk=draft.pk).update(breaches="")

    page = staff_client.get(reverse("admin:agreements_agreementversion_preview", args=[draft.pk]))

    assert page.status_code == 200
    assert "Write the clause “personal data breaches”." in page.content.decode()
