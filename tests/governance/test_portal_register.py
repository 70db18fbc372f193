"""A school's DPO keeps the school's own part of the register in the portal, previews what its
notices would say and publishes them.

The world, built once for the module: an organisation with two English schools (Avon and
Arden) and a Welsh one (Bryn); its own records (a storage system, a category, a purpose, a
retention rule, a public body), shared suppliers (one with no access to personal data) and a
national body; the lawful bases, an Art 9 and a DPA condition, and a law for England only. Avon
and Arden each have one record of every kind of their own. Personas: the DPO of each school,
an auditor, staff and anonymous visitors.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from governance import register
from governance.models import (
    Authority,
    DataFlow,
    DataObject,
    ExternalRecipient,
    LawfulBasis,
    Purpose,
    Reach,
    RetentionRule,
    School,
    StorageSystem,
    User,
)
from governance.outbox.models import Job
from notices.models import NoticeVersion
from processors.models import Processor
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

AVON, ARDEN, BRYN = "999201", "999202", "6669201"
KINDS = ("systems", "suppliers", "recipients", "flows", "categories", "purposes")
MODELS = {"systems": StorageSystem, "suppliers": Processor, "recipients": ExternalRecipient,
          "flows": DataFlow, "categories": DataObject, "purposes": Purpose}  # fmt: skip


# -- the world ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class World:
    """Primary keys of the module's world (objects are re-read in each test)."""

    own: dict[str, dict[str, int]]  # urn -> kind -> pk of the school's own record
    org: dict[str, int]  # kind -> pk of a record the organisation (or everyone) shares
    bases: dict[str, int]  # code -> LawfulBasis pk
    shared_supplier: int
    no_access_supplier: int
    national_body: int


def basis(kind: str, code: str, title: str, reach: str = Reach.BOTH) -> LawfulBasis:
    found, _ = LawfulBasis.objects.get_or_create(
        code=code, defaults={"kind": kind, "title": title, "plain_text": title, "reach": reach}
    )
    return found


def make_school(org: Authority, urn: str, name: str, nation: str = "england") -> School:
    return School.objects.create(
        authority=org, urn=urn, dfe_number=f"{urn[:3]}/{urn[-4:]}", name=name, phase="primary",
        school_type="maintained", nation=nation, address="School Lane", postcode="CV1 1AA",
        email=f"office@{urn}.example.org", headteacher="Ms Head", dpo_name="Jo DPO",
        dpo_email=f"dpo@{urn}.example.org",
    )  # fmt: skip


def own_records(school: School, bases: dict[str, LawfulBasis], tag: str = "") -> dict[str, int]:
    """Give ``school`` one record of every kind of its own; return their pks by kind."""
    tag = tag or school.name.split()[0]
    org = school.authority
    category = DataObject.objects.create(
        authority=org, school=school, title=f"{tag} club register", data_subject="pupil",
        fields_description="Which clubs a pupil attends.",
    )  # fmt: skip
    supplier = Processor.objects.create(
        school=school, name=f"{tag} Reading App", service_description="Reading practice.",
        data_location="UK", data_leaves_uk="no",
    )  # fmt: skip
    recipient = ExternalRecipient.objects.create(
        authority=org, school=school, kind="controller", name=f"{tag} Exam Board",
        why="Entries for examinations.",
    )  # fmt: skip
    system = StorageSystem.objects.create(
        authority=org, school=school, name=f"{tag} Cashless Catering", kind="payments",
        description="Lunch payments.", supplier=supplier,
    )  # fmt: skip
    system.categories.set([category])
    flow = DataFlow.objects.create(
        authority=org, school=school, processor=supplier, purpose=f"{tag} reading records",
        frequency="daily",
    )  # fmt: skip
    flow.data_objects.set([category])
    flow.lawful_bases.set([bases["Art 6(1)(e)"]])
    purpose = Purpose.objects.create(
        authority=org, school=school, description=f"{tag}: to run after-school clubs"
    )
    purpose.lawful_bases.set([bases["Art 6(1)(e)"]])
    return {"systems": system.pk, "suppliers": supplier.pk, "recipients": recipient.pk,
            "flows": flow.pk, "categories": category.pk, "purposes": purpose.pk}  # fmt: skip


def organisation_records(org: Authority, bases: dict[str, LawfulBasis]) -> dict[str, int]:
    """The organisation's defaults (and a shared supplier): one of every kind."""
    category = DataObject.objects.create(
        authority=org, title="Pupil names", data_subject="pupil", fields_description="Names."
    )
    supplier = Processor.objects.create(
        name="Shared MIS Ltd", service_description="The MIS.", data_location="UK",
        data_leaves_uk="no",
    )  # fmt: skip
    body = ExternalRecipient.objects.create(
        authority=org, kind="public_body", name="County Music Service", why="Lessons."
    )
    system = StorageSystem.objects.create(
        authority=org, name="Organisation MIS", kind="mis", description="Our MIS.",
        supplier=supplier,
    )  # fmt: skip
    flow = DataFlow.objects.create(
        authority=org, processor=supplier, purpose="Run the MIS", frequency="daily"
    )
    flow.data_objects.set([category])
    flow.lawful_bases.set([bases["Art 6(1)(e)"]])
    purpose = Purpose.objects.create(authority=org, description="To teach pupils")
    purpose.lawful_bases.set([bases["Art 6(1)(e)"]])
    return {"systems": system.pk, "suppliers": supplier.pk, "recipients": body.pk,
            "flows": flow.pk, "categories": category.pk, "purposes": purpose.pk}  # fmt: skip


def build_world() -> World:
    bases = {
        code: basis(kind, code, title)
        for kind, code, title in [
            ("art6", "Art 6(1)(c)", "Legal obligation"), ("art6", "Art 6(1)(e)", "Public task"),
            ("art6", "Art 6(1)(f)", "Legitimate interests"),
            ("art9", "Art 9(2)(b)", "Employment and social protection"),
            ("dpa_sch1", "DPA 2018 Sch 1 Pt 1 para 1", "Employment"),
        ]
    }  # fmt: skip
    bases["england law"] = basis(
        "statute", "Register Test (England) Regulations 2099", "England only", Reach.ENGLAND
    )
    org = Authority.objects.create(
        name="Register Test Council", service_name="Schools ICT", address="County Hall",
        dpo_name="Council DPO", dpo_email="dpo@council.example.org", ico_registration="Z999",
        security_measures="Encrypted backups",
    )  # fmt: skip
    RetentionRule.objects.create(
        authority=org, name="A year", period_value=1, period_unit="years", description="A year."
    )
    schools = [make_school(org, AVON, "Avon Test Primary"),
               make_school(org, ARDEN, "Arden Test Primary"),
               make_school(org, BRYN, "Ysgol Bryn Test", "wales")]  # fmt: skip
    own = {s.urn: own_records(s, bases) for s in schools[:2]}
    no_access = Processor.objects.create(
        name="Filter Co", service_description="Web filter.", role="no_access"
    )
    national = ExternalRecipient.objects.create(
        kind="public_body", name="Register Test Department", why="Census.", reach=Reach.ENGLAND
    )
    for persona, school in [("dpo-avon", schools[0]), ("dpo-arden", schools[1]),
                            ("dpo-bryn", schools[2])]:  # fmt: skip
        UserFactory(username=persona).schools.add(school)
    UserFactory(username="r-auditor", is_staff=True)
    UserFactory(username="r-staff", is_staff=True, is_superuser=True)
    org_records = organisation_records(org, bases)
    return World(own=own, org=org_records, bases={k: b.pk for k, b in bases.items()},
                 shared_supplier=org_records["suppliers"], no_access_supplier=no_access.pk,
                 national_body=national.pk)  # fmt: skip


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> Iterator[World]:
    """Build the world once, in a transaction rolled back after the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        built = build_world()
        with django_db_blocker.block():
            yield built
        transaction.set_rollback(True)


def as_user(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


@pytest.fixture
def avon(world) -> Client:
    return as_user("dpo-avon")


@pytest.fixture
def auditor(world) -> Client:
    return as_user("r-auditor")


def school(urn: str) -> School:
    return School.objects.select_related("authority").get(urn=urn)


def url(name: str, urn: str, *args: object) -> str:
    return reverse(f"portal:{name}", args=[urn, *args])


def pk(world: World, code: str) -> int:
    return world.bases[code]


def system_form(world: World, **overrides: object) -> dict:
    data = {"name": "Safeguarding Log", "kind": "safeguarding", "description": "Concerns.",
            "audience": "pupils", "supplier": "",
            "categories": [world.org["categories"]]}  # fmt: skip
    return {**data, **overrides}


def flow_form(world: World, **overrides: object) -> dict:
    data = {"processor": world.shared_supplier, "body": "", "purpose": "Reading homework",
            "data_objects": [world.org["categories"]], "lawful_bases": [pk(world, "Art 6(1)(e)")],
            "frequency": "weekly", "transport": "", "retention_rule": ""}  # fmt: skip
    return {**data, **overrides}


def errors(response, field: str) -> list[str]:
    return list(response.context["form"].errors.get(field, []))


# -- reading the register ----------------------------------------------------------------------


def test_the_register_lists_the_schools_own_records_and_the_organisations_read_only(
    world, avon
) -> None:
    page = avon.get(url("register", AVON))

    assert page.status_code == 200
    html = page.content.decode()
    for name in ["Avon Cashless Catering", "Avon Reading App", "Avon Exam Board",
                 "Avon reading records", "Avon club register",
                 "Avon: to run after-school clubs"]:  # fmt: skip
        assert name in html
    assert "Arden Cashless Catering" not in html
    assert "Set by Register Test Council" in html
    assert "Organisation MIS" in html
    assert "To teach pupils" in html
    edit_own = url("register_edit", AVON, "systems", world.own[AVON]["systems"])
    edit_org = url("register_edit", AVON, "systems", world.org["systems"])
    assert f'href="{edit_own}"' in html
    assert f'href="{edit_org}"' not in html


def test_the_register_page_makes_a_fixed_number_of_queries(world, avon) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert avon.get(url("register", AVON)).status_code == 200
        return len(queries)

    before = count()
    own_records(school(AVON), {"Art 6(1)(e)": LawfulBasis.objects.get(code="Art 6(1)(e)")}, "More")
    for name in ["Extra 1", "Extra 2"]:
        StorageSystem.objects.create(authority=school(AVON).authority, name=name, kind="other",
                                     description="x", in_house=True)  # fmt: skip

    assert count() == before


# -- the story: add, preview, publish ----------------------------------------------------------


def test_a_dpo_adds_a_system_previews_it_publishes_and_the_public_notice_shows_it(
    world, avon, django_capture_on_commit_callbacks
) -> None:
    response = avon.post(url("register_add", AVON, "systems"), system_form(world))

    assert response.status_code == 302
    assert response["Location"] == url("register", AVON) + "#systems"
    added = StorageSystem.objects.get(school__urn=AVON, name="Safeguarding Log")
    assert added.in_house
    assert added.supplier is None
    assert list(added.categories.values_list("pk", flat=True)) == [world.org["categories"]]
    preview = avon.get(url("publish", AVON))
    assert preview.status_code == 200
    assert "Safeguarding Log" in preview.content.decode()
    assert "not published yet" in preview.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        published = avon.post(url("publish", AVON))

    assert published.status_code == 302
    assert school(AVON).is_published
    public = Client().get(f"/schools/{AVON}/privacy/pupils/")
    assert public.status_code == 200
    assert "Safeguarding Log" in public.content.decode()
    again = avon.get(url("publish", AVON)).content.decode()
    assert "would say the same as the public version" in again
    assert "Your changes are not public yet" not in again


def test_a_dpos_edit_queues_no_notice_refresh(
    world, avon, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    queued: list[set[int]] = []
    monkeypatch.setattr(
        "notices.dependencies._enqueue", lambda ids, batch=None: queued.append(ids) or []
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = avon.post(url("register_add", AVON, "systems"), system_form(world))
        # The same record saved outside the portal does queue one (the hold is the portal's).
        system = StorageSystem.objects.get(school__urn=AVON, name="Safeguarding Log")
        system.save()

    assert response.status_code == 302
    assert queued == [{school(AVON).pk}]


def test_the_school_page_says_whether_the_notices_are_public_and_changes_are_pending(
    world, avon, django_capture_on_commit_callbacks
) -> None:
    page = avon.get(url("school", AVON)).content.decode()
    assert "notices are not published yet" in page
    assert url("register", AVON) in page
    assert url("publish", AVON) in page
    with django_capture_on_commit_callbacks(execute=True):
        avon.post(url("publish", AVON))
    assert (
        "published and say what its register says" in avon.get(url("school", AVON)).content.decode()
    )

    avon.post(url("register_add", AVON, "systems"), system_form(world))

    assert "Your changes are not public yet" in avon.get(url("school", AVON)).content.decode()


# -- tenancy: another school's record, the organisation's ------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_another_schools_record_is_not_found_and_nothing_changes(world, avon, kind) -> None:
    theirs = world.own[ARDEN][kind]
    model = MODELS[kind]
    before = model.objects.filter(pk=theirs).values().first()

    pages = [avon.get(url("register_edit", AVON, kind, theirs)),
             avon.post(url("register_edit", AVON, kind, theirs), {"name": "Hacked"}),
             avon.post(url("register_delete", AVON, kind, theirs)),
             avon.get(url("register_edit", ARDEN, kind, theirs)),
             avon.post(url("register_delete", ARDEN, kind, theirs))]  # fmt: skip

    assert [p.status_code for p in pages] == [404] * 5
    assert model.objects.filter(pk=theirs).values().first() == before


@pytest.mark.parametrize("kind", KINDS)
def test_an_organisation_record_is_not_found_and_nothing_changes(world, avon, kind) -> None:
    ours = world.org[kind]
    model = MODELS[kind]
    before = model.objects.filter(pk=ours).values().first()

    edit = avon.post(url("register_edit", AVON, kind, ours), {"name": "Hacked"})
    delete = avon.post(url("register_delete", AVON, kind, ours))

    assert (edit.status_code, delete.status_code) == (404, 404)
    assert model.objects.filter(pk=ours).values().first() == before


def test_another_schools_register_is_not_found(world, avon) -> None:
    for page in ["register", "register_contacts", "publish"]:
        assert avon.get(url(page, ARDEN)).status_code == 404
    assert avon.post(url("register_add", ARDEN, "systems"), system_form(world)).status_code == 404
    assert avon.post(url("publish", ARDEN)).status_code == 404
    assert not StorageSystem.objects.filter(name="Safeguarding Log").exists()


def test_a_dpo_cannot_set_the_school_or_the_organisation_by_post(world, avon) -> None:
    arden = school(ARDEN)
    other = Authority.objects.create(name="Elsewhere", service_name="x", address="x")
    data = system_form(world, school=arden.pk, authority=other.pk, in_house="")

    response = avon.post(url("register_add", AVON, "systems"), data)

    assert response.status_code == 302
    added = StorageSystem.objects.get(name="Safeguarding Log")
    assert (added.school_id, added.authority_id) == (school(AVON).pk, school(AVON).authority_id)
    own = world.own[AVON]["systems"]
    avon.post(url("register_edit", AVON, "systems", own), system_form(world, school=arden.pk))
    assert StorageSystem.objects.get(pk=own).school_id == school(AVON).pk


def test_services_refuse_another_schools_record_and_readers(world) -> None:
    avon_school, dpo = school(AVON), User.objects.get(username="dpo-avon")
    theirs = StorageSystem.objects.get(pk=world.own[ARDEN]["systems"])
    with pytest.raises(register.NotTheSchoolsRecord):
        register.save_storage_system(school=avon_school, system=theirs, categories=[], user=dpo)
    ours = StorageSystem.objects.get(pk=world.own[AVON]["systems"])
    with pytest.raises(register.RegisterRefused):
        register.delete_storage_system(
            school=avon_school, system=ours, user=User.objects.get(username="r-auditor")
        )
    with pytest.raises(register.RegisterRefused):
        register.publish_register(school=avon_school, user=User.objects.get(username="dpo-arden"))
    assert StorageSystem.objects.get(pk=theirs.pk).school.urn == ARDEN


# -- every kind can be added and changed ------------------------------------------------------


def valid_forms(world: World) -> dict[str, dict]:
    return {
        "systems": system_form(world),
        "suppliers": {"name": "Maths Games", "service_description": "Maths practice.",
                      "role": "processor", "data_location": "UK", "data_leaves_uk": "no"},
        "recipients": {"kind": "schools", "role": "controller", "name": "Next Secondary",
                       "audience": "pupils", "why": "Pupils move on there."},
        "flows": flow_form(world),
        "categories": {"title": "Trip consent forms", "data_subject": "contact",
                       "fields_description": "Who may collect a pupil."},
        "purposes": {"audience": "pupils", "description": "To run trips",
                     "lawful_bases": [pk(world, "Art 6(1)(e)")]},
    }  # fmt: skip


@pytest.mark.parametrize("kind", KINDS)
def test_a_dpo_adds_and_changes_each_kind_of_record(world, avon, kind) -> None:
    model, data = MODELS[kind], valid_forms(world)[kind]
    own = model.objects.filter(school__urn=AVON)
    count = own.count()

    added = avon.post(url("register_add", AVON, kind), data)

    assert added.status_code == 302, added.context["form"].errors
    assert own.count() == count + 1
    record = own.order_by("-pk").first()
    if hasattr(record, "authority_id"):
        assert record.authority_id == school(AVON).authority_id
    form = avon.get(url("register_edit", AVON, kind, record.pk))
    assert form.status_code == 200
    assert b'type="submit"' in form.content


@pytest.mark.parametrize("kind", ["systems", "flows", "purposes"])
def test_a_dpo_deletes_a_record_no_one_else_uses(world, avon, kind) -> None:
    mine = world.own[AVON][kind]

    confirm = avon.get(url("register_delete", AVON, kind, mine))
    deleted = avon.post(url("register_delete", AVON, kind, mine))

    assert confirm.status_code == 200
    assert deleted.status_code == 302
    assert not MODELS[kind].objects.filter(pk=mine).exists()


def test_a_dpo_changes_the_contact_details(world, avon) -> None:
    data = {name: getattr(school(AVON), name) for name in register.CONTACT_FIELDS}
    data.update(dpo_name="New DPO", security_measures="  Locked cabinets \n\n CCTV on doors ")

    response = avon.post(url("register_contacts", AVON), data)

    assert response.status_code == 302
    changed = school(AVON)
    assert changed.dpo_name == "New DPO"
    assert changed.security_measures == "Locked cabinets\nCCTV on doors"
    assert changed.name == "Avon Test Primary"


def test_staff_keep_a_schools_register_too(world) -> None:
    staff = as_user("r-staff")
    assert staff.post(url("register_add", ARDEN, "systems"), system_form(world)).status_code == 302
    assert StorageSystem.objects.filter(school__urn=ARDEN, name="Safeguarding Log").exists()


# -- validation: on the field, 200, nothing saved ---------------------------------------------


def assert_refused(response, field: str, words: str, model, before: int) -> None:
    assert response.status_code == 200
    shown = " ".join(errors(response, field))
    assert words in shown, f"{field}: {response.context['form'].errors}"
    assert words in response.content.decode().replace("&#x27;", "'")
    assert model.objects.count() == before


def test_a_flow_with_two_recipients_is_refused(world, avon) -> None:
    before = DataFlow.objects.count()
    data = flow_form(world, body=world.org["recipients"])

    response = avon.post(url("register_add", AVON, "flows"), data)

    assert_refused(response, "body", "Choose exactly one recipient", DataFlow, before)


def test_a_flow_with_no_recipient_is_refused(world, avon) -> None:
    before = DataFlow.objects.count()

    response = avon.post(url("register_add", AVON, "flows"), flow_form(world, processor=""))

    assert_refused(response, "processor", "Choose exactly one recipient", DataFlow, before)


def test_a_flow_to_a_supplier_with_no_access_is_refused(world, avon) -> None:
    before = DataFlow.objects.count()
    data = flow_form(world, processor=world.no_access_supplier)

    response = avon.post(url("register_add", AVON, "flows"), data)

    assert_refused(response, "processor", "no access to personal data", DataFlow, before)


def test_a_flow_of_special_category_data_without_its_conditions_is_refused(world, avon) -> None:
    special = DataObject.objects.create(
        authority=school(AVON).authority, school=school(AVON), title="Medical needs",
        data_subject="pupil", fields_description="Allergies.", is_special_category=True,
        art9_condition_id=pk(world, "Art 9(2)(b)"),
    )  # fmt: skip
    before = DataFlow.objects.count()

    response = avon.post(
        url("register_add", AVON, "flows"), flow_form(world, data_objects=[special.pk])
    )

    assert_refused(response, "lawful_bases", "add Art 9(2)(b)", DataFlow, before)


def test_a_special_category_without_its_art9_condition_is_refused(world, avon) -> None:
    before = DataObject.objects.count()
    data = {"title": "Medical needs", "data_subject": "pupil", "fields_description": "Allergies.",
            "is_special_category": "on", "art9_condition": ""}  # fmt: skip

    response = avon.post(url("register_add", AVON, "categories"), data)

    assert_refused(response, "art9_condition", "Art 9 condition", DataObject, before)


def test_an_england_only_law_on_a_welsh_schools_flow_is_refused(world) -> None:
    bryn = as_user("dpo-bryn")
    before = DataFlow.objects.count()
    law = pk(world, "england law")
    data = flow_form(world, lawful_bases=[pk(world, "Art 6(1)(e)"), law])

    response = bryn.post(url("register_add", BRYN, "flows"), data)

    assert_refused(response, "lawful_bases", f"{law} is not one of the available", DataFlow,
                   before)  # fmt: skip
    bryn_school, dpo = school(BRYN), User.objects.get(username="dpo-bryn")
    flow = DataFlow(processor_id=world.shared_supplier, purpose="x", frequency="daily")
    with pytest.raises(ValidationError, match="Not available to this school") as refused:
        register.save_school_flow(
            school=bryn_school, flow=flow, user=dpo,
            lawful_bases=LawfulBasis.objects.filter(pk=law),
            data_objects=DataObject.objects.filter(pk=world.org["categories"]),
        )  # fmt: skip
    assert "lawful_bases" in refused.value.message_dict


def test_a_purpose_on_legitimate_interests_needs_the_interest(world, avon) -> None:
    before = Purpose.objects.count()
    data = {"audience": "pupils", "description": "Fundraising",
            "lawful_bases": [pk(world, "Art 6(1)(f)")], "legitimate_interest": " "}  # fmt: skip

    response = avon.post(url("register_add", AVON, "purposes"), data)

    assert_refused(response, "legitimate_interest", "say what interest", Purpose, before)
    data["legitimate_interest"] = "Raising money for school trips."
    assert avon.post(url("register_add", AVON, "purposes"), data).status_code == 302


def test_a_supplier_sending_data_abroad_needs_its_safeguards(world, avon) -> None:
    before = Processor.objects.count()
    data = {**valid_forms(world)["suppliers"], "data_leaves_uk": "yes", "transfer_safeguards": ""}

    response = avon.post(url("register_add", AVON, "suppliers"), data)

    assert_refused(response, "transfer_safeguards", "safeguards", Processor, before)


def test_a_supplier_with_flows_cannot_become_no_access(world, avon) -> None:
    mine = world.own[AVON]["suppliers"]
    data = {**valid_forms(world)["suppliers"], "name": "Avon Reading App", "role": "no_access"}

    response = avon.post(url("register_edit", AVON, "suppliers", mine), data)

    assert response.status_code == 200
    assert "cannot receive it" in " ".join(errors(response, "role"))
    assert Processor.objects.get(pk=mine).role == "processor"


# -- deleting what is still used --------------------------------------------------------------


@pytest.mark.parametrize(("kind", "used_by"), [("categories", "Avon reading records"),
                                               ("suppliers", "Avon Cashless Catering"),
                                               ("recipients", "Avon exam entries")])  # fmt: skip
def test_deleting_a_record_still_used_says_why_and_keeps_it(world, avon, kind, used_by) -> None:
    mine = world.own[AVON][kind]
    if kind == "recipients":
        flow = DataFlow.objects.create(
            authority=school(AVON).authority, school=school(AVON), body_id=mine,
            purpose="Avon exam entries", frequency="annually",
        )  # fmt: skip
        flow.data_objects.set([world.org["categories"]])
        flow.lawful_bases.set([pk(world, "Art 6(1)(e)")])

    response = avon.post(url("register_delete", AVON, kind, mine))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Not deleted." in page
    assert f"still used by the flow “{used_by}”" in page or f"the system “{used_by}”" in page
    assert MODELS[kind].objects.filter(pk=mine).exists()


# -- who may write ----------------------------------------------------------------------------


def test_an_auditor_reads_every_page_but_every_write_is_refused(world, auditor) -> None:
    mine = world.own[AVON]
    pages = [url("register", AVON), url("register_contacts", AVON), url("publish", AVON),
             *(url("register_add", AVON, k) for k in KINDS),
             *(url("register_edit", AVON, k, mine[k]) for k in KINDS),
             *(url("register_delete", AVON, k, mine[k]) for k in KINDS)]  # fmt: skip
    counts = {kind: model.objects.count() for kind, model in MODELS.items()}
    dpo_name = school(AVON).dpo_name

    for page in pages:
        seen = auditor.get(page)
        assert seen.status_code == 200, page
        assert seen.content.count(b'type="submit"') == 1, page  # signing out only
        assert auditor.post(page, valid_forms(world)["systems"]).status_code in (403, 405), page

    assert {kind: model.objects.count() for kind, model in MODELS.items()} == counts
    assert school(AVON).dpo_name == dpo_name
    assert not school(AVON).is_published


def test_anonymous_visitors_are_sent_to_sign_in(world) -> None:
    anonymous = Client()
    pages = [url("register", AVON), url("register_contacts", AVON), url("publish", AVON),
             url("register_add", AVON, "systems"),
             url("register_edit", AVON, "systems", world.own[AVON]["systems"])]  # fmt: skip
    for page in pages:
        for response in [anonymous.get(page), anonymous.post(page, system_form(world))]:
            if response.status_code == 405:  # the register page itself takes no POST
                continue
            assert response.status_code == 302, page
            assert response["Location"].startswith("/portal/login/?next=")
    assert not StorageSystem.objects.filter(name="Safeguarding Log").exists()
    assert not NoticeVersion.objects.filter(school__urn=AVON).exists()


def test_a_post_without_the_csrf_token_is_refused(world) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(User.objects.get(username="dpo-avon"))

    response = browser.post(url("register_add", AVON, "systems"), system_form(world))

    assert response.status_code == 403
    assert not StorageSystem.objects.filter(name="Safeguarding Log").exists()


def test_a_failed_render_while_publishing_is_a_message_not_a_server_error(
    world, avon, monkeypatch, jobs_run_at_once
) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the PDF engine is missing")

    monkeypatch.setattr("notices.services.fitted_pdf", fail)

    response = avon.post(url("publish", AVON), follow=True)

    assert response.status_code == 200
    assert "failed to render, so it was not issued" in response.content.decode()
    failed = Job.objects.filter(school__urn=AVON, status=Job.Status.FAILED)
    assert failed.count() == 2
    assert all("RuntimeError: the PDF engine is missing" in job.error for job in failed)


def test_publishing_while_the_workers_are_busy_says_the_notices_are_on_their_way(
    world, avon, django_capture_on_commit_callbacks
) -> None:
    with (
        mock.patch("governance.outbox.services.send_jobs"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = avon.post(url("publish", AVON), follow=True)

    assert "your notices are being issued" in response.content.decode()
    assert Job.objects.filter(school__urn=AVON, status=Job.Status.PENDING).count() == 2
    assert not Job.objects.filter(school__urn=AVON, tell_dpo=True).exists()


def test_the_audit_trail_names_the_dpo_who_changed_a_record(world, avon) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the audit trail is recorded by PostgreSQL triggers")
    from pghistory.models import MiddlewareEvents

    path = url("register_add", AVON, "systems")
    avon.post(path, system_form(world))

    added = StorageSystem.objects.get(name="Safeguarding Log")
    event = MiddlewareEvents.objects.get(pgh_obj_model="governance.StorageSystem",
                                         pgh_obj_id=str(added.pk))  # fmt: skip
    assert event.user == User.objects.get(username="dpo-avon")
    assert event.url == path
