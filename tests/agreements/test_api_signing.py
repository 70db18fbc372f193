"""A school's DPO signs an agreement version through the API with the portal's checks: the
exact declaration, the PDF's SHA-256, and the password unless the sign-in is recent or the
token is a signing token. Other schools answer 404, other roles 403, anonymous callers 401.

On the shared world (tests/agreements/conftest.py): version 2 is in force; Kineton Brook and
Stour Valley are asked to sign it and have not; Arden signed it; version 1 is superseded.
"""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from agreements.models import Signature, SignOffEvent
from agreements.signing import declaration_text
from governance.models import ApiToken
from tests.agreements.conftest import ARDEN, KINETON, STOUR, portal_client, school
from tests.factories import UserFactory, dpo_of

pytestmark = pytest.mark.django_db

API = "/api/v1"
PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's


def session_client(user, *, authenticated_ago: float = 0) -> APIClient:
    """A browser session signed in ``authenticated_ago`` seconds ago."""
    return portal_client(user, authenticated_ago=authenticated_ago, client_class=APIClient)


def token_client(user, *, may_sign: bool = False) -> APIClient:
    expires = timezone.now() + datetime.timedelta(days=7) if may_sign else None
    _, key = ApiToken.issue(
        user=user, name="MIS", role=user.role, expires_at=expires, may_sign=may_sign
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def sign_url(version) -> str:
    return f"{API}/agreement-versions/{version.pk}/sign/"


def payload(version, urn: str, **overrides) -> dict:
    values = {
        "school": urn,
        "full_name": "Kim Brook",
        "position": "Data Protection Officer",
        "declaration": declaration_text(version, school(urn)),
        "document_sha256": version.pdf_sha256,
    }
    return {**values, **overrides}


@pytest.fixture
def kineton_dpo():
    return dpo_of(school(KINETON), username="kineton-api-dpo")


def test_a_dpo_reads_the_terms_then_signs_and_signing_again_returns_the_first(
    world, kineton_dpo
) -> None:
    v2 = world.version(2)
    client = session_client(kineton_dpo)

    terms = client.get(sign_url(v2), {"school": KINETON}).json()
    assert terms == {
        "school": KINETON,
        "asked": True,
        "declaration": declaration_text(v2, school(KINETON)),
        "document_sha256": v2.pdf_sha256,
        "password_required": False,
        "signed": None,
    }
    events = SignOffEvent.objects.count()

    response = client.post(
        sign_url(v2),
        {**payload(v2, KINETON), "declaration": terms["declaration"]},
        format="json",
        HTTP_USER_AGENT="Trust MIS connector 2.1",
    )

    assert response.status_code == 201, response.json()
    signature = Signature.objects.get(version=v2, school__urn=KINETON)
    body = response.json()
    assert body["id"] == signature.pk
    assert (body["school"], body["full_name"], body["signer"]) == (
        KINETON, "Kim Brook", "kineton-api-dpo",
    )  # fmt: skip
    assert signature.document_sha256 == v2.pdf_sha256
    assert signature.declaration == terms["declaration"]
    assert signature.user_agent == "Trust MIS connector 2.1"
    assert signature.signed_pdf_sha256
    assert SignOffEvent.objects.count() == events + 1  # the hash-chained log records it
    assert client.get(sign_url(v2), {"school": KINETON}).json()["signed"] == signature.pk

    again = client.post(sign_url(v2), payload(v2, KINETON, full_name="Someone Else"), format="json")
    assert again.status_code == 200
    assert again.json()["id"] == signature.pk
    assert Signature.objects.filter(version=v2, school__urn=KINETON).count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"declaration": "I agree."}, "declaration"),
        ({"full_name": ""}, "full_name"),
        ({"position": "   "}, "position"),
        ({"document_sha256": "not-a-hash"}, "document_sha256"),
        ({"school": "12"}, "school"),
        ({"witness": "Sam"}, "witness"),
    ],
)
def test_bad_input_gets_a_field_message_and_signs_nothing(
    world, kineton_dpo, change, field
) -> None:
    v2 = world.version(2)

    response = session_client(kineton_dpo).post(
        sign_url(v2), payload(v2, KINETON, **change), format="json"
    )

    assert response.status_code == 400
    assert field in response.json()
    assert not Signature.objects.filter(version=v2, school__urn=KINETON).exists()


def test_the_declaration_error_quotes_the_exact_words(world, kineton_dpo) -> None:
    v2 = world.version(2)
    response = session_client(kineton_dpo).post(
        sign_url(v2), payload(v2, KINETON, declaration="I agree."), format="json"
    )
    assert declaration_text(v2, school(KINETON)) in response.json()["declaration"][0]


def test_a_different_pdf_or_a_superseded_version_is_a_conflict(world, kineton_dpo) -> None:
    v1, v2 = world.version(1), world.version(2)
    client = session_client(kineton_dpo)

    other_pdf = client.post(
        sign_url(v2), payload(v2, KINETON, document_sha256="0" * 64), format="json"
    )
    superseded = client.post(sign_url(v1), payload(v1, KINETON), format="json")

    assert other_pdf.status_code == 409
    assert "fingerprint differs" in other_pdf.json()["detail"]
    assert superseded.status_code == 409
    assert "superseded by version 2" in superseded.json()["detail"]
    assert not Signature.objects.filter(school__urn=KINETON).exists()


def test_an_old_sign_in_must_type_the_password_again(world, kineton_dpo) -> None:
    v2 = world.version(2)
    client = session_client(kineton_dpo, authenticated_ago=3600)
    assert client.get(sign_url(v2), {"school": KINETON}).json()["password_required"] is True

    missing = client.post(sign_url(v2), payload(v2, KINETON), format="json")
    wrong = client.post(sign_url(v2), payload(v2, KINETON, password="guess"), format="json")

    assert missing.status_code == wrong.status_code == 400
    assert missing.json()["password"] == ["Type your password again to sign."]
    assert wrong.json()["password"] == ["That password is not right."]
    assert not Signature.objects.filter(school__urn=KINETON).exists()

    signed = client.post(sign_url(v2), payload(v2, KINETON, password=PASSWORD), format="json")
    assert signed.status_code == 201
    # The password typed renews the session's proof, as in the portal.
    assert client.get(sign_url(v2), {"school": KINETON}).json()["password_required"] is False


def test_a_plain_token_signs_with_the_password_and_a_signing_token_without(
    world, kineton_dpo
) -> None:
    v2 = world.version(2)
    plain = token_client(kineton_dpo)
    assert plain.get(sign_url(v2), {"school": KINETON}).json()["password_required"] is True
    refused = plain.post(sign_url(v2), payload(v2, KINETON), format="json")
    assert refused.status_code == 400
    assert "password" in refused.json()

    stour_dpo = dpo_of(school(STOUR), username="stour-api-dpo")
    signing = token_client(stour_dpo, may_sign=True)
    assert signing.get(sign_url(v2), {"school": STOUR}).json()["password_required"] is False
    signed = signing.post(sign_url(v2), payload(v2, STOUR), format="json")
    assert signed.status_code == 201

    by_password = plain.post(sign_url(v2), payload(v2, KINETON, password=PASSWORD), format="json")
    assert by_password.status_code == 201
    assert set(Signature.objects.filter(version=v2).values_list("school__urn", flat=True)) >= {
        KINETON, STOUR,
    }  # fmt: skip


def test_only_the_schools_own_dpo_signs(world, kineton_dpo) -> None:
    v2 = world.version(2)
    staff = session_client(UserFactory(username="api-sign-staff", is_staff=True, is_superuser=True))
    auditor = session_client(UserFactory(username="api-sign-auditor", is_staff=True))
    dpo = session_client(kineton_dpo)

    assert dpo.post(sign_url(v2), payload(v2, STOUR), format="json").status_code == 404
    assert dpo.get(sign_url(v2), {"school": STOUR}).status_code == 404
    assert staff.post(sign_url(v2), payload(v2, KINETON), format="json").status_code == 403
    assert auditor.post(sign_url(v2), payload(v2, KINETON), format="json").status_code == 403
    assert APIClient().post(sign_url(v2), payload(v2, KINETON), format="json").status_code == 401
    assert APIClient().get(sign_url(v2), {"school": KINETON}).status_code == 401
    assert not Signature.objects.filter(version=v2, school__urn__in=[KINETON, STOUR]).exists()


def test_a_school_already_signed_by_its_dpo_answers_the_first_signature(world) -> None:
    v2 = world.version(2)
    arden_dpo = dpo_of(school(ARDEN), username="arden-api-dpo")

    response = session_client(arden_dpo).post(sign_url(v2), payload(v2, ARDEN), format="json")

    assert response.status_code == 200
    assert response.json()["id"] == world.arden_v2_signature


@pytest.mark.parametrize(
    ("role", "expires_in", "field"),
    [
        ("staff", 7, "may_sign"),
        ("dpo", None, "expires_at"),
        ("dpo", 31, "expires_at"),
    ],
)
def test_a_signing_token_is_a_dpos_and_ends_within_30_days(world, role, expires_in, field):
    from django.core.exceptions import ValidationError

    owner = (
        UserFactory(username="token-staff", is_staff=True, is_superuser=True)
        if role == "staff"
        else dpo_of(school(KINETON), username="token-dpo")
    )
    expires = timezone.now() + datetime.timedelta(days=expires_in) if expires_in else None

    with pytest.raises(ValidationError) as refused:
        ApiToken.issue(user=owner, name="x", role=role, expires_at=expires, may_sign=True)

    assert field in refused.value.message_dict
    assert not ApiToken.objects.filter(user=owner).exists()
