"""load_demo loads the complete world of the seed documents, and a second run changes nothing."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.forms.models import model_to_dict

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
)
from processors.models import Certification, Processor, ProcessorLink

REGISTRY = [
    Authority, School, PartnerService, DesignatedOfficer, Processor, ProcessorLink, Certification,
    Offering, Subscription, DataObject, LawfulBasis, RetentionRule, DataFlow,
]  # fmt: skip


def snapshot() -> dict[str, list[dict]]:
    """Every row of every registry model, with many-to-many values as pk lists."""
    return {
        model.__name__: [model_to_dict(row) for row in model.objects.order_by("pk")]
        for model in REGISTRY
    }


pytestmark = pytest.mark.django_db


def test_counts_match_the_seed_documents(demo) -> None:
    assert Authority.objects.count() == 1
    assert PartnerService.objects.count() == 9
    assert DesignatedOfficer.objects.count() == 8
    assert Processor.objects.count() == 12
    assert DataObject.objects.count() == 18
    assert DataObject.objects.filter(data_subject__in=["pupil", "contact"]).count() == 13
    assert DataObject.objects.filter(data_subject="workforce").count() == 5
    assert Offering.objects.count() == 6
    assert RetentionRule.objects.count() == 5
    assert DataFlow.objects.count() == 23
    assert LawfulBasis.objects.filter(kind="art6").count() == 6
    assert LawfulBasis.objects.filter(kind="art9").count() == 10
    assert School.objects.count() == 4
    assert sorted(School.objects.values_list("nation", flat=True)) == [
        "england", "england", "england", "wales",
    ]  # fmt: skip


def test_named_records_carry_the_seed_details(demo) -> None:
    sen = DataObject.objects.get(sif_name="LearnerSpecialNeeds")
    assert sen.is_special_category
    assert sen.art9_condition.code == "Art 9(2)(b)"
    redstor = Processor.objects.get(name="Redstor")
    assert {c.name for c in redstor.certifications.all()} == {"ISO/IEC 27001", "ISO 9001"}
    assert (redstor.retention_rule.period_value, redstor.retention_rule.period_unit) == (60, "days")
    microsoft = Processor.objects.get(name="Microsoft")
    assert microsoft.transfers_outside_uk
    assert microsoft.transfer_safeguards
    cme = PartnerService.objects.get(name="Children Missing Education")
    officer = cme.officers.get()
    assert (officer.name, officer.email) == ("Annette Firman", "annettefirman@warwickshire.gov.uk")
    assert cme.flows.get().frequency == DataFlow.Frequency.WEEKLY
    directory = DataFlow.objects.get(purpose__contains="Enterprise directory (AD)")
    assert directory.frequency == DataFlow.Frequency.DAILY
    assert directory.retention_rule.name == "Until the person leaves the school"
    assert directory.transport == "SIF via Groupcall Xporter, overnight"


def test_every_flow_carrying_special_data_cites_its_conditions(demo) -> None:
    for flow in DataFlow.objects.prefetch_related("data_objects", "lawful_bases"):
        cited = set(flow.lawful_bases.all())
        for obj in flow.data_objects.all():
            if obj.is_special_category:
                assert {obj.art9_condition, obj.dpa_condition} <= cited, flow


def test_running_twice_changes_nothing(demo) -> None:
    before = snapshot()
    out = StringIO()

    call_command("load_demo", stdout=out)

    assert snapshot() == before
    assert "nothing changed" in out.getvalue()


def test_a_hand_edit_is_restored_and_reported(demo) -> None:
    Processor.objects.filter(name="Redstor").update(products="Something else")

    written = load_demo()

    assert written == {"processors": 1}
    assert Processor.objects.get(name="Redstor").products == "Redstor Backup Plus"
