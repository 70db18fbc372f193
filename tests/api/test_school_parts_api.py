"""The parts of a school its DPO keeps, through the API: contact details and publishing.

As in the portal, a DPO's edit is held until the school publishes: the public notices do not
change until ``POST /schools/{urn}/publication/``.
"""

import pytest
from rest_framework.test import APIClient

from governance.models import School, StorageSystem
from notices.models import NoticeVersion
from notices.services import refresh_school_notices
from tests.api.helpers import API, client_for
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_for_module")]


@pytest.fixture
def avon() -> School:
    school = School.objects.get(name="Avon Meadow Primary School")
    refresh_school_notices(school=school)
    return school


@pytest.fixture
def victoria() -> School:
    return School.objects.get(name="Victoria CP School")


@pytest.fixture
def dpo(avon):
    user = UserFactory(username="parts-dpo")
    user.schools.add(avon)
    return client_for(user)


def issued(school: School) -> dict[str, int]:
    versions = NoticeVersion.objects.rendered().filter(school=school)
    return {v.audience: v.number for v in versions.order_by("number")}


def test_a_dpo_reads_and_changes_the_contacts(dpo, avon) -> None:
    response = dpo.patch(
        f"{API}/schools/{avon.urn}/contacts/",
        {"dpo_name": "Sam Patel", "security_measures": "  Encrypted laptops \n\n MFA  "},
        format="json",
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["dpo_name"] == "Sam Patel"
    assert body["security_measures"] == "Encrypted laptops\nMFA"  # the portal form's cleaning
    avon.refresh_from_db()
    assert (avon.dpo_name, avon.security_measures) == ("Sam Patel", "Encrypted laptops\nMFA")
    assert dpo.get(f"{API}/schools/{avon.urn}/contacts/").json()["dpo_name"] == "Sam Patel"


def test_bad_contacts_are_refused_on_the_field_and_nothing_changes(dpo, avon) -> None:
    before = School.objects.values("dpo_name", "dpo_email").get(pk=avon.pk)

    bad_email = dpo.patch(
        f"{API}/schools/{avon.urn}/contacts/",
        {"dpo_name": "Changed", "dpo_email": "not an address"},
        format="json",
    )
    unknown = dpo.patch(f"{API}/schools/{avon.urn}/contacts/", {"name": "X"}, format="json")

    assert bad_email.status_code == 400
    assert "dpo_email" in bad_email.json()
    assert unknown.status_code == 400
    assert unknown.json() == {"name": ["Unknown field."]}
    assert School.objects.values("dpo_name", "dpo_email").get(pk=avon.pk) == before


def test_contacts_of_another_school_are_404_and_auditors_only_read(dpo, avon, victoria) -> None:
    auditor = client_for(UserFactory(username="parts-auditor", is_staff=True))
    url = f"{API}/schools/{avon.urn}/contacts/"

    assert dpo.get(f"{API}/schools/{victoria.urn}/contacts/").status_code == 404
    assert dpo.patch(
        f"{API}/schools/{victoria.urn}/contacts/", {"dpo_name": "X"}, format="json"
    ).status_code == 404  # fmt: skip
    assert auditor.get(url).status_code == 200
    assert auditor.patch(url, {"dpo_name": "X"}, format="json").status_code == 403
    assert APIClient().get(url).status_code == 401
    assert School.objects.get(pk=avon.pk).dpo_name != "X"


def test_a_dpos_edits_are_held_until_the_school_publishes(dpo, avon, jobs_run_at_once) -> None:
    before = issued(avon)
    assert set(before) == {"pupils", "workforce"}

    changed = dpo.patch(
        f"{API}/schools/{avon.urn}/contacts/", {"dpo_name": "Sam Patel"}, format="json"
    )
    system = dpo.post(
        f"{API}/systems/",
        {"school": avon.urn, "name": "Tapestry", "kind": "learning",
         "description": "our learning journals", "audience": "pupils"},
        format="json",
    )  # fmt: skip

    assert changed.status_code == 200
    assert system.status_code == 201
    assert issued(avon) == before  # nothing public changed yet
    preview = {
        row["audience"]: row for row in dpo.get(f"{API}/schools/{avon.urn}/publication/").json()
    }
    assert set(preview) == {"pupils", "workforce"}
    assert not preview["pupils"]["is_unchanged"]
    assert preview["pupils"]["changes"]

    published = dpo.post(f"{API}/schools/{avon.urn}/publication/")

    assert published.status_code == 202, published.content
    jobs = published.json()
    assert sorted(job["audience"] for job in jobs) == ["pupils", "workforce"]
    after = issued(avon)
    assert after["pupils"] == before["pupils"] + 1
    latest = NoticeVersion.objects.current_for(avon, "pupils")
    assert "Sam Patel" in latest.html
    assert "Tapestry" in latest.html
    assert StorageSystem.objects.filter(school=avon, name="Tapestry").exists()
    again = dpo.get(f"{API}/schools/{avon.urn}/publication/").json()
    assert all(row["is_unchanged"] for row in again)


def test_only_staff_or_the_schools_dpo_publish(avon, victoria, dpo) -> None:
    auditor = client_for(UserFactory(username="pub-auditor", is_staff=True))

    assert dpo.post(f"{API}/schools/{victoria.urn}/publication/").status_code == 404
    assert auditor.post(f"{API}/schools/{avon.urn}/publication/").status_code == 403
    assert APIClient().post(f"{API}/schools/{avon.urn}/publication/").status_code == 401


def test_a_record_stays_with_its_school(dpo, avon, victoria) -> None:
    created = dpo.post(
        f"{API}/systems/",
        {"school": avon.urn, "name": "Seesaw", "kind": "learning",
         "description": "class blogs", "audience": "pupils"},
        format="json",
    )  # fmt: skip
    pk = created.json()["id"]

    moved = dpo.patch(f"{API}/systems/{pk}/", {"school": victoria.urn}, format="json")
    same = dpo.patch(f"{API}/systems/{pk}/", {"school": avon.urn, "name": "Seesaw Class"},
                     format="json")  # fmt: skip

    assert moved.status_code == 400
    assert "school" in moved.json()
    assert same.status_code == 200
    assert StorageSystem.objects.get(pk=pk).school == avon
