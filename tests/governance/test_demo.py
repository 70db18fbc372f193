"""load_demo loads the complete world of the seed documents, and a second run changes nothing."""

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models

from governance.demo import load_demo
from governance.models import (
    Authority,
    DataFlow,
    DataObject,
    DesignatedOfficer,
    LawfulBasis,
    Offering,
    PartnerService,
    RetentionRule,
    School,
    Subscription,
    User,
)
from processors.models import Certification, Processor, ProcessorLink

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_for_module")]

XPORTER = "SIF via Groupcall Xporter, overnight"


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


def test_first_run_reports_what_it_wrote(demo_for_module: str) -> None:
    assert demo_for_module.startswith("Demo registry loaded: ")
    for written in ["21 lawful bases", "18 data objects", "4 schools", "23 data flows"]:
        assert written in demo_for_module


def test_counts_match_the_seed_documents() -> None:
    assert Authority.objects.count() == 1
    assert PartnerService.objects.count() == 9
    assert DesignatedOfficer.objects.count() == 8
    assert Processor.objects.count() == 12
    assert Certification.objects.count() == 2
    assert Offering.objects.count() == 6
    assert RetentionRule.objects.count() == 5
    assert DataFlow.objects.count() == 23
    assert Subscription.objects.count() == 11


def test_data_objects_split_into_pupil_and_workforce_data() -> None:
    assert DataObject.objects.count() == 18
    assert DataObject.objects.filter(data_subject__in=["pupil", "contact"]).count() == 13
    assert DataObject.objects.filter(data_subject="workforce").count() == 5


def test_the_catalogue_of_lawful_bases_is_complete() -> None:
    assert LawfulBasis.objects.count() == 21
    assert LawfulBasis.objects.filter(kind=LawfulBasis.Kind.ART6).count() == 6
    assert LawfulBasis.objects.filter(kind=LawfulBasis.Kind.ART9).count() == 10
    assert LawfulBasis.objects.filter(kind=LawfulBasis.Kind.DPA_SCH1).count() == 5
    contract = LawfulBasis.objects.get(code="Art 6(1)(b)")
    public_task = LawfulBasis.objects.get(code="Art 6(1)(e)")
    assert (contract.kind, contract.title) == ("art6", "Contract")
    assert (public_task.kind, public_task.title) == ("art6", "Public task")


def test_demo_schools_cover_both_nations_and_an_academy() -> None:
    assert School.objects.count() == 4
    assert sorted(School.objects.values_list("nation", flat=True)) == [
        "england", "england", "england", "wales",
    ]  # fmt: skip
    academy = School.objects.exclude(school_type=School.Type.MAINTAINED).get()
    assert (academy.name, academy.trust_name) == (
        "Arden Heath Academy",
        "Forest of Arden Learning Trust",
    )
    assert academy.controller_name == "Forest of Arden Learning Trust"


def test_special_needs_object_is_special_category_under_art_9_2_b() -> None:
    sen = DataObject.objects.get(sif_name="LearnerSpecialNeeds")

    assert sen.is_special_category
    assert sen.data_subject == DataObject.Subject.PUPIL
    assert sen.art9_condition.code == "Art 9(2)(b)"
    assert sen.dpa_condition.code == "DPA 2018 Sch 1 Pt 1 para 1"


def test_pupil_and_workforce_objects_carry_the_seed_details() -> None:
    personal = DataObject.objects.get(sif_name="LearnerPersonal")
    contract = DataObject.objects.get(sif_name="WorkforceContract")
    addresses = DataObject.objects.get(sif_name="ComputerIPAddress")

    assert (personal.data_subject, personal.title) == ("pupil", "Pupil personal details")
    assert personal.is_special_category  # ethnicity
    assert "ethnicity" in personal.special_category_note
    assert (contract.data_subject, contract.is_special_category) == ("workforce", False)
    assert "absence" in contract.fields_description
    assert (addresses.data_subject, addresses.is_special_category) == ("workforce", False)
    assert addresses.title == "Computer network addresses"


def test_redstor_holds_its_certifications_and_keeps_backups_60_days() -> None:
    redstor = Processor.objects.get(name="Redstor")

    assert {c.name for c in redstor.certifications.all()} == {"ISO/IEC 27001", "ISO 9001"}
    assert (redstor.retention_rule.period_value, redstor.retention_rule.period_unit) == (60, "days")
    assert redstor.retention_rule.period_display == "60 days"


def test_microsoft_is_recorded_as_sending_data_abroad_with_safeguards() -> None:
    microsoft = Processor.objects.get(name="Microsoft")

    assert microsoft.transfers_outside_uk
    assert microsoft.transfer_safeguards.strip()
    assert ProcessorLink.objects.filter(processor=microsoft).count() == 2


def test_children_missing_education_has_its_officer_and_weekly_flow() -> None:
    cme = PartnerService.objects.get(name="Children Missing Education")

    officer = cme.officers.get()
    assert (officer.name, officer.email) == ("Annette Firman", "annettefirman@warwickshire.gov.uk")
    flow = cme.flows.get()
    assert flow.frequency == DataFlow.Frequency.WEEKLY
    assert flow.offering is None
    assert flow.school is None


def test_directory_accounts_flow_is_daily_and_kept_until_the_person_leaves() -> None:
    directory = DataFlow.objects.get(purpose__contains="Enterprise directory (AD)")

    assert directory.frequency == DataFlow.Frequency.DAILY
    assert directory.retention_rule.name == "Until the person leaves the school"
    assert directory.partner_service.name == "ICT Development Service"


def test_authority_wide_flows_travel_through_xporter_overnight() -> None:
    authority_wide = DataFlow.objects.filter(offering__isnull=True, school__isnull=True)

    assert authority_wide.count() == 11
    assert set(authority_wide.values_list("transport", flat=True)) == {XPORTER}


def test_every_flow_carrying_special_data_cites_its_conditions() -> None:
    flows = DataFlow.objects.prefetch_related("data_objects", "lawful_bases")
    carrying = [f for f in flows if any(o.is_special_category for o in f.data_objects.all())]

    assert len(carrying) >= 5  # the all-objects feeds, the SEN service, the pupil-core flows
    for flow in carrying:
        cited = {basis.pk for basis in flow.lawful_bases.all()}
        for obj in flow.data_objects.all():
            if obj.is_special_category:
                assert obj.art9_condition_id in cited, (flow, obj)
                assert obj.dpa_condition_id in cited, (flow, obj)


def test_second_run_writes_and_changes_nothing() -> None:
    before = snapshot()

    written = load_demo()

    assert written == {}
    assert snapshot() == before


def test_second_run_of_the_command_says_nothing_changed() -> None:
    before = snapshot()
    out = StringIO()

    call_command("load_demo", stdout=out)

    assert "nothing changed" in out.getvalue()
    assert snapshot() == before


def test_a_hand_edit_to_a_seeded_field_is_restored_and_reported() -> None:
    Processor.objects.filter(name="Redstor").update(products="Something else")

    written = load_demo()

    assert written == {"processors": 1}
    assert Processor.objects.get(name="Redstor").products == "Redstor Backup Plus"


def test_details_staff_added_beyond_the_seeds_are_kept() -> None:
    """The seeds do not say where Redstor stores data; a value staff filled in survives."""
    Processor.objects.filter(name="Redstor").update(data_location="UK (London)")

    written = load_demo()

    assert written == {}
    assert Processor.objects.get(name="Redstor").data_location == "UK (London)"


def test_removed_links_are_set_back() -> None:
    flow = DataFlow.objects.get(purpose__contains="Enterprise directory (AD)")
    flow.lawful_bases.clear()
    Processor.objects.get(name="Redstor").certifications.clear()

    written = load_demo()

    assert written == {"flow lawful bases": 1, "processor certifications": 1}
    assert {b.code for b in flow.lawful_bases.all()} == {"Art 6(1)(b)", "Art 6(1)(e)"}
    assert Processor.objects.get(name="Redstor").certifications.count() == 2
