"""What a notice says must be what the registry supports, each fact said once, in plain words.

Each test is one finding of a DPO's line-by-line reading of the demo notices (issue 11): the
statement that was wrong, and the class of fault behind it.
"""

import html
import re

import pytest
from django.template.loader import render_to_string

from governance.models import DataFlow, DataObject, LawfulBasis, RetentionRule, School
from notices.content import build_notice_content
from notices.gaps import notice_gaps
from notices.services import notice_sections
from processors.models import Processor

pytestmark = pytest.mark.usefixtures("demo_for_module")

AVON, ARDEN = "Avon Meadow Primary School", "Arden Heath Academy"


def content(name: str, audience: str = "pupils") -> dict:
    return build_notice_content(School.objects.get(name=name), audience)


def body(notice: dict) -> str:
    """The notice body's HTML as the PDF and the public page lay it out."""
    context = {"notice": notice, "version": None, "sections": notice_sections(notice)}
    return render_to_string("notices/_notice_body.html", context)


def text(markup: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", markup)).strip())


def recipient(notice: dict, name: str) -> dict:
    return next(r for g in notice["recipient_groups"] for r in g["recipients"] if r["name"] == name)


def codes(notice: dict) -> set[str]:
    return {b["code"] for b in notice["bases"]}


# Special category conditions: only where the notice has special category data, and only
# conditions that fit whose data it is.


def test_pupils_notice_does_not_explain_an_employment_condition(db) -> None:
    notice = content(AVON)

    assert {"Art 9(2)(g)", "DPA 2018 Sch 1 Pt 2 para 6"} <= codes(notice)
    assert "Art 9(2)(b)" not in codes(notice)
    assert "DPA 2018 Sch 1 Pt 1 para 1" not in codes(notice)


def test_workforce_notice_explains_the_condition_of_its_special_category_data(db) -> None:
    notice = content(AVON, "workforce")

    contract = next(c for c in notice["categories"] if c["title"] == "Staff contracts and absence")
    assert contract["special"]
    assert "sickness absence" in contract["special_note"]
    assert {"Art 9(2)(b)", "DPA 2018 Sch 1 Pt 1 para 1"} <= codes(notice)
    assert "Art 9(2)(g)" not in codes(notice)


def test_no_art9_condition_is_explained_when_no_item_is_special_category(db) -> None:
    """A flow may cite Art 9(2)(b) for the staff data it carries; a workforce notice with no
    special category item still says nothing about Art 9."""
    DataObject.objects.filter(data_subject="workforce").update(
        is_special_category=False, special_category_note=""
    )
    notice = content(AVON, "workforce")

    assert not any(c["special"] for c in notice["categories"])
    kinds = {b["kind"] for b in notice["bases"]}
    assert kinds == {LawfulBasis.Kind.ART6}
    assert notice["special_conditions"] is False
    assert "Article 9" not in text(body(notice))
    assert all(not e["conditions"] for g in notice["recipient_groups"]
               for r in g["recipients"] for e in r["exchanges"])  # fmt: skip


def test_each_exchange_names_its_bases_in_words_and_the_codes_stay_in_the_glossary(db) -> None:
    notice = content(AVON)
    admissions = recipient(notice, "Admissions Service")["exchanges"][0]

    assert [b["title"] for b in admissions["bases"]] == ["Public task"]
    assert admissions["conditions"] == (
        "substantial public interest, with statutory and government purposes"
    )
    exchanges = re.findall(r'<ul class="exchanges">.*?</ul>', body(notice), re.S)
    assert exchanges
    for listing in exchanges:
        assert not re.search(r"Art [69]\(|Sch 1", listing)


def test_a_special_category_warning_reaches_the_schools_gaps(db) -> None:
    """Pupils' health data relying on the employment condition is shown to staff."""
    employment = LawfulBasis.objects.get(code="Art 9(2)(b)")
    flow = DataFlow.objects.get(partner_service__name="Specialist Teaching Service")
    flow.lawful_bases.add(employment)
    flow.lawful_bases.remove(LawfulBasis.objects.get(code="Art 9(2)(g)"))
    DataObject.objects.filter(sif_name="LearnerSpecialNeeds").update(art9_condition=employment)

    gaps = notice_gaps(School.objects.get(name=AVON))

    assert any(
        g.startswith("To Specialist Teaching Service:") and "fits only data about the school "
        "workforce" in g for g in gaps
    )  # fmt: skip


# The controller: an academy's trust is never given the school's address.


def test_an_academy_trust_known_only_by_name_is_not_given_the_schools_address(db) -> None:
    notice = content(ARDEN)
    controller = notice["controller"]

    assert controller["name"] == "Forest of Arden Learning Trust"
    assert (controller["address"], controller["phone"], controller["email"]) == ([], "", "")
    words = text(body(notice))
    controller_block = words.split("Data controller", 1)[1].split("The school", 1)[0]
    assert "Heath Road" not in controller_block
    assert "enquiries@ardenheath.example.org" not in controller_block
    assert "Contact the trust through the school" in controller_block
    school_block = words.split("The school", 1)[1].split("Data Protection Officer", 1)[0]
    assert "Heath Road, Coleshill, B46 9ZZ" in school_block
    assert any("Forest of Arden Learning Trust (the data controller)" in g
               for g in notice_gaps(School.objects.get(name=ARDEN)))  # fmt: skip


def test_an_academy_trusts_own_contact_details_are_printed_as_the_controllers(db) -> None:
    School.objects.filter(name=ARDEN).update(
        trust_address="Trust House\nCastle Street\nWarwick CV34 4ZZ",
        trust_email="info@ardentrust.example.org",
    )
    notice = content(ARDEN)
    words = text(body(notice))

    controller_block = words.split("Data controller", 1)[1].split("The school", 1)[0]
    assert "Trust House, Castle Street, Warwick CV34 4ZZ" in controller_block
    assert "info@ardentrust.example.org" in controller_block
    assert "through the school" not in controller_block
    assert not any(
        "(the data controller)" in g for g in notice_gaps(School.objects.get(name=ARDEN))
    )


# Wording: each fact once, no brackets in brackets.


def test_recipient_names_never_nest_brackets_or_repeat_themselves(db) -> None:
    notice = content(AVON)

    assert recipient(notice, "Microsoft")["title"] == "Microsoft: Office 365 (WeLearn365)"
    assert recipient(notice, "Groupcall")["title"] == "Groupcall (Xporter, IDaaS, XVault)"
    markup = body(notice)
    assert "(WeLearn365) (WeLearn365)" not in markup
    # Brackets attached to a word are a citation ("Art 6(1)(b)"), not a bracket in a bracket.
    words = re.sub(r"(?<=[\w)])\([^()\s]*\)", "", text(markup))
    assert not re.search(r"\([^()]*\([^()]*\)[^()]*\)", words)


def test_an_exchange_names_its_service_only_when_its_purpose_does_not(db) -> None:
    microsoft = recipient(content(AVON), "Microsoft")["exchanges"][0]
    just2easy = recipient(content(AVON), "Just2Easy")["exchanges"][0]

    assert "(WeLearn365)" in microsoft["purpose"]
    assert microsoft["via"] == ""
    assert just2easy["via"] == "WeLearn365"


def test_how_often_is_said_once(db) -> None:
    DataFlow.objects.filter(processor__name="Microsoft").update(
        transport="Groupcall IDaaS account provisioning, daily"
    )
    microsoft = recipient(content(AVON), "Microsoft")["exchanges"][0]

    assert microsoft["frequency"] == "Daily"
    assert microsoft["transport"] == "Groupcall IDaaS account provisioning"


def test_a_retention_rule_that_says_its_end_is_not_followed_by_then(db) -> None:
    notice = content(AVON)
    rules = {r["name"]: r for r in notice["retention"]}

    assert rules["Duration of the subscription contract"]["end"] == ""
    words = text(body(notice))
    assert "securely deleted. Then: securely deleted" not in words
    assert "Then: reviewed" not in words  # "…then reviewed and securely destroyed" says it
    assert "kept for a maximum of 60 days. Then: securely deleted." in words
    RetentionRule.objects.filter(name="Duration of the subscription contract").update(
        description="Kept for the duration of the school's subscription contract."
    )
    rules = {r["name"]: r for r in content(AVON)["retention"]}
    assert rules["Duration of the subscription contract"]["end"] == "Securely deleted"


def test_a_services_purpose_is_not_printed_twice(db) -> None:
    admissions = recipient(content(AVON), "Admissions Service")

    assert admissions["why"].startswith("Plans school places")
    assert admissions["exchanges"][0]["purpose_said"] is True
    words = text(body(content(AVON)))
    assert "Plan school places and manage admissions" not in words
    assert words.count("Plans school places and manages admissions") == 1


def test_a_different_purpose_is_still_printed(db) -> None:
    ictds = recipient(content(AVON), "ICT Development Service")

    assert len(ictds["exchanges"]) > 1
    assert not any(e["purpose_said"] for e in ictds["exchanges"])


def test_a_suppliers_own_retention_is_not_repeated_when_its_exchanges_say_it(db) -> None:
    groupcall = recipient(content(AVON), "Groupcall")
    redstor = recipient(content(AVON), "Redstor")

    assert groupcall["own_retention"] == ""
    assert {e["retention"] for e in groupcall["exchanges"]} == {groupcall["own_rule"]}
    # Redstor's exchange is kept by the backup rule, which is also its own: said once.
    assert redstor["own_retention"] == ""
    Processor.objects.filter(name="Groupcall").update(
        retention_rule=None, retention_notes="Kept for 30 days."
    )
    assert recipient(content(AVON), "Groupcall")["own_retention"] == "Kept for 30 days."


# Where information comes from and whether it must be given: per item, from the registry.


def test_each_item_says_where_it_comes_from_and_whether_it_must_be_given(db) -> None:
    notice = content(AVON)
    items = {c["title"]: c for c in notice["categories"]}

    assert items["Attendance marks"]["obligation"] == (
        "The law requires the school to collect or keep it."
    )
    assert items["Attendance marks"]["source"] == "recorded by the school"
    assert items["Pupil's contacts"]["source"] == ""
    words = text(body(notice))
    assert "Where it comes from: parents and carers, and the pupil's previous school." in words
    # No blanket claims the registry does not make (religion is not held here).
    assert "religion" not in words
    assert "Much of it is statutory" not in words


def test_an_item_with_no_obligation_recorded_says_nothing_and_staff_see_it(db) -> None:
    DataObject.objects.filter(sif_name="LearnerAttendance").update(obligation="")

    item = next(c for c in content(AVON)["categories"] if c["title"] == "Attendance marks")

    assert item["obligation"] == ""
    gaps = notice_gaps(School.objects.get(name=AVON))
    assert any(g.startswith("Whether people must provide it is not recorded for: Attendance "
                            "marks") for g in gaps)  # fmt: skip


def test_a_dpa_condition_named_like_its_art9_condition_is_named_once(db) -> None:
    hr = recipient(content(AVON, "workforce"), "HR & Payroll")["exchanges"][0]

    assert hr["conditions"] == "employment, social security and social protection"


def test_a_system_whose_name_and_description_say_the_same_is_named_once(db) -> None:
    notice = content("Oakfield Vale Primary Academy")
    systems = {s["name"]: s for s in notice["systems"]}

    assert systems["Exercise books and pupil work files"]["lead"] == (
        "Exercise books and pupil work files and folders"
    )
    words = text(body(notice))
    assert "Exercise books and pupil work files: Exercise books" not in words
    assert "Crest Education Safety Services: Education safety services" not in words


def test_a_body_the_school_sends_to_says_how_often_once(db) -> None:
    """The Welsh Government's own "how often" (statutory collections in general) gives way to
    the school's recorded flow to it, which says what is sent and how often."""
    notice = content("Ysgol Bryn Derw")
    welsh_government = recipient(notice, "Welsh Government")

    assert welsh_government["exchanges"]
    assert welsh_government["frequency"] == ""
    assert welsh_government["data_sent"] == ""
    assert welsh_government["exchanges"][0]["purpose_said"] is True
    assert recipient(notice, "The National Pupil Database for Wales")["exchanges"] == []


def test_a_whole_backup_names_what_it_holds_and_the_web_filter_what_it_logs(db) -> None:
    """Redstor backs up the school's whole file server: its entry says so and lists the data,
    never "all the information listed in this notice". Smoothwall has no access to personal
    data (seed 004): the ICT Development Service, which configures the filter, is the one
    said to log the pages users visit and the words they search for."""
    notice = content(AVON)
    redstor = recipient(notice, "Redstor")
    words = text(body(notice))

    assert "file server" in redstor["why"]
    assert len(redstor["exchanges"][0]["data"]) == len(notice["categories"])
    assert "All the information listed" not in words
    assert "Smoothwall" not in {
        r["name"] for g in notice["recipient_groups"] for r in g["recipients"]
    }
    ictds = recipient(notice, "ICT Development Service")
    assert any("words they search for" in e["purpose"] for e in ictds["exchanges"])
