"""A notice's content is a pure function of the registry: exactly the school's recipients."""

import json

import pytest

from governance.models import DataFlow, School
from notices.content import build_notice_content, content_hash
from processors.models import Processor

pytestmark = pytest.mark.django_db


def content(name: str, audience: str = "pupils") -> dict:
    return build_notice_content(School.objects.get(name=name), audience)


def recipients(notice: dict) -> set[str]:
    return {r["name"] for r in notice["authority_services"] + notice["processors"]}


def test_lists_exactly_the_schools_recipients(demo) -> None:
    notice = content("Arden Heath Academy")

    expected = {
        "ICT Development Service", "Groupcall", "Children Missing Education",
        "Specialist Teaching Service", "Attendance, Compliance and Enforcement",
        "Priority Families", "Admissions Service", "Warwickshire Youth Justice Service",
        "Microsoft", "2Simple", "Just2Easy", "Smoothwall",
    }  # fmt: skip
    assert recipients(notice) == expected  # no Redstor, Future Digital: not subscribed


def test_recipients_follow_the_schools_subscriptions(demo) -> None:
    avon = recipients(content("Avon Meadow Primary School"))

    assert {"Redstor", "Future Digital", "Smoothwall"} <= avon
    assert "Capita SIMS" not in avon  # that subscription ended in 2025


def test_workforce_notice_has_workforce_data_and_recipients(demo) -> None:
    notice = content("Arden Heath Academy", "workforce")

    titles = {c["title"] for c in notice["categories"]}
    assert titles == {
        "Staff personal details", "Staff roles", "Staff contracts and absence",
        "Computer network addresses", "Staff email and sign-in",
    }  # fmt: skip
    assert {"HR & Payroll", "Corporate ICT", "Capita SIMS", "CDEC", "Khipu Wireless"} <= recipients(
        notice
    )
    assert "Children Missing Education" not in recipients(notice)
    assert notice["statutory"][0]["name"] == "Department for Education (DfE)"
    assert "workforce census" in notice["statutory"][0]["why"]


def test_english_secondary_names_dfe_npd_and_youth_support(demo) -> None:
    names = [r["name"] for r in content("Arden Heath Academy")["statutory"]]

    assert names == [
        "Department for Education (DfE)", "The National Pupil Database (NPD)",
        "Youth support services (pupils aged 13 and over)",
    ]  # fmt: skip


def test_english_primary_has_no_youth_support_section(demo) -> None:
    names = [r["name"] for r in content("Avon Meadow Primary School")["statutory"]]

    assert names == ["Department for Education (DfE)", "The National Pupil Database (NPD)"]


def test_welsh_school_names_welsh_government_not_dfe(demo) -> None:
    notice = content("Ysgol Bryn Derw")
    text = json.dumps(notice["statutory"])

    assert [r["name"] for r in notice["statutory"]] == [
        "Welsh Government", "The National Pupil Database for Wales",
    ]  # fmt: skip
    assert "PLASC" in text
    assert "Department for Education" not in text
    assert content("Ysgol Bryn Derw", "workforce")["statutory"][0]["name"] == "Welsh Government"


def test_academy_names_its_trust_as_controller(demo) -> None:
    notice = content("Arden Heath Academy")

    assert notice["controller"] == {
        "name": "Forest of Arden Learning Trust", "is_trust": True, "ico_registration": "",
    }  # fmt: skip


def test_school_without_subscriptions_gets_authority_wide_flows_only(demo) -> None:
    notice = content("Stour Valley CofE Primary School")

    assert notice["has_subscriptions"] is False
    assert {p["name"] for p in notice["processors"]} == {"Groupcall"}
    assert notice["transfers"] == []


def test_special_category_data_carries_its_conditions(demo) -> None:
    sen = next(c for c in content("Avon Meadow Primary School")["categories"]
               if c["sif_name"] == "LearnerSpecialNeeds")  # fmt: skip

    assert sen["special"] is True
    assert sen["art9"]["code"] == "Art 9(2)(b)"
    assert sen["dpa"]["code"] == "DPA 2018 Sch 1 Pt 1 para 1"


def test_transfers_outside_the_uk_name_their_safeguards(demo) -> None:
    transfers = content("Avon Meadow Primary School")["transfers"]

    assert [t["name"] for t in transfers] == ["Microsoft"]
    assert "adequacy" in transfers[0]["safeguards"]


def test_rights_and_ico_are_always_there(demo) -> None:
    notice = content("Stour Valley CofE Primary School")

    assert {"Access", "Rectification", "Erasure", "Objection"} <= {
        r["name"] for r in notice["rights"]
    }
    assert notice["ico"]["phone"] == "0303 123 1113"
    assert "SK9 5AF" in notice["ico"]["address"]


def test_content_hash_is_stable_and_tracks_the_registry(demo) -> None:
    school = School.objects.get(name="Avon Meadow Primary School")
    first = content_hash(build_notice_content(school, "pupils"))

    assert content_hash(build_notice_content(school, "pupils")) == first
    Processor.objects.filter(name="Redstor").update(data_location="UK")
    assert content_hash(build_notice_content(school, "pupils")) != first


def test_an_inactive_flow_leaves_the_notice(demo) -> None:
    DataFlow.objects.filter(processor__name="Smoothwall").update(is_active=False)

    assert "Smoothwall" not in recipients(content("Avon Meadow Primary School"))


def test_content_builds_in_a_fixed_number_of_queries(demo, django_assert_max_num_queries) -> None:
    school = School.objects.get(name="Avon Meadow Primary School")

    with django_assert_max_num_queries(12):
        build_notice_content(school, "pupils")
