"""A notice's content is a pure function of the registry: exactly the school's whole picture."""

import pytest

from governance.models import DataFlow, ExternalRecipient, School
from notices.content import build_notice_content, content_hash
from processors.models import Processor

pytestmark = pytest.mark.usefixtures("demo_for_module")


def content(name: str, audience: str = "pupils") -> dict:
    return build_notice_content(School.objects.get(name=name), audience)


def group(notice: dict, key: str) -> list[dict]:
    return next((g["recipients"] for g in notice["recipient_groups"] if g["key"] == key), [])


def names(notice: dict, *keys: str) -> set[str]:
    keys = keys or tuple(g["key"] for g in notice["recipient_groups"])
    return {r["name"] for key in keys for r in group(notice, key)}


def test_lists_exactly_the_schools_recipients(db) -> None:
    notice = content("Arden Heath Academy")

    assert names(notice, "authority_services") == {
        "ICT Development Service", "Children Missing Education", "Specialist Teaching Service",
        "Attendance, Compliance and Enforcement", "Priority Families", "Admissions Service",
        "Warwickshire Youth Justice Service",
    }  # fmt: skip
    # No Redstor or Future Digital (not subscribed); Smoothwall has no access to personal data.
    assert names(notice, "processors") == {"Groupcall", "Microsoft", "2Simple", "Just2Easy"}


def test_recipients_follow_the_schools_subscriptions(db) -> None:
    avon = names(content("Avon Meadow Primary School"))

    assert {"Redstor", "Future Digital"} <= avon
    assert "Capita SIMS" not in avon  # that subscription ended in 2025


def test_only_processors_are_headed_as_companies_that_provide_services(db) -> None:
    notice = content("Oakfield Vale Primary Academy")
    headings = {g["key"]: g["heading"] for g in notice["recipient_groups"]}

    assert headings["processors"] == "Companies that provide services to the school"
    for supplier in group(notice, "processors"):
        assert Processor.objects.get(name=supplier["name"]).role == Processor.Role.PROCESSOR
    nfer = next(r for r in group(notice, "controllers") if "NFER" in r["name"])
    assert nfer["kind"] == ExternalRecipient.Kind.CONTROLLER


def test_workforce_notice_has_workforce_data_and_recipients(db) -> None:
    notice = content("Arden Heath Academy", "workforce")

    assert {c["subject"] for c in notice["categories"]} == {"School workforce"}
    assert {"HR & Payroll", "Corporate ICT", "Capita SIMS", "CDEC", "Khipu Wireless"} <= names(
        notice
    )
    assert "Children Missing Education" not in names(notice)
    dfe = group(notice, "public_bodies")[0]
    assert dfe["name"] == "Department for Education (DfE): school workforce census"
    assert "workforce census" in dfe["why"]


def test_english_secondary_names_dfe_npd_and_youth_support(db) -> None:
    bodies = names(content("Arden Heath Academy"), "public_bodies")

    assert {"Department for Education (DfE)", "The National Pupil Database (NPD)",
            "Youth support services"} <= bodies  # fmt: skip


def test_english_primary_has_no_youth_support_unless_switched_on(db) -> None:
    school = School.objects.get(name="Avon Meadow Primary School")
    assert "Youth support services" not in names(build_notice_content(school, "pupils"))

    school.youth_support = School.YouthSupport.YES
    assert "Youth support services" in names(build_notice_content(school, "pupils"))


def test_secondary_can_switch_youth_support_off(db) -> None:
    school = School.objects.get(name="Arden Heath Academy")
    school.youth_support = School.YouthSupport.NO

    assert "Youth support services" not in names(build_notice_content(school, "pupils"))


def test_welsh_school_names_welsh_bodies_and_no_english_ones(db) -> None:
    notice = content("Ysgol Bryn Derw")
    text = str(notice)

    assert {"Welsh Government", "The National Pupil Database for Wales"} <= names(notice)
    for english in ("Department for Education", "England", "Warwickshire", "special educational"):
        assert english not in text, english
    assert notice["terms"]["needs"] == "additional learning needs (ALN)"
    workforce = content("Ysgol Bryn Derw", "workforce")
    assert "Welsh Government: School Workforce Annual Census" in names(workforce)


def test_terms_follow_the_school(db) -> None:
    notice = content("Oakfield Vale Primary Academy")

    assert notice["title"] == "Privacy notice for students and parents"
    assert notice["terms"]["plan"] == "education, health and care plan (EHCP)"


def test_trust_is_the_controller_with_its_own_contact_details(db) -> None:
    notice = content("Oakfield Vale Primary Academy")

    assert notice["controller"]["name"] == "University of Wolverhampton Multi Academy Trust"
    assert notice["controller"]["is_trust"] is True
    assert notice["controller"]["through_school"] is False


def test_academy_in_a_council_service_names_its_trust_reached_through_the_school(db) -> None:
    controller = content("Arden Heath Academy")["controller"]

    assert controller["name"] == "Forest of Arden Learning Trust"
    assert controller["through_school"] is True


def test_special_category_data_carries_its_conditions(db) -> None:
    sen = next(c for c in content("Avon Meadow Primary School")["categories"] if c["special"])

    assert sen["art9"]["code"].startswith("Art 9(2)")
    assert sen["dpa"]["code"].startswith("DPA 2018 Sch 1")


def test_transfers_say_only_what_is_known(db) -> None:
    transfers = content("Avon Meadow Primary School")["transfers"]

    assert [t["name"] for t in transfers["outside"]] == ["Microsoft"]
    assert "adequacy" in transfers["outside"][0]["safeguards"]
    # Other suppliers' locations are not all known: the notice makes no "kept in the UK" claim.
    assert transfers["all_in_uk"] is False


def test_unknown_transfers_are_never_printed_as_kept_in_the_uk(db) -> None:
    school = School.objects.get(name="Stour Valley CofE Primary School")
    Processor.objects.filter(name="Groupcall").update(data_leaves_uk="unknown")

    assert build_notice_content(school, "pupils")["transfers"] == {
        "outside": [], "all_in_uk": False,
    }  # fmt: skip
    Processor.objects.filter(name="Groupcall").update(data_leaves_uk="no")
    assert build_notice_content(school, "pupils")["transfers"]["all_in_uk"] is True


def test_rights_and_ico_are_always_there(db) -> None:
    notice = content("Stour Valley CofE Primary School")

    assert {"Access", "Rectification", "Erasure", "Objection"} <= {
        r["name"] for r in notice["rights"]
    }
    assert notice["ico"]["phone"] == "0303 123 1113"
    assert "SK9 5AF" in notice["ico"]["address"]


def test_consent_purposes_bring_the_right_to_withdraw(db) -> None:
    notice = content("Victoria CP School")

    assert any(p["consent"] for p in notice["purposes"])
    assert "Withdrawing consent" in {r["name"] for r in notice["rights"]}


def test_content_hash_is_stable_and_tracks_the_registry(db) -> None:
    school = School.objects.get(name="Avon Meadow Primary School")
    first = content_hash(build_notice_content(school, "pupils"))

    assert content_hash(build_notice_content(school, "pupils")) == first
    Processor.objects.filter(name="Redstor").update(data_location="Somewhere else")
    assert content_hash(build_notice_content(school, "pupils")) != first


def test_an_inactive_flow_leaves_the_notice(db) -> None:
    DataFlow.objects.filter(processor__name="Redstor").update(is_active=False)

    assert "Redstor" not in names(content("Avon Meadow Primary School"))


def test_content_builds_in_a_fixed_number_of_queries(db, django_assert_max_num_queries) -> None:
    school = School.objects.get(name="Avon Meadow Primary School")

    with django_assert_max_num_queries(24):
        build_notice_content(school, "pupils")
