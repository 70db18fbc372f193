"""load_demo loads the complete world of the seed documents (Warwickshire, Wrexham with
Victoria CP School, the University of Wolverhampton MAT with one academy), a second run changes
nothing, and it never touches what staff or other organisations added."""

import datetime
import re
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models

from governance.demo import load_demo
from governance.demo.catalogue import SUBSCRIPTION
from governance.models import (
    Authority,
    DataFlow,
    DataObject,
    DesignatedOfficer,
    ExternalRecipient,
    LawfulBasis,
    Offering,
    PartnerService,
    Purpose,
    Reach,
    RetentionRule,
    School,
    StorageSystem,
    Subscription,
    User,
)
from governance.services import check_flow, condition_misfits, save_data_flow
from processors.models import Certification, Processor, ProcessorLink

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_for_module")]

WARWICKSHIRE = "Warwickshire County Council"
WREXHAM = "Wrexham County Borough Council"
TRUST = "University of Wolverhampton Multi Academy Trust"
VICTORIA, BRYN_DERW, OAKFIELD = "6662034", "6669901", "999201"
XPORTER = "SIF via Groupcall Xporter, overnight"
OLD_SMOOTHWALL_PURPOSE = "Filter web access and log blocked attempts against the user name"


def registry_models() -> list[type[models.Model]]:
    """Every model of the registry apps, so a new model joins the idempotency check by itself."""
    found = [
        model
        for label in ("governance", "processors")
        for model in apps.get_app_config(label).get_models()
    ]
    return [model for model in found if model is not User]


def snapshot() -> dict[str, list[dict]]:
    """Every row of every registry model: its column values and its many-to-many pk sets."""
    rows: dict[str, list[dict]] = {}
    for model in registry_models():
        m2m = [field.name for field in model._meta.many_to_many]
        rows[model._meta.label] = [
            {
                **{
                    field.attname: getattr(row, field.attname)
                    for field in model._meta.concrete_fields
                },
                **{name: {related.pk for related in getattr(row, name).all()} for name in m2m},
            }
            for row in model.objects.order_by("pk").prefetch_related(*m2m)
        ]
    return rows


def organisation(name: str) -> Authority:
    return Authority.objects.get(name=name)


def names(queryset: models.QuerySet, field: str = "name") -> set[str]:
    return set(queryset.values_list(field, flat=True))


def recipients_of(school: School) -> set[str]:
    return {str(flow.recipient) for flow in DataFlow.objects.for_school(school).with_details()}


def test_first_run_reports_what_it_wrote(demo_for_module: str) -> None:
    assert demo_for_module.startswith("Demo registry loaded: ")
    for written in ["40 data categories", "6 schools", "44 data flows", "5 schools published"]:
        assert written in demo_for_module
    # The lawful bases are national records, there before the demo (seeded after migrate).
    assert not re.search(
        r"\d+ lawful bases",
        demo_for_module.replace("flow lawful", "").replace("purpose lawful", ""),
    )
    assert LawfulBasis.objects.exclude(kind="statute").count() == 21


def test_three_organisations_a_council_service_a_welsh_council_and_a_trust() -> None:
    kinds = dict(Authority.objects.values_list("name", "kind"))

    assert kinds == {WARWICKSHIRE: "local_authority", WREXHAM: "local_authority", TRUST: "trust"}
    assert names(organisation(WREXHAM).schools) == {"Victoria CP School", "Ysgol Bryn Derw"}
    assert names(organisation(TRUST).schools) == {"Oakfield Vale Primary Academy"}


def test_warwickshire_counts_match_the_seed_documents() -> None:
    warwickshire = organisation(WARWICKSHIRE)

    assert warwickshire.partners.count() == 9
    assert DesignatedOfficer.objects.filter(partner__authority=warwickshire).count() == 8
    assert Certification.objects.count() == 2
    assert warwickshire.offerings.count() == 6
    assert warwickshire.retention_rules.count() == 5
    assert warwickshire.flows.count() == 23
    assert Subscription.objects.filter(school__authority=warwickshire).count() == 9
    assert warwickshire.data_categories.count() == 18
    assert warwickshire.data_categories.filter(data_subject="workforce").count() == 5


def test_warwickshire_has_the_seeds_security_measures_and_retention() -> None:
    warwickshire = organisation(WARWICKSHIRE)

    assert "ISO 17799" in warwickshire.security_measures
    assert len(warwickshire.security_measures.splitlines()) == 4
    assert "usually 12 months" in warwickshire.retention_schedule_summary
    assert "leaves the school" in warwickshire.retention_schedule_summary


def test_the_catalogue_of_lawful_bases_is_complete() -> None:
    assert LawfulBasis.objects.filter(kind=LawfulBasis.Kind.ART6).count() == 6
    assert LawfulBasis.objects.filter(kind=LawfulBasis.Kind.ART9).count() == 10
    assert LawfulBasis.objects.filter(kind=LawfulBasis.Kind.DPA_SCH1).count() == 5
    contract = LawfulBasis.objects.get(code="Art 6(1)(b)")
    assert (contract.kind, contract.title) == ("art6", "Contract")


def test_pupils_special_category_data_rests_on_substantial_public_interest() -> None:
    """Seeds 000/001 cite Art 9(2)(b), an employment condition, for pupils' data too; the
    demo follows the ICO's guidance there and the seeds for staff data."""
    for sif_name in ("LearnerSpecialNeeds", "LearnerPersonal"):
        obj = DataObject.objects.get(authority__name=WARWICKSHIRE, sif_name=sif_name)
        assert obj.is_special_category
        assert obj.art9_condition.code == "Art 9(2)(g)"
        assert obj.dpa_condition.code == "DPA 2018 Sch 1 Pt 2 para 6"


def test_staff_absence_is_special_category_under_the_employment_condition() -> None:
    contract = DataObject.objects.get(authority__name=WARWICKSHIRE, sif_name="WorkforceContract")

    assert contract.is_special_category
    assert "sickness absence" in contract.special_category_note
    assert contract.art9_condition.code == "Art 9(2)(b)"
    assert contract.dpa_condition.code == "DPA 2018 Sch 1 Pt 1 para 1"


def test_no_demo_flow_relies_on_a_condition_that_does_not_fit_its_data() -> None:
    for flow in DataFlow.objects.prefetch_related("data_objects", "lawful_bases"):
        assert not condition_misfits(
            data_objects=flow.data_objects.all(), lawful_bases=flow.lawful_bases.all()
        ), flow


def test_the_employment_conditions_fit_only_the_workforce() -> None:
    for code in ("Art 9(2)(b)", "DPA 2018 Sch 1 Pt 1 para 1"):
        condition = LawfulBasis.objects.get(code=code)
        assert condition.fits("workforce")
        assert not condition.fits("pupil")
        assert not condition.fits("contact")
    assert LawfulBasis.objects.get(code="Art 9(2)(g)").fits("pupil")


def test_suppliers_say_whether_data_leaves_the_uk_only_where_the_seeds_do() -> None:
    microsoft = Processor.objects.get(school=None, name="Microsoft")

    assert microsoft.data_leaves_uk == "yes"
    assert microsoft.transfer_safeguards.strip()
    assert ProcessorLink.objects.filter(processor=microsoft).count() == 2
    for name in ("Groupcall", "Redstor", "Class Dojo", "Bromcom", "MyConcern"):
        assert Processor.objects.get(school=None, name=name).data_leaves_uk == "unknown", name
    redstor = Processor.objects.get(school=None, name="Redstor")
    assert redstor.retention_rule.period_display == "60 days"


def test_smoothwall_has_no_flow_the_ict_service_filters_and_logs_instead() -> None:
    smoothwall = Processor.objects.get(school=None, name="Smoothwall")
    flow = DataFlow.objects.get(purpose__startswith="Filter web access with the Smoothwall")

    assert not smoothwall.has_access
    assert not DataFlow.objects.filter(processor=smoothwall).exists()
    assert (flow.partner_service.name, flow.offering.name) == ("ICT Development Service",
                                                               "Broadband")  # fmt: skip
    assert "words they search for" in flow.purpose


def test_warwickshire_wide_flows_travel_through_xporter_overnight() -> None:
    wide = DataFlow.objects.filter(authority__name=WARWICKSHIRE, offering=None, school=None)

    assert wide.count() == 11
    assert names(wide, "transport") == {XPORTER}
    cme = DataFlow.objects.get(partner_service__name="Children Missing Education")
    assert cme.frequency == DataFlow.Frequency.WEEKLY


def test_every_flow_passes_the_flow_rules() -> None:
    for flow in DataFlow.objects.prefetch_related("data_objects", "lawful_bases"):
        flow.full_clean()
        check_flow(flow=flow, data_objects=flow.data_objects.all(),
                   lawful_bases=flow.lawful_bases.all())  # fmt: skip
        assert {o.authority_id for o in flow.data_objects.all()} == {flow.authority_id}


def test_demo_schools_are_published_but_stour_valley_stays_a_draft() -> None:
    drafts = School.objects.filter(notices_published_at__isnull=True)

    assert names(drafts) == {"Stour Valley CofE Primary School"}


def test_bryn_derw_belongs_to_wrexham_with_no_warwickshire_subscription() -> None:
    bryn = School.objects.get(urn=BRYN_DERW)

    assert bryn.authority.name == WREXHAM
    assert not bryn.subscriptions.exists()
    assert "Welsh Government" in recipients_of(bryn)
    assert "Microsoft" not in recipients_of(bryn)


def test_victoria_has_the_categories_of_its_notice() -> None:
    victoria = School.objects.get(urn=VICTORIA)
    held = DataObject.objects.filter(authority=victoria.authority).filter(
        models.Q(school=None) | models.Q(school=victoria)
    )

    assert names(held.filter(data_subject="pupil"), "title") == {
        "Personal information", "Characteristics", "Attendance information",
        "Assessment information", "Medical information", "Additional Learning Needs",
        "Behaviour information", "CCTV",
    }  # fmt: skip
    assert names(held.filter(data_subject="contact"), "title") == {
        "Personal information", "Relationship to pupil",
    }  # fmt: skip
    for title, dpa in [("Medical information", "DPA 2018 Sch 1 Pt 2 para 18"),
                       ("Additional Learning Needs", "DPA 2018 Sch 1 Pt 2 para 6")]:  # fmt: skip
        special = held.get(title=title)
        assert special.is_special_category
        assert (special.art9_condition.code, special.dpa_condition.code) == ("Art 9(2)(g)", dpa)
    assert held.get(title="CCTV").school == victoria


def test_victoria_has_the_purposes_and_bases_of_its_notice() -> None:
    victoria = School.objects.get(urn=VICTORIA)
    purposes = Purpose.objects.for_school(victoria).prefetch_related("lawful_bases")
    bases = {p.description: {b.code for b in p.lawful_bases.all()} for p in purposes}

    for description in ("to support pupil learning", "to monitor and report on pupil progress",
                        "to provide appropriate pastoral care", "to contact you",
                        "to assess the quality of our services", "to share information with you",
                        "to comply with the law regarding data sharing"):  # fmt: skip
        assert description in bases
    assert {"Art 6(1)(a)", "Art 6(1)(b)", "Art 6(1)(c)", "Art 6(1)(d)", "Art 6(1)(e)",
            "Art 6(1)(f)"} <= set().union(*bases.values())  # fmt: skip
    assert any("fundraising" in d and b == {"Art 6(1)(a)"} for d, b in bases.items())
    for purpose in purposes:
        if "Art 6(1)(f)" in bases[purpose.description]:
            assert purpose.legitimate_interest.strip()
    assert {"Art 9(2)(g)", "DPA 2018 Sch 1 Pt 2 para 18"} <= bases[
        "to provide appropriate pastoral care"
    ]


def test_victoria_shares_with_everyone_its_notice_names() -> None:
    victoria = School.objects.get(urn=VICTORIA)

    assert recipients_of(victoria) == {
        "Schools that pupils attend after leaving us", WREXHAM,
        "School Effectiveness and Improvement Service for North Wales (GwE)",
        "Welsh Government", "NHS school health services", "Social services",
        "INCERTS", "Class Dojo", "Hwb", "Seesaw", "Times Tables Rock Stars", "Cornerstones",
        "MyConcern",
    }  # fmt: skip
    assert "Class Dojo" not in recipients_of(School.objects.get(urn=BRYN_DERW))


def test_the_nhs_gets_only_names_addresses_birthdays_and_parents_details() -> None:
    flow = DataFlow.objects.get(body__name="NHS school health services", school=None)

    assert flow.authority.name == WREXHAM
    assert flow.purpose == "Organise immunisation programmes"
    assert {(o.data_subject, o.title) for o in flow.data_objects.all()} == {
        ("pupil", "Personal information"), ("contact", "Personal information"),
    }  # fmt: skip


def test_nothing_england_only_reaches_a_welsh_school() -> None:
    for urn in (VICTORIA, BRYN_DERW):
        flows = DataFlow.objects.for_school(School.objects.get(urn=urn)).with_details()
        for flow in flows:
            assert all(b.reach != Reach.ENGLAND for b in flow.lawful_bases.all()), flow
            assert flow.body is None or flow.body.reach != Reach.ENGLAND, flow
    welsh_government = DataFlow.objects.get(body__name="Welsh Government")
    assert welsh_government.frequency == DataFlow.Frequency.ANNUALLY


def test_victoria_has_its_security_retention_and_contacts() -> None:
    victoria = School.objects.get(urn=VICTORIA)
    measures = victoria.authority.security_measures.splitlines()

    assert [m.split(":")[0] for m in measures[:2]] == ["Encryption", "Pseudonymisation"]
    assert len(measures) == 5
    assert victoria.retention_schedule["url"].startswith("http://www.internal.wrexham.gov.uk/")
    assert victoria.dp_lead_name == "Mrs D Eccles"
    assert victoria.dpo_email == "SchoolsDPO@Wrexham.gov.uk"
    assert (victoria.nation, victoria.phase) == ("wales", "primary")


def test_oakfield_vale_is_an_academy_of_the_trust_that_calls_them_students() -> None:
    oakfield = School.objects.get(urn=OAKFIELD)

    assert oakfield.controller_name == TRUST
    assert (oakfield.learner_term, oakfield.nation) == ("students", "england")
    assert not oakfield.shares_with_youth_support
    assert oakfield.headteacher


def test_oakfield_vale_has_the_categories_and_purposes_of_its_notice() -> None:
    oakfield = School.objects.get(urn=OAKFIELD)

    assert names(oakfield.authority.data_categories, "title") == {
        "Personal information", "Characteristics", "Attendance information",
        "Medical information", "Special Educational Needs information",
        "Safeguarding and behaviour information", "School trip information",
        "Accidents and health and safety", "Exam and progress assessment information",
        "Educational software accounts", "School meals", "Library",
    }  # fmt: skip
    purposes = Purpose.objects.for_school(oakfield)
    assert purposes.count() == 6
    assert names(purposes.filter(lawful_bases__code="Art 6(1)(d)"), "description") == {
        "to provide appropriate pastoral care"
    }
    assert names(purposes.filter(lawful_bases__code="Art 6(1)(c)"), "description") == {
        "to comply with the law regarding data sharing",
        "to meet our statutory obligations and audit requirements",
    }


def test_oakfield_vale_stores_data_in_the_systems_its_notice_names() -> None:
    systems = StorageSystem.objects.for_school(School.objects.get(urn=OAKFIELD))

    assert systems.count() == 18
    assert names(systems.filter(in_house=True)) == {
        "CCTV", "Exercise books and pupil work files", "Pupil photographs for display",
    }  # fmt: skip
    assert systems.get(name="Microsoft Outlook").supplier.name == "Microsoft"
    assert systems.get(name="Bromcom").kind == "mis"
    assert systems.get(name="Reception Baseline – NFER").school is not None


def test_oakfield_vale_shares_with_everyone_its_notice_names_and_nothing_welsh() -> None:
    oakfield = School.objects.get(urn=OAKFIELD)

    assert recipients_of(oakfield) == {
        "Schools that a student attends after leaving us", "City of Wolverhampton Council",
        "Department for Education (DfE)", "NFER – Reception Baseline",
        f"The schools within the {TRUST}", "Educational software providers", "S4S",
        "Our auditors",
    }  # fmt: skip
    census = DataFlow.objects.get(body__name="Department for Education (DfE)")
    laws = names(census.lawful_bases, "code")
    assert "Education (Information About Individual Pupils) (England) Regulations 2013" in laws
    for flow in DataFlow.objects.for_school(oakfield).with_details():
        assert all(b.reach != Reach.WALES for b in flow.lawful_bases.all()), flow
    assert ExternalRecipient.objects.get(name="NFER – Reception Baseline").kind == "controller"


def test_second_run_writes_and_changes_nothing() -> None:
    before = snapshot()

    written = load_demo()

    assert written == {}
    assert snapshot() == before


def test_second_run_of_the_command_says_nothing_changed() -> None:
    out = StringIO()

    call_command("load_demo", stdout=out)

    assert "nothing changed" in out.getvalue()


def test_a_hand_edit_to_a_seeded_field_is_restored_and_reported() -> None:
    Processor.objects.filter(name="Redstor").update(products="Something else")

    written = load_demo()

    assert written == {"suppliers": 1}
    assert Processor.objects.get(name="Redstor").products == "Redstor Backup Plus"


def test_details_staff_added_beyond_the_seeds_are_kept() -> None:
    """The seeds do not say where Redstor stores data; what staff filled in survives."""
    Processor.objects.filter(name="Redstor").update(data_location="UK (London)",
                                                    data_leaves_uk="no")  # fmt: skip

    assert load_demo() == {}
    assert Processor.objects.get(name="Redstor").data_leaves_uk == "no"


def test_removed_links_are_set_back() -> None:
    flow = DataFlow.objects.get(purpose__contains="Enterprise directory (AD)")
    flow.lawful_bases.clear()

    written = load_demo()

    assert written == {"flow lawful bases": 1}
    assert names(flow.lawful_bases, "code") == {"Art 6(1)(b)", "Art 6(1)(e)"}


def test_a_category_and_a_flow_staff_added_to_wrexham_survive_a_second_run() -> None:
    wrexham, victoria = organisation(WREXHAM), School.objects.get(urn=VICTORIA)
    photos = DataObject.objects.create(
        authority=wrexham, data_subject="pupil", title="Photographs",
        fields_description="Photographs of pupils at school events.",
    )  # fmt: skip
    flow = save_data_flow(
        flow=DataFlow(authority=wrexham, school=victoria, purpose="Print the school yearbook",
                      frequency="annually",
                      body=ExternalRecipient.objects.get(authority=wrexham, name=WREXHAM)),
        data_objects=[photos], lawful_bases=[LawfulBasis.objects.get(code="Art 6(1)(e)")],
    )  # fmt: skip
    before = snapshot()

    assert load_demo() == {}
    assert snapshot() == before
    assert list(flow.data_objects.all()) == [photos]


def test_another_organisation_with_the_same_names_is_never_touched() -> None:
    other = Authority.objects.create(name="Shropshire Council", service_name="Schools ICT",
                                     address="Shirehall\nShrewsbury")  # fmt: skip
    school = School.objects.create(
        authority=other, urn="6669902", dfe_number="666/9902", name="Ysgol Arall",
        phase="primary", school_type="maintained", nation="wales", address="Stryd\nY Waun",
        postcode="LL14 9ZZ",
    )  # fmt: skip
    mine = DataObject.objects.create(authority=other, sif_name="LearnerPersonal",
                                     data_subject="pupil", title="Personal information",
                                     fields_description="Theirs")  # fmt: skip
    RetentionRule.objects.create(authority=other, name=SUBSCRIPTION, event="theirs ends",
                                 description="Theirs")  # fmt: skip
    ExternalRecipient.objects.create(authority=other, kind="controller", name="Our auditors",
                                     why="Theirs")  # fmt: skip
    Processor.objects.create(school=school, name="Bromcom", service_description="Their own")
    Purpose.objects.create(authority=other, description="to support pupil learning")
    Offering.objects.create(authority=other, name="WeLearn365", description="Theirs")
    PartnerService.objects.create(authority=other, name="ICT Development Service",
                                  purpose="Theirs")  # fmt: skip
    before = snapshot()

    assert load_demo() == {}
    assert snapshot() == before
    assert not DataFlow.objects.filter(data_objects=mine).exists()


def test_a_database_loaded_with_the_old_demo_is_upgraded() -> None:
    warwickshire = organisation(WARWICKSHIRE)
    bryn = School.objects.get(urn=BRYN_DERW)
    School.objects.filter(pk=bryn.pk).update(authority=warwickshire)
    Subscription.objects.create(
        school=bryn, offering=warwickshire.offerings.get(name="WeLearn365"),
        start_date=datetime.date(2025, 9, 1),
    )  # fmt: skip
    old = DataFlow.objects.create(
        authority=warwickshire, offering=warwickshire.offerings.get(name="Broadband"),
        processor=Processor.objects.get(school=None, name="Smoothwall"),
        purpose=OLD_SMOOTHWALL_PURPOSE, frequency="continuous",
    )  # fmt: skip
    old.data_objects.set(warwickshire.data_categories.filter(sif_name="LearnerEmail"))

    written = load_demo()

    assert written == {"schools": 1, "subscriptions to another organisation removed": 1,
                       "retired demo flows removed": 1}  # fmt: skip
    assert not DataFlow.objects.filter(pk=old.pk).exists()
    bryn.refresh_from_db()
    assert (bryn.authority.name, bryn.subscriptions.count()) == (WREXHAM, 0)
