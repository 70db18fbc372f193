"""The admin is the staff's working tool: every page answers, bad input is refused on the field."""

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from governance.models import (
    DataFlow,
    DataObject,
    LawfulBasis,
    Offering,
    RetentionRule,
    School,
)
from notices.models import NoticeVersion
from processors.models import Processor
from tests.factories import DataFlowFactory, SchoolFactory

pytestmark = pytest.mark.django_db

MODELS = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


def admin_url(model, action: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}", args=args)


@pytest.mark.parametrize(("model", "model_admin"), MODELS, ids=lambda m: getattr(m, "__name__", ""))
def test_every_admin_page_answers_staff_and_redirects_anonymous(
    demo,
    staff_client: Client,
    client: Client,
    model,
    model_admin,
) -> None:
    obj = model.objects.order_by("pk").first()
    urls = [admin_url(model, "changelist")]
    if obj is not None:
        urls.append(admin_url(model, "change", obj.pk))
    if model is not NoticeVersion:  # issued versions are never added by hand
        urls.append(admin_url(model, "add"))
    if model_admin.search_fields:
        urls.append(admin_url(model, "changelist") + "?q=a")

    for url in urls:
        assert staff_client.get(url).status_code == 200, url
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login"))


def form_errors(response, field: str) -> list[str]:
    form = response.context["adminform"].form
    return form.errors.get(field, [])


def school_post(**overrides: str) -> dict[str, str]:
    data = {
        "authority": "", "name": "New School", "urn": "999101", "dfe_number": "937/1234",
        "phase": "primary", "school_type": "maintained", "nation": "england", "mis": "sims",
        "address": "Lane", "postcode": "CV1 1AA",
        "subscriptions-TOTAL_FORMS": "0", "subscriptions-INITIAL_FORMS": "0",
        "notice_versions-TOTAL_FORMS": "0", "notice_versions-INITIAL_FORMS": "0",
    }  # fmt: skip
    data.update(overrides)
    return data


def test_duplicate_urn_is_refused_on_the_field(demo, staff_client: Client) -> None:
    authority = School.objects.first().authority_id
    response = staff_client.post(admin_url(School, "add"), school_post(authority=str(authority)))

    assert response.status_code == 200
    assert "URN already exists" in " ".join(form_errors(response, "urn"))
    assert School.objects.filter(name="New School").count() == 0


def test_retention_rule_without_period_or_event_is_refused(staff_client: Client) -> None:
    data = {"name": "Vague", "description": "d", "end_action": "delete"}
    response = staff_client.post(admin_url(RetentionRule, "add"), data)

    assert response.status_code == 200
    assert form_errors(response, "event")
    assert not RetentionRule.objects.filter(name="Vague").exists()


def test_special_object_without_art9_condition_is_refused(staff_client: Client) -> None:
    data = {"sif_name": "LearnerMedical", "title": "Medical", "data_subject": "pupil",
            "fields_description": "f", "is_special_category": "on"}  # fmt: skip
    response = staff_client.post(admin_url(DataObject, "add"), data)

    assert "Art 9 condition" in " ".join(form_errors(response, "art9_condition"))
    assert not DataObject.objects.filter(sif_name="LearnerMedical").exists()


def flow_post(demo_objects: list[str], bases: list[str]) -> dict:
    return {
        "authority": str(School.objects.first().authority_id),
        "processor": str(Processor.objects.get(name="Redstor").pk),
        "purpose": "A new purpose", "frequency": "daily",
        "transport": "SIF via Groupcall Xporter, overnight",
        "retention_rule": str(RetentionRule.objects.first().pk), "is_active": "on",
        "data_objects": [str(DataObject.objects.get(sif_name=n).pk) for n in demo_objects],
        "lawful_bases": [str(LawfulBasis.objects.get(code=c).pk) for c in bases],
    }  # fmt: skip


def test_flow_without_art6_basis_is_refused(demo, staff_client: Client) -> None:
    data = flow_post(["LearnerEmail"], ["Art 9(2)(b)"])
    response = staff_client.post(admin_url(DataFlow, "add"), data)

    assert "Article 6" in " ".join(form_errors(response, "lawful_bases"))
    assert not DataFlow.objects.filter(purpose="A new purpose").exists()


def test_flow_with_special_data_must_cite_its_condition(demo, staff_client: Client) -> None:
    data = flow_post(["LearnerSpecialNeeds"], ["Art 6(1)(e)"])
    response = staff_client.post(admin_url(DataFlow, "add"), data)

    assert "LearnerSpecialNeeds" in " ".join(form_errors(response, "lawful_bases"))
    assert not DataFlow.objects.filter(purpose="A new purpose").exists()


def test_valid_flow_is_saved_with_its_links(demo, staff_client: Client) -> None:
    data = flow_post(
        ["LearnerSpecialNeeds"], ["Art 6(1)(e)", "Art 9(2)(b)", "DPA 2018 Sch 1 Pt 1 para 1"]
    )
    response = staff_client.post(admin_url(DataFlow, "add"), data)

    assert response.status_code == 302
    flow = DataFlow.objects.get(purpose="A new purpose")
    assert [o.sif_name for o in flow.data_objects.all()] == ["LearnerSpecialNeeds"]
    assert flow.lawful_bases.count() == 3


def test_inline_flow_takes_the_offering_authority(demo, staff_client: Client) -> None:
    offering = Offering.objects.get(name="Broadband")
    existing = list(offering.flows.order_by("pk"))
    data = {
        "authority": str(offering.authority_id), "name": offering.name,
        "description": offering.description, "is_active": "on",
        "flows-TOTAL_FORMS": str(len(existing) + 1), "flows-INITIAL_FORMS": str(len(existing)),
    }  # fmt: skip
    new = flow_post(["LearnerEmail"], ["Art 6(1)(e)"])
    rows = [(i, f) for i, f in enumerate(existing)]
    for i, flow in rows:
        data.update({
            f"flows-{i}-id": str(flow.pk), f"flows-{i}-offering": str(offering.pk),
            f"flows-{i}-processor": str(flow.processor_id or ""),
            f"flows-{i}-partner_service": str(flow.partner_service_id or ""),
            f"flows-{i}-purpose": flow.purpose, f"flows-{i}-frequency": flow.frequency,
            f"flows-{i}-transport": flow.transport,
            f"flows-{i}-retention_rule": str(flow.retention_rule_id), f"flows-{i}-is_active": "on",
            f"flows-{i}-data_objects": [str(o.pk) for o in flow.data_objects.all()],
            f"flows-{i}-lawful_bases": [str(b.pk) for b in flow.lawful_bases.all()],
        })  # fmt: skip
    n = len(existing)
    data.update({f"flows-{n}-{key}": value for key, value in new.items() if key != "authority"})
    data[f"flows-{n}-offering"] = str(offering.pk)

    response = staff_client.post(admin_url(Offering, "change", offering.pk), data)

    assert response.status_code == 302, response.context["inline_admin_formsets"][0].formset.errors
    created = DataFlow.objects.get(purpose="A new purpose")
    assert (created.offering, created.authority_id) == (offering, offering.authority_id)


def test_outflows_page_lists_exactly_the_schools_recipients(demo, staff_client: Client) -> None:
    school = School.objects.get(name="Arden Heath Academy")
    page = staff_client.get(reverse("admin:governance_school_outflows", args=[school.pk]))

    text = page.content.decode()
    for recipient in [
        "Microsoft",
        "Capita SIMS",
        "CDEC",
        "Children Missing Education",
        "Groupcall",
    ]:
        assert recipient in text
    for absent in ["Redstor", "Future Digital"]:
        assert absent not in text


def test_outflows_page_for_a_school_without_subscriptions(demo, staff_client: Client) -> None:
    school = School.objects.get(name="Stour Valley CofE Primary School")
    text = staff_client.get(reverse("admin:governance_school_outflows", args=[school.pk])).content

    assert b"only the authority-wide flows" in text
    assert b"Microsoft" not in text
    assert b"DPO name" in text  # the missing contact is flagged to staff


def test_outflows_page_guards(demo, staff_client: Client, client: Client) -> None:
    url = reverse("admin:governance_school_outflows", args=[School.objects.first().pk])

    assert client.get(url).status_code == 302
    missing = reverse("admin:governance_school_outflows", args=[999999])
    assert staff_client.get(missing).status_code == 404


def test_school_list_flags_missing_contacts_and_filters_subscriptions(demo, staff_client) -> None:
    page = staff_client.get(admin_url(School, "changelist")).content.decode()
    assert "Missing: DPO name, DPO email" in page

    none = staff_client.get(admin_url(School, "changelist") + "?offering=none")
    assert [s.name for s in none.context["cl"].result_list] == ["Stour Valley CofE Primary School"]


@pytest.mark.parametrize("model", [School, DataFlow, Processor, LawfulBasis, DataObject])
def test_changelists_make_a_fixed_number_of_queries(
    demo,
    staff_client: Client,
    django_assert_max_num_queries,
    model,
) -> None:
    url = admin_url(model, "changelist")
    staff_client.get(url)
    with django_assert_max_num_queries(25) as few:
        staff_client.get(url)
    for _ in range(10):
        SchoolFactory(authority=School.objects.first().authority)
        DataFlowFactory(authority=School.objects.first().authority)
    with django_assert_max_num_queries(len(few.captured_queries)):
        staff_client.get(url)


def test_flow_actions_deactivate_and_activate(demo, staff_client: Client) -> None:
    ids = [str(pk) for pk in DataFlow.objects.values_list("pk", flat=True)[:3]]
    url = admin_url(DataFlow, "changelist")

    staff_client.post(url, {"action": "deactivate", "_selected_action": ids})
    assert DataFlow.objects.filter(is_active=False).count() == 3
    staff_client.post(url, {"action": "activate", "_selected_action": ids})
    assert DataFlow.objects.filter(is_active=False).count() == 0


def test_lawful_basis_in_use_cannot_be_deleted(demo, staff_client: Client) -> None:
    used = LawfulBasis.objects.get(code="Art 6(1)(e)")
    unused = LawfulBasis.objects.get(code="Art 9(2)(j)")

    assert staff_client.get(admin_url(LawfulBasis, "delete", used.pk)).status_code == 403
    assert (
        staff_client.post(admin_url(LawfulBasis, "delete", unused.pk), {"post": "yes"}).status_code
        == 302
    )
    assert not LawfulBasis.objects.filter(pk=unused.pk).exists()
