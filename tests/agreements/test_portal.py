"""The DPO portal: a school's Data Protection Officer sees their own schools only, reads what
changed, and signs with name, position, the exact declaration and, after a while, the password.

On top of the shared world, Kineton Brook's DPO signs version 2 through the portal once for
this module, having signed in an hour earlier (so typing the password again).
"""

import datetime
import hashlib
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from agreements.models import Agreement, AgreementVersion, Signature, SignOffRequest
from agreements.services import start_draft
from agreements.signing import declaration_text
from governance.models import DesignatedOfficer, School
from governance.portal.views import AUTH_AT
from tests.agreements.conftest import (
    ARDEN,
    AVON,
    KINETON,
    KINETON_NAME,
    NEW_PURPOSE,
    STOUR,
    portal_client,
    school,
)
from tests.factories import SchoolFactory, dpo_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("kineton_signed")]

PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's
OLD_PLEDGE = "This agreement lets schools and the local authority share personal information"


def agreement_url(urn: str, agreement_id: int, number: int) -> str:
    return reverse(
        "portal:agreement", kwargs={"urn": urn, "agreement_id": agreement_id, "number": number}
    )


def agreement_pdf_url(urn: str, agreement_id: int, number: int) -> str:
    return reverse(
        "portal:agreement_pdf", kwargs={"urn": urn, "agreement_id": agreement_id, "number": number}
    )


def signature_url(urn: str, pk: int) -> str:
    return reverse("portal:signature", kwargs={"urn": urn, "pk": pk})


def signed_pdf_url(urn: str, pk: int) -> str:
    return reverse("portal:signed_pdf", kwargs={"urn": urn, "pk": pk})


def sign_form(version, **overrides) -> dict[str, str]:
    return {
        "full_name": "Gwen Jones",
        "position": "Data Protection Officer",
        "declaration": "on",
        "document_sha256": version.pdf_sha256,
        **overrides,
    }


def body(response) -> bytes:
    """Read a streamed download to the end, which closes it as a WSGI server would (calling
    response.close() again would fire request_finished and close the test's connection)."""
    return b"".join(response.streaming_content)


@dataclass(frozen=True)
class PortalSigning:
    status: int
    location: str
    signature: int
    signer: int
    before: datetime.datetime
    after: datetime.datetime
    auth_at_before: float
    auth_at_after: float


@pytest.fixture(scope="module")
def kineton_signed(world, django_db_blocker) -> Iterator[PortalSigning]:
    with django_db_blocker.unblock(), transaction.atomic():
        kineton = school(KINETON)
        dpo = dpo_of(kineton, username="kineton-dpo")
        client = portal_client(dpo, authenticated_ago=3600)
        version = world.version(2)
        auth_at_before = client.session[AUTH_AT]
        before = timezone.now()
        response = client.post(
            agreement_url(KINETON, world.agreement_id, 2),
            sign_form(version, full_name="  Gwen Jones ", password=PASSWORD),
            REMOTE_ADDR="203.0.113.7",
            HTTP_USER_AGENT="Mozilla/5.0 (portal test)",
        )
        after = timezone.now()
        signature = Signature.objects.filter(version=version, school=kineton).first()
        auth_at_after = client.session[AUTH_AT]
        with django_db_blocker.block():
            yield PortalSigning(
                status=response.status_code,
                location=response.get("Location", ""),
                signature=signature.pk if signature else 0,
                signer=dpo.pk,
                before=before,
                after=after,
                auth_at_before=auth_at_before,
                auth_at_after=auth_at_after,
            )
        transaction.set_rollback(True)


@pytest.fixture
def avon_dpo():
    return dpo_of(school(AVON), username="avon-dpo")


@pytest.fixture
def avon_client(avon_dpo) -> Client:
    return portal_client(avon_dpo)


@pytest.fixture
def stour_client() -> Client:
    return portal_client(dpo_of(school(STOUR), username="stour-dpo"))


def signatures_of(urn: str) -> int:
    return Signature.objects.filter(school__urn=urn).count()


# Signing through the portal


def test_signing_records_the_evidence_and_shows_the_certificate(world, kineton_signed) -> None:
    signature = world.signature(kineton_signed.signature)
    version = world.version(2)

    assert kineton_signed.status == 302
    assert kineton_signed.location == signature_url(KINETON, signature.pk)
    assert signature.signer_id == kineton_signed.signer
    assert (signature.full_name, signature.position) == ("Gwen Jones", "Data Protection Officer")
    assert signature.declaration == declaration_text(version, school(KINETON))
    assert kineton_signed.before <= signature.signed_at <= kineton_signed.after
    assert signature.ip_address == "203.0.113.7"
    assert signature.user_agent == "Mozilla/5.0 (portal test)"
    assert signature.document_sha256 == version.pdf_sha256


def test_typing_the_password_again_renews_the_sign_in(kineton_signed) -> None:
    assert kineton_signed.auth_at_after > kineton_signed.auth_at_before + 3000


def test_certificate_page_shows_the_evidence(world, kineton_signed) -> None:
    client = portal_client(School.objects.get(urn=KINETON).dpo_users.get())

    page = client.get(signature_url(KINETON, kineton_signed.signature))

    assert page.status_code == 200
    html = page.content.decode()
    assert "Gwen Jones" in html
    assert world.version(2).pdf_sha256 in html


def test_signing_twice_keeps_one_signature(world, kineton_signed) -> None:
    client = portal_client(School.objects.get(urn=KINETON).dpo_users.get())

    again = client.post(agreement_url(KINETON, world.agreement_id, 2), sign_form(world.version(2)))

    assert again.status_code == 302
    assert again["Location"] == signature_url(KINETON, kineton_signed.signature)
    assert Signature.objects.filter(version_id=world.v2, school__urn=KINETON).count() == 1


# The signing form


def test_signing_form_asks_for_name_position_and_the_exact_declaration(world, avon_client) -> None:
    version = world.version(2)

    page = avon_client.get(agreement_url(AVON, world.agreement_id, 2))

    assert page.status_code == 200
    form = page.context["form"]
    assert set(form.fields) == {"full_name", "position", "declaration", "document_sha256"}
    assert form.fields["declaration"].label == declaration_text(version, school(AVON))
    html = page.content.decode()
    assert f'<input type="hidden" name="document_sha256" value="{version.pdf_sha256}"' in html
    assert escape(declaration_text(version, school(AVON))) in html
    assert 'type="checkbox" name="declaration"' in html
    assert 'name="full_name"' in html
    assert 'name="position"' in html


def test_an_old_sign_in_asks_for_the_password_again(world, avon_dpo) -> None:
    client = portal_client(avon_dpo, authenticated_ago=11 * 60)

    page = client.get(agreement_url(AVON, world.agreement_id, 2))

    assert "password" in page.context["form"].fields
    assert 'name="password"' in page.content.decode()


@pytest.mark.parametrize("password", ["", "not my password"], ids=["missing", "wrong"])
def test_a_missing_or_wrong_password_is_refused(world, avon_dpo, password) -> None:
    client = portal_client(avon_dpo, authenticated_ago=11 * 60)

    page = client.post(
        agreement_url(AVON, world.agreement_id, 2),
        sign_form(world.version(2), password=password),
    )

    assert page.status_code == 400
    assert page.context["form"].errors["password"]
    assert not Signature.objects.filter(version_id=world.v2, school__urn=AVON).exists()


def test_a_recent_sign_in_is_not_asked_for_the_password(world, avon_dpo) -> None:
    client = portal_client(avon_dpo, authenticated_ago=9 * 60)

    page = client.get(agreement_url(AVON, world.agreement_id, 2))

    assert "password" not in page.context["form"].fields


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"full_name": ""}, "full_name"),
        ({"full_name": "   "}, "full_name"),
        ({"position": ""}, "position"),
        ({"declaration": ""}, "declaration"),
        ({"document_sha256": "not-a-fingerprint"}, "document_sha256"),
    ],
    ids=["blank-name", "spaces-for-name", "blank-position", "unticked", "bad-fingerprint"],
)
def test_an_incomplete_signing_form_is_refused(world, avon_client, overrides, field) -> None:
    page = avon_client.post(
        agreement_url(AVON, world.agreement_id, 2), sign_form(world.version(2), **overrides)
    )

    assert page.status_code == 400
    assert field in page.context["form"].errors
    assert signatures_of(AVON) == 1  # version 1's only


def test_a_stale_document_is_refused_with_409_and_nothing_is_signed(world, avon_client) -> None:
    page = avon_client.post(
        agreement_url(AVON, world.agreement_id, 2),
        sign_form(world.version(2), document_sha256=world.version(1).pdf_sha256),
    )

    assert page.status_code == 409
    assert "Not signed." in page.content.decode()
    assert "not the version in force" in page.content.decode()
    assert page.context["form"] is None
    assert signatures_of(AVON) == 1


def test_signing_a_superseded_version_is_refused_with_409(world, stour_client) -> None:
    page = stour_client.post(
        agreement_url(STOUR, world.agreement_id, 1), sign_form(world.version(1))
    )

    assert page.status_code == 409
    assert "has been superseded by version 2" in page.content.decode()
    assert signatures_of(STOUR) == 0


def test_staff_who_are_not_the_schools_dpo_cannot_sign(world, staff) -> None:
    client = portal_client(staff)

    page = client.post(agreement_url(STOUR, world.agreement_id, 2), sign_form(world.version(2)))

    assert page.status_code == 403
    assert "Only a Data Protection Officer of Stour Valley" in page.content.decode()
    assert signatures_of(STOUR) == 0


def test_staff_read_the_agreement_without_a_signing_form(world, staff) -> None:
    page = portal_client(staff).get(agreement_url(STOUR, world.agreement_id, 2))

    assert page.status_code == 200
    assert page.context["form"] is None


# Reading


def test_agreement_page_shows_what_changed_since_the_version_last_signed(
    world, avon_client
) -> None:
    page = avon_client.get(agreement_url(AVON, world.agreement_id, 2))

    html = page.content.decode()
    assert "What changed since version 1, which Avon Meadow Primary School signed" in html
    changed = {section.key: section for section in page.context["changes"]}
    assert set(changed) == {"purpose", "review"}  # the clause reworded, the next review date
    [reworded] = changed["purpose"].changes
    assert reworded.text == "The purpose clause was reworded."
    assert reworded.wording.after == NEW_PURPOSE
    assert reworded.wording.before.startswith(OLD_PLEDGE)
    assert "The purpose clause was reworded." in html
    assert "<ins>" in html
    assert "<del>" in html
    assert "In the authority's words, for version 2:" in html


def test_agreement_page_shows_the_words_as_published_after_the_registry_changes(
    world, avon_client
) -> None:
    DesignatedOfficer.objects.filter(name="Annette Firman").update(name="Annette Smith")

    html = avon_client.get(agreement_url(AVON, world.agreement_id, 2)).content.decode()

    assert "Annette Firman" in html
    assert "Annette Smith" not in html


def test_a_school_that_never_signed_is_told_to_read_it_all(world, stour_client) -> None:
    page = stour_client.get(agreement_url(STOUR, world.agreement_id, 2))

    assert page.context["changes"] is None
    assert "has not signed an earlier version of this agreement: read it all" in (
        page.content.decode()
    )


def test_superseded_version_points_to_the_one_in_force(world, stour_client) -> None:
    page = stour_client.get(agreement_url(STOUR, world.agreement_id, 1))

    assert page.status_code == 200
    assert "This version has been superseded" in page.content.decode()
    assert page.context["form"] is None


def test_home_lists_only_my_schools_with_what_awaits_signature(world, avon_client) -> None:
    page = avon_client.get(reverse("portal:home"))

    html = page.content.decode()
    assert "Avon Meadow Primary School" in html
    for other in ("Arden Heath Academy", KINETON_NAME, "Stour Valley"):
        assert other not in html
    assert agreement_url(AVON, world.agreement_id, 2) in html


def test_school_page_lists_my_signatures(world, avon_client) -> None:
    page = avon_client.get(reverse("portal:school", kwargs={"urn": AVON}))

    assert page.status_code == 200
    assert signature_url(AVON, world.avon_v1_signature) in page.content.decode()


# Private PDFs


def test_version_pdf_is_served_exactly_as_published_and_never_cached(world, avon_client) -> None:
    response = avon_client.get(agreement_pdf_url(AVON, world.agreement_id, 2))

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Type"] == "application/pdf"
    assert hashlib.sha256(body(response)).hexdigest() == world.version(2).pdf_sha256


def test_signed_copy_is_downloaded_and_never_cached(world, avon_client) -> None:
    signature = world.signature(world.avon_v1_signature)

    response = avon_client.get(signed_pdf_url(AVON, signature.pk))

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert "attachment" in response["Content-Disposition"]
    assert hashlib.sha256(body(response)).hexdigest() == signature.signed_pdf_sha256


def test_staff_admin_pdfs_are_never_cached(world, staff_client) -> None:
    for url in (
        reverse("admin:agreements_agreementversion_pdf", args=[world.v2]),
        reverse("admin:agreements_signature_pdf", args=[world.arden_v2_signature]),
    ):
        response = staff_client.get(url)
        assert response.status_code == 200
        directives = {d.strip() for d in response["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= directives
        body(response)


# Only my schools


def arden_urls(world) -> dict[str, str]:
    return {
        "school": reverse("portal:school", kwargs={"urn": ARDEN}),
        "agreement": agreement_url(ARDEN, world.agreement_id, 2),
        "agreement-pdf": agreement_pdf_url(ARDEN, world.agreement_id, 2),
        "certificate": signature_url(ARDEN, world.arden_v2_signature),
        "signed-pdf": signed_pdf_url(ARDEN, world.arden_v2_signature),
    }


@pytest.mark.parametrize(
    "page", ["school", "agreement", "agreement-pdf", "certificate", "signed-pdf"]
)
def test_another_schools_pages_are_not_found(world, avon_client, page) -> None:
    response = avon_client.get(arden_urls(world)[page])

    assert response.status_code == 404


def test_signing_for_another_school_is_not_found(world, avon_client) -> None:
    response = avon_client.post(
        agreement_url(ARDEN, world.agreement_id, 2), sign_form(world.version(2))
    )

    assert response.status_code == 404
    assert signatures_of(ARDEN) == 1


@pytest.mark.parametrize("view", [signature_url, signed_pdf_url], ids=["certificate", "pdf"])
def test_my_school_with_another_schools_signature_is_not_found(world, avon_client, view) -> None:
    response = avon_client.get(view(AVON, world.arden_v2_signature))

    assert response.status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/portal/schools/000000/",
        "/portal/schools/999101/agreements/999/v2/",
        "/portal/schools/999101/agreements/{agreement}/v99/",
        "/portal/schools/999101/agreements/{agreement}/v99.pdf",
        "/portal/schools/999101/signatures/999999/",
        "/portal/schools/999101/signatures/999999.pdf",
        "/portal/schools/999101/agreements/{agreement}/v3/",  # a draft
        "/portal/schools/999101/agreements/{agreement}/v3.pdf",
        "/portal/schools/%00/",
        "/portal/schools/999101%00/agreements/{agreement}/v2/",
        "/portal/schools/999101/agreements/99999999999999999999/v2/",
        "/portal/schools/999101/agreements/{agreement}/v99999999999/",
        "/portal/schools/999101/signatures/99999999999999999999/",
    ],
)
def test_tampered_ids_are_not_found_never_a_server_error(world, avon_dpo, url) -> None:
    start_draft(agreement=world.version(2).agreement)
    client = Client(raise_request_exception=False)
    client.force_login(avon_dpo)

    response = client.get(url.format(agreement=world.agreement_id))

    assert response.status_code == 404


def test_a_school_not_asked_to_sign_does_not_see_the_agreement(world) -> None:
    outsider = SchoolFactory(urn="999999")
    client = portal_client(dpo_of(outsider, username="outsider-dpo"))

    assert client.get(agreement_url("999999", world.agreement_id, 2)).status_code == 404


@pytest.mark.parametrize(
    "name", ["home", "school", "agreement", "agreement_pdf", "signature", "signed_pdf"]
)
def test_anonymous_visitors_are_sent_to_sign_in(world, client, name) -> None:
    kwargs = {
        "home": {},
        "school": {"urn": AVON},
        "agreement": {"urn": AVON, "agreement_id": world.agreement_id, "number": 2},
        "agreement_pdf": {"urn": AVON, "agreement_id": world.agreement_id, "number": 2},
        "signature": {"urn": AVON, "pk": world.avon_v1_signature},
        "signed_pdf": {"urn": AVON, "pk": world.avon_v1_signature},
    }[name]
    url = reverse(f"portal:{name}", kwargs=kwargs)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/portal/login/?next=")


def test_anonymous_sign_attempt_is_sent_to_sign_in_and_signs_nothing(world, client) -> None:
    response = client.post(agreement_url(STOUR, world.agreement_id, 2), sign_form(world.version(2)))

    assert response.status_code == 302
    assert response["Location"].startswith("/portal/login/")
    assert signatures_of(STOUR) == 0


def test_signing_in_through_the_login_page_needs_no_password_to_sign(world, avon_dpo) -> None:
    client = Client()

    client.post(reverse("portal:login"), {"username": "avon-dpo", "password": PASSWORD})
    page = client.get(agreement_url(AVON, world.agreement_id, 2))

    assert time.time() - client.session[AUTH_AT] < 60
    assert "password" not in page.context["form"].fields


# A bounded number of queries, whatever the number of schools


def more_schools(world, user, count: int) -> None:
    """Give ``user`` ``count`` more schools, each asked to sign version 2."""
    version = world.version(2)
    for _ in range(count):
        extra = SchoolFactory(authority=version.agreement.authority)
        user.schools.add(extra)
        SignOffRequest.objects.create(version=version, school=extra)


def count_queries(client: Client, url: str) -> int:
    client.get(url)  # warm up: sessions, content types
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries.captured_queries)


def test_home_page_makes_a_bounded_number_of_queries(
    world, avon_dpo, django_assert_max_num_queries
) -> None:
    client = portal_client(avon_dpo)
    url = reverse("portal:home")
    few = count_queries(client, url)

    more_schools(world, avon_dpo, 8)

    with django_assert_max_num_queries(few):
        page = client.get(url)
    assert len(page.context["rows"]) == 9


def more_agreements(world, school_: School, signer, count: int) -> None:
    """Ask ``school_`` to sign ``count`` more agreements' versions; it has signed every other."""
    authority = world.version(2).agreement.authority
    for n in range(count):
        agreement = Agreement.objects.create(authority=authority, title=f"Another agreement {n}")
        version = AgreementVersion.objects.create(
            agreement=agreement, number=1, status=AgreementVersion.Status.PUBLISHED,
            purpose="p", use_of_information="u", security="s", changes="c",
            review_date=datetime.date(2040, 1, 1), content={}, content_hash="c" * 64,
            pdf=f"other-{n}.pdf", pdf_sha256=f"{n:064x}", published_at=timezone.now(),
        )  # fmt: skip
        SignOffRequest.objects.create(version=version, school=school_)
        if n % 2:
            fake_signature(version, school_, signer, n)


def fake_signature(version, school_: School, signer, n: int) -> Signature:
    """A signature row without the slow sealing: for pages that only list signatures."""
    return Signature.objects.create(
        version=version, school=school_, signer=signer, full_name=f"Signer {n}",
        position="DPO", declaration="I agree.", signed_at=timezone.now(),
        document_sha256=version.pdf_sha256, signed_pdf=f"fake-{n}.pdf",
        signed_pdf_sha256=f"{n + 1000:064x}",
    )  # fmt: skip


def test_school_page_makes_a_bounded_number_of_queries(
    world, avon_dpo, django_assert_max_num_queries
) -> None:
    client = portal_client(avon_dpo)
    url = reverse("portal:school", kwargs={"urn": AVON})
    few = count_queries(client, url)

    more_schools(world, avon_dpo, 8)
    more_agreements(world, school(AVON), avon_dpo, 8)

    with django_assert_max_num_queries(few):
        page = client.get(url)
    assert len(page.context["awaiting"]) == 1 + 4
    assert len(page.context["signatures"]) == 1 + 4


def test_home_page_queries_do_not_grow_with_agreements_awaiting(
    world, avon_dpo, django_assert_max_num_queries
) -> None:
    client = portal_client(avon_dpo)
    url = reverse("portal:home")
    few = count_queries(client, url)

    more_agreements(world, school(AVON), avon_dpo, 8)

    with django_assert_max_num_queries(few):
        page = client.get(url)
    [(_, awaiting)] = page.context["rows"]
    assert len(awaiting) == 1 + 4


def test_staff_sign_off_page_makes_a_bounded_number_of_queries(
    world, staff, staff_client, django_assert_max_num_queries
) -> None:
    url = reverse("admin:agreements_agreementversion_signoff", args=[world.v2])
    few = count_queries(staff_client, url)

    more_schools(world, staff, 8)
    extra = SignOffRequest.objects.filter(version_id=world.v2).select_related("school")
    extra = extra.order_by("-pk")[:4]
    v1 = world.version(1)
    for n, request in enumerate(extra):
        if n % 2:
            fake_signature(world.version(2), request.school, staff, n)
        else:
            SignOffRequest.objects.create(version=v1, school=request.school)
            fake_signature(v1, request.school, staff, n)

    with django_assert_max_num_queries(few):
        page = staff_client.get(url)
    states = [row.state for row in page.context["rows"]]
    assert len(states) == 12
    assert (states.count("signed"), states.count("earlier")) == (4, 3)
