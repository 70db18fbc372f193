"""Real-browser story: a school's DPO reads the agreement in force, signs it, downloads the
signed copy, and anyone can check that copy on the verify page."""

import hashlib

import pytest
from playwright.sync_api import expect

from agreements.models import Signature
from agreements.seal import check_seal
from governance.demo import load_demo
from governance.models import School
from tests.factories import dpo_of, publish_demo_agreement

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

PASSWORD = "correct horse battery staple"


@pytest.fixture
def agreement_in_force():
    load_demo()
    return publish_demo_agreement()


def sign_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/portal/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_dpo_signs_the_agreement_and_downloads_the_signed_copy(
    agreement_in_force, page, live_server, tmp_path
) -> None:
    school = School.objects.get(urn="999101")
    dpo_of(school, username="dpo-avon")
    sign_in(page, live_server, "dpo-avon")

    expect(page.get_by_role("heading", name="Your schools")).to_be_visible()
    page.get_by_role("link", name="Data Sharing Agreement between Warwickshire").first.click()
    expect(page.get_by_role("heading", name="1. Parties to this agreement")).to_be_visible()
    # The officers table, from the registry.
    expect(page.get_by_text("Annette Firman")).to_be_visible()

    page.get_by_label("Your full name").fill("Jo Bloggs")
    page.get_by_label("Your position").fill("Data Protection Officer")
    page.get_by_role("button", name="Sign for Avon Meadow Primary School").click()
    # An unticked declaration is refused with the reason, and nothing is signed.
    expect(page.get_by_text("Tick the declaration to sign.")).to_be_visible()
    assert not Signature.objects.exists()

    page.get_by_label("I confirm that I am the Data Protection Officer of Avon Meadow").check()
    page.get_by_role("button", name="Sign for Avon Meadow Primary School").click()

    expect(page.get_by_role("heading", name="Sign-off certificate")).to_be_visible()
    signature = Signature.objects.get()
    assert (signature.full_name, signature.school) == ("Jo Bloggs", school)
    assert signature.document_sha256 == agreement_in_force.pdf_sha256
    assert signature.ip_address == "127.0.0.1"
    assert "Chrome" in signature.user_agent

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the signed PDF").click()
    signed = tmp_path / "signed.pdf"
    download_info.value.save_as(signed)
    data = signed.read_bytes()
    assert hashlib.sha256(data).hexdigest() == signature.signed_pdf_sha256
    assert check_seal(data).ok

    page.get_by_role("link", name="Verify a signed agreement").first.click()
    page.get_by_label("Signed agreement (PDF)").set_input_files(str(signed))
    page.get_by_role("button", name="Check this PDF").click()
    expect(page.get_by_role("heading", name="Authentic and unaltered")).to_be_visible()
    expect(page.get_by_text("Avon Meadow Primary School (URN 999101)")).to_be_visible()
