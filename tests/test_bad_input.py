"""Bad input anywhere gets a plain refusal: never a 500, never another school's data."""

import pytest
from django.test import Client
from django.urls import reverse

from agreements.models import Signature
from governance.models import School
from tests.factories import dpo_of, publish_demo_agreement

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_for_module")]


@pytest.fixture
def version():
    return publish_demo_agreement()


def sign_url(version, urn: str) -> str:
    return reverse(
        "portal:agreement",
        kwargs={"urn": urn, "agreement_id": version.agreement_id, "number": version.number},
    )


def test_a_post_without_its_csrf_token_is_refused_and_signs_nothing(version) -> None:
    school = School.objects.get(urn="999101")
    client = Client(enforce_csrf_checks=True)
    client.force_login(dpo_of(school))
    form = {
        "full_name": "Jo Bloggs",
        "position": "DPO",
        "declaration": "on",
        "document_sha256": version.pdf_sha256,
    }

    response = client.post(sign_url(version, school.urn), form)

    assert response.status_code == 403
    assert not Signature.objects.exists()


@pytest.mark.parametrize(
    "path",
    [
        "/schools/..%2F..%2Fetc%2Fpasswd/privacy/",
        "/schools/999101/privacy/..%2F..%2Fsettings.py",
        "/schools/999101/privacy/pupils/v1%2F..%2F..%2Fmanage.py.pdf",
        "/portal/schools/..%2F999102/",
        "/media/agreements/1/v1/signed/anything.pdf",
        "/media/notices/999101/pupils-v1.pdf",
        "/static/../governance/settings.py",
    ],
)
def test_path_traversal_and_media_paths_are_not_found(path) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(dpo_of(School.objects.get(urn="999101")))

    assert client.get(path).status_code == 404


def test_a_login_post_without_csrf_is_refused() -> None:
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("portal:login"), {"username": "x", "password": "y"})

    assert response.status_code == 403
