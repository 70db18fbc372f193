"""The admin is the staff's working tool: every page answers, bad input is refused on the field,
and the school pages say what leaves each school.

The demo world is loaded once for the module (`demo_for_module`); each test's writes roll back.
"""

import datetime
import re
from collections.abc import Callable
from io import StringIO

import pghistory
import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection, models
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pghistory.models import MiddlewareEvents

from agreements.ledger import append_event
from agreements.models import AgreementVersion, Signature, SignOffEvent
from governance.models import (
    AccessEvent,
    Authority,
    DataFlow,
    DataObject,
    LawfulBasis,
    Offering,
    PartnerService,
    RetentionRule,
    School,
    Subscription,
    User,
)
from notices.models import NoticeVersion
from processors.models import Processor
from tests.factories import (
    AuthorityFactory,
    CertificationFactory,
    DataFlowFactory,
    DataObjectFactory,
    DesignatedOfficerFactory,
    LawfulBasisFactory,
    OfferingFactory,
    PartnerServiceFactory,
    ProcessorFactory,
    SchoolFactory,
    SubscriptionFactory,
    UserFactory,
    publish_demo_agreement,
    sign,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_for_module")]

REGISTERED = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


def admin_url(model: type[models.Model], action: str, *args: object) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}", args=args)


def outflows_url(school: School) -> str:
    return reverse("admin:governance_school_outflows", args=[school.pk])


# Rows for the models the demo world has none of, so every change page is visited.
MAKERS: dict[type[models.Model], Callable[[], models.Model]] = {
    Group: lambda: Group.objects.create(name="Auditors"),
    User: lambda: UserFactory(username="auditor"),
    Signature: lambda: make_signature(),
    MiddlewareEvents: lambda: make_audit_event(),
    AccessEvent: lambda: AccessEvent.objects.create(kind="sign_in_failed", username="someone"),
    AccessAttempt: lambda: AccessAttempt.objects.create(
        username="someone",
        ip_address="192.0.2.1",
        user_agent="",
        path_info="/",
        failures_since_start=1,
        get_data="",
        post_data="",
    ),
    AccessLog: lambda: AccessLog.objects.create(
        username="someone", ip_address="192.0.2.1", user_agent="", path_info="/"
    ),
    AccessFailureLog: lambda: AccessFailureLog.objects.create(
        username="someone", ip_address="192.0.2.1", user_agent="", path_info="/"
    ),
    SignOffEvent: lambda: append_event(kind="published", payload={"agreement_id": 0}),
    NoticeVersion: lambda: NoticeVersion.objects.create(
        school=School.objects.first(),
        audience=NoticeVersion._meta.get_field("audience").choices[0][0],
        number=1,
        content={},
        content_hash="0" * 64,
    ),
}


def make_audit_event() -> MiddlewareEvents:
    """An audited change made through a request (on PostgreSQL, where the trail exists)."""
    redstor = Processor.objects.get(name="Redstor")
    with pghistory.context(user=UserFactory(username="editor").pk, url="/admin/"):
        Processor.objects.filter(pk=redstor.pk).update(data_location="UK (audited)")
    return MiddlewareEvents.objects.order_by("-pgh_created_at").first()


def make_signature() -> Signature:
    version = publish_demo_agreement()
    return sign(version, version.requests.first().school).signature


# Issued notice versions are made by rendering, agreement versions are started from their
# agreement, signatures by signing and log entries by events: their add page is refused.
# The access log, django-axes' records and the audit trail are written by events, never by hand.
NEVER_ADDED_BY_HAND = {
    NoticeVersion,
    AgreementVersion,
    Signature,
    SignOffEvent,
    AccessEvent,
    AccessAttempt,
    AccessLog,
    AccessFailureLog,
    MiddlewareEvents,
}


def one_row_of(model: type[models.Model]) -> models.Model:
    row = model._default_manager.order_by("pk").first()
    if row is None:
        assert model in MAKERS, f"The demo has no {model.__name__}: add a maker to MAKERS"
        row = MAKERS[model]()
    return row


@pytest.mark.parametrize(
    ("model", "model_admin"), REGISTERED, ids=lambda m: getattr(m, "__name__", "")
)
def test_every_admin_page_answers_staff(staff_client: Client, model, model_admin) -> None:
    row = one_row_of(model)
    add_status = 403 if model in NEVER_ADDED_BY_HAND else 200

    assert staff_client.get(admin_url(model, "changelist")).status_code == 200
    assert staff_client.get(admin_url(model, "change", row.pk)).status_code == 200
    assert staff_client.get(admin_url(model, "add")).status_code == add_status
    if model_admin.search_fields:
        searched = staff_client.get(admin_url(model, "changelist"), {"q": "a"})
        assert searched.status_code == 200


@pytest.mark.parametrize(
    ("model", "model_admin"), REGISTERED, ids=lambda m: getattr(m, "__name__", "")
)
def test_every_admin_page_sends_anonymous_to_the_login(client: Client, model, model_admin) -> None:
    row = one_row_of(model)
    urls = [admin_url(model, "changelist"), admin_url(model, "change", row.pk),
            admin_url(model, "add"), admin_url(model, "changelist") + "?q=a"]  # fmt: skip

    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login") + "?next="), url


def autocomplete_fields() -> list:
    """Every (model, field) an admin form or inline looks up by typing, with its target admin."""
    found = {}
    for model, model_admin in admin.site._registry.items():
        sources = [(model, model_admin)] + [(i.model, i) for i in model_admin.inlines]
        for source, options in sources:
            for name in options.autocomplete_fields:
                found[(source._meta.label, name)] = (source, name)
    return [
        pytest.param(
            *pair,
            id=".".join(key),
        )
        for key, pair in sorted(found.items())
    ]


@pytest.mark.parametrize(("source", "field"), autocomplete_fields())
def test_every_autocomplete_answers_in_name_order(staff_client: Client, source, field) -> None:
    params = {"app_label": source._meta.app_label, "model_name": source._meta.model_name,
              "field_name": field, "term": ""}  # fmt: skip

    response = staff_client.get(reverse("admin:autocomplete"), params)

    assert response.status_code == 200
    target = source._meta.get_field(field).related_model
    in_order = [str(row) for row in target._default_manager.all()[:20]]  # Meta.ordering
    assert [item["text"] for item in response.json()["results"]] == in_order


def test_admin_configuration_passes_the_system_checks() -> None:
    call_command("check", "--fail-level", "WARNING", stdout=StringIO())


# Posting forms as a browser would: every field of the page, then the changes under test.


def browser_values(form: forms.BaseForm) -> dict[str, str | list[str]]:
    """What a browser sends for ``form`` as rendered: unticked boxes are left out."""
    data: dict[str, str | list[str]] = {}
    for name, field in form.fields.items():
        value, key = form[name].value(), form[name].html_name
        if isinstance(field.widget, forms.CheckboxInput):
            if value:
                data[key] = "on"
        elif isinstance(value, list | tuple):
            data[key] = [str(item) for item in value]
        else:
            data[key] = "" if value is None else str(value)
    return data


def page_data(response) -> dict[str, str | list[str]]:
    """What a browser sends back from an admin add or change page left as it is."""
    data = browser_values(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(browser_values(formset.management_form))
        for form in formset.forms:
            data.update(browser_values(form))
    return data


def add_inline_row(response, data: dict, prefix: str, **values: object) -> None:
    """Fill in one more row of the inline ``prefix``, as "Add another" does."""
    formset = next(
        inline.formset
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.prefix == prefix
    )
    row = int(data[f"{prefix}-TOTAL_FORMS"])
    blank = browser_values(formset.empty_form)
    data.update({key.replace("__prefix__", str(row)): value for key, value in blank.items()})
    data.update({f"{prefix}-{row}-{name}": value for name, value in values.items()})
    data[f"{prefix}-TOTAL_FORMS"] = str(row + 1)


def field_errors(response, field: str) -> str:
    assert response.status_code == 200, "the form was accepted"
    return " ".join(response.context["adminform"].form.errors.get(field, []))


def pks(model: type[models.Model], **lookup: object) -> list[str]:
    return [str(pk) for pk in model.objects.filter(**lookup).values_list("pk", flat=True)]


def test_a_valid_school_is_added_with_its_subscription(staff_client: Client) -> None:
    page = staff_client.get(admin_url(School, "add"))
    data = page_data(page)
    data.update({
        "authority": str(Authority.objects.get().pk), "name": "Kineton Green Primary",
        "urn": "999105", "dfe_number": "937/9105", "phase": "primary",
        "school_type": "maintained", "address": "Green Lane", "postcode": "CV35 0ZZ",
    })  # fmt: skip
    welearn = Offering.objects.get(name="WeLearn365")
    add_inline_row(page, data, "subscriptions", offering=welearn.pk, start_date="2025-09-01")

    response = staff_client.post(admin_url(School, "add"), data)

    assert response.status_code == 302
    school = School.objects.get(urn="999105")
    assert [s.offering for s in school.subscriptions.all()] == [welearn]


def test_duplicate_urn_is_refused_on_the_field(staff_client: Client) -> None:
    data = page_data(staff_client.get(admin_url(School, "add")))
    data.update({
        "authority": str(Authority.objects.get().pk), "name": "Twin School", "urn": "999101",
        "dfe_number": "937/9199", "phase": "primary", "school_type": "maintained",
        "address": "Lane", "postcode": "CV1 1AA",
    })  # fmt: skip
    before = School.objects.count()

    response = staff_client.post(admin_url(School, "add"), data)

    assert "URN already exists" in field_errors(response, "urn")
    assert School.objects.count() == before


def test_academy_without_trust_is_refused_on_the_field(staff_client: Client) -> None:
    data = page_data(staff_client.get(admin_url(School, "add")))
    data.update({
        "authority": str(Authority.objects.get().pk), "name": "Lone Academy", "urn": "999106",
        "dfe_number": "937/9106", "phase": "secondary", "school_type": "academy",
        "address": "Lane", "postcode": "CV1 1AA",
    })  # fmt: skip

    response = staff_client.post(admin_url(School, "add"), data)

    assert "trust" in field_errors(response, "trust_name")
    assert not School.objects.filter(urn="999106").exists()


def test_retention_rule_without_period_or_event_is_refused(staff_client: Client) -> None:
    data = page_data(staff_client.get(admin_url(RetentionRule, "add")))
    data.update({"name": "Vague", "description": "Kept for a while."})

    response = staff_client.post(admin_url(RetentionRule, "add"), data)

    assert "retention period" in field_errors(response, "event")
    assert not RetentionRule.objects.filter(name="Vague").exists()


def test_special_object_without_art9_condition_is_refused(staff_client: Client) -> None:
    data = page_data(staff_client.get(admin_url(DataObject, "add")))
    data.update({"sif_name": "LearnerMedical", "title": "Medical", "data_subject": "pupil",
                 "fields_description": "Conditions", "is_special_category": "on"})  # fmt: skip

    response = staff_client.post(admin_url(DataObject, "add"), data)

    assert "Art 9 condition" in field_errors(response, "art9_condition")
    assert not DataObject.objects.filter(sif_name="LearnerMedical").exists()


def test_making_carried_data_special_names_the_flows_that_must_cite_it(
    staff_client: Client,
) -> None:
    email = DataObject.objects.get(sif_name="LearnerEmail")
    url = admin_url(DataObject, "change", email.pk)
    data = page_data(staff_client.get(url))
    condition = LawfulBasis.objects.get(code="Art 9(2)(g)")
    data.update({"is_special_category": "on", "art9_condition": str(condition.pk)})

    response = staff_client.post(url, data)

    carrying = email.flows.count()
    assert f"{carrying} flow(s) carrying LearnerEmail" in field_errors(response, "art9_condition")
    assert not DataObject.objects.get(pk=email.pk).is_special_category


def flow_data(staff_client: Client, objects: list[str], bases: list[str]) -> dict:
    """The DataFlow add form filled in for a new backup flow to Redstor."""
    data = page_data(staff_client.get(admin_url(DataFlow, "add")))
    data.update({
        "processor": str(Processor.objects.get(name="Redstor").pk),
        "purpose": "Back up the school's archive", "frequency": "weekly",
        "retention_rule": str(RetentionRule.objects.get(name="Rolling backup, 60 days").pk),
        "data_objects": pks(DataObject, sif_name__in=objects),
        "lawful_bases": pks(LawfulBasis, code__in=bases),
    })  # fmt: skip
    return data


def test_flow_without_art6_basis_is_refused(staff_client: Client) -> None:
    data = flow_data(staff_client, ["LearnerEmail"], ["Art 9(2)(b)"])
    before = DataFlow.objects.count()

    response = staff_client.post(admin_url(DataFlow, "add"), data)

    assert "Article 6" in field_errors(response, "lawful_bases")
    assert b"Every flow needs at least one UK GDPR Article 6 lawful basis." in response.content
    assert DataFlow.objects.count() == before


def test_flow_with_special_data_must_cite_its_condition(staff_client: Client) -> None:
    data = flow_data(staff_client, ["LearnerSpecialNeeds"], ["Art 6(1)(e)"])
    before = DataFlow.objects.count()

    response = staff_client.post(admin_url(DataFlow, "add"), data)

    errors = field_errors(response, "lawful_bases")
    assert "LearnerSpecialNeeds" in errors
    assert "Art 9(2)(b)" in errors
    assert DataFlow.objects.count() == before


def test_flow_to_two_recipients_is_refused(staff_client: Client) -> None:
    data = flow_data(staff_client, ["LearnerEmail"], ["Art 6(1)(e)"])
    data["partner_service"] = str(PartnerService.objects.get(name="Admissions Service").pk)

    response = staff_client.post(admin_url(DataFlow, "add"), data)

    assert "exactly one recipient" in field_errors(response, "partner_service")
    assert not DataFlow.objects.filter(purpose="Back up the school's archive").exists()


def test_valid_flow_is_saved_with_its_links(staff_client: Client) -> None:
    bases = ["Art 6(1)(e)", "Art 9(2)(b)", "DPA 2018 Sch 1 Pt 1 para 1"]
    data = flow_data(staff_client, ["LearnerSpecialNeeds", "LearnerEmail"], bases)
    before = DataFlow.objects.count()

    response = staff_client.post(admin_url(DataFlow, "add"), data)

    assert response.status_code == 302
    assert DataFlow.objects.count() == before + 1
    flow = DataFlow.objects.get(purpose="Back up the school's archive")
    assert {o.sif_name for o in flow.data_objects.all()} == {"LearnerSpecialNeeds", "LearnerEmail"}
    assert {b.code for b in flow.lawful_bases.all()} == set(bases)
    assert (flow.processor.name, flow.authority, flow.offering) == (
        "Redstor",
        Authority.objects.get(),
        None,
    )


def inline_flow(**values: object) -> dict[str, object]:
    return {
        "processor": Processor.objects.get(name="Redstor").pk, "purpose": "Inline purpose",
        "data_objects": pks(DataObject, sif_name="LearnerEmail"),
        "lawful_bases": pks(LawfulBasis, code="Art 6(1)(e)"), "frequency": "daily",
        "retention_rule": RetentionRule.objects.get(name="Rolling backup, 60 days").pk,
        "is_active": "on", **values,
    }  # fmt: skip


def test_flow_added_inline_takes_the_offerings_authority(staff_client: Client) -> None:
    offering = OfferingFactory(authority=AuthorityFactory(name="Another Council"))
    url = admin_url(Offering, "change", offering.pk)
    page = staff_client.get(url)
    data = page_data(page)
    add_inline_row(page, data, "flows", **inline_flow())

    response = staff_client.post(url, data)

    assert response.status_code == 302
    flow = DataFlow.objects.get(purpose="Inline purpose")
    assert (flow.offering, flow.authority.name) == (offering, "Another Council")
    assert [o.sif_name for o in flow.data_objects.all()] == ["LearnerEmail"]


def test_flow_added_inline_beside_existing_flows_keeps_them(staff_client: Client) -> None:
    offering = Offering.objects.get(name="WeLearn365")
    existing = set(offering.flows.values_list("pk", "purpose"))
    url = admin_url(Offering, "change", offering.pk)
    page = staff_client.get(url)
    data = page_data(page)
    add_inline_row(page, data, "flows", **inline_flow())

    response = staff_client.post(url, data)

    assert response.status_code == 302
    assert existing < set(offering.flows.values_list("pk", "purpose"))
    assert DataFlow.objects.get(purpose="Inline purpose").authority == offering.authority


def test_flow_added_inline_is_held_to_the_bases_rule(staff_client: Client) -> None:
    offering = Offering.objects.get(name="Broadband")
    url = admin_url(Offering, "change", offering.pk)
    page = staff_client.get(url)
    data = page_data(page)
    add_inline_row(page, data, "flows", **inline_flow(data_objects=pks(
        DataObject, sif_name="LearnerSpecialNeeds"
    )))  # fmt: skip

    response = staff_client.post(url, data)

    assert response.status_code == 200
    assert b"LearnerSpecialNeeds is special category data" in response.content
    assert not DataFlow.objects.filter(purpose="Inline purpose").exists()


def test_flow_added_inline_cannot_go_to_another_authoritys_service(staff_client: Client) -> None:
    offering = OfferingFactory(authority=AuthorityFactory(name="Another Council"))
    cme = PartnerService.objects.get(name="Children Missing Education")
    url = admin_url(Offering, "change", offering.pk)
    page = staff_client.get(url)
    data = page_data(page)
    add_inline_row(page, data, "flows", **inline_flow(processor="", partner_service=cme.pk))

    staff_client.post(url, data)

    assert not DataFlow.objects.filter(purpose="Inline purpose").exists()


# What leaves a school


def recipients(response) -> dict[str, set[str]]:
    return {
        heading: {str(f.recipient) for f in flows}
        for heading, flows in response.context["sections"]
    }


def table_row(html: str, text: str) -> str:
    """Return the one table row of ``html`` that contains ``text``."""
    rows = [row for row in re.findall(r"<tr>.*?</tr>", html, re.S) if text in row]
    assert len(rows) == 1, f"{len(rows)} rows contain {text!r}"
    return rows[0]


AUTHORITY_SERVICES = {
    "ICT Development Service", "Specialist Teaching Service",
    "Attendance, Compliance and Enforcement", "Children Missing Education", "Priority Families",
    "Admissions Service", "HR & Payroll", "Warwickshire Youth Justice Service", "Corporate ICT",
}  # fmt: skip


def test_outflows_lists_the_recipients_of_an_academys_subscriptions(staff_client) -> None:
    school = School.objects.get(name="Arden Heath Academy")

    response = staff_client.get(outflows_url(school))

    assert response.status_code == 200
    assert recipients(response) == {
        "Authority services": AUTHORITY_SERVICES,
        "Third-party suppliers": {
            "Groupcall", "Microsoft", "2Simple", "Just2Easy", "Smoothwall", "Capita SIMS",
            "CDEC", "Stone", "J&B Electrical", "Khipu Wireless",
        },
    }  # fmt: skip
    html = response.content.decode()
    assert "WeLearn365 subscribers" in table_row(html, ">Microsoft</a>")
    assert "SIMS Support subscribers" in table_row(html, ">Capita SIMS</a>")
    assert "Procurement and Installation subscribers" in table_row(html, ">CDEC</a>")
    assert "All schools" in table_row(html, ">Children Missing Education</a>")
    assert "Forest of Arden Learning Trust" in html  # the academy's controller
    assert "21 flows</strong> take data out" in html


def test_outflows_leaves_out_offerings_the_school_does_not_take(staff_client) -> None:
    school = School.objects.get(name="Arden Heath Academy")

    html = staff_client.get(outflows_url(school)).content.decode()

    assert "Redstor" not in html
    assert "Future Digital" not in html


def test_outflows_marks_special_category_data(staff_client) -> None:
    school = School.objects.get(name="Arden Heath Academy")

    html = staff_client.get(outflows_url(school)).content.decode()

    row = table_row(html, ">Specialist Teaching Service</a>")
    assert "LearnerSpecialNeeds (special category)" in row
    assert "Art 9(2)(b)" in row


def test_outflows_of_a_school_without_subscriptions(staff_client) -> None:
    school = School.objects.get(name="Stour Valley CofE Primary School")

    response = staff_client.get(outflows_url(school))

    html = response.content.decode()
    assert "None: only the authority-wide flows below take data out of this school." in html
    assert recipients(response) == {
        "Authority services": AUTHORITY_SERVICES,
        "Third-party suppliers": {"Groupcall"},
    }
    assert "Microsoft" not in html
    assert "Documents for this school will need: DPO name, DPO email." in html


def test_outflows_sends_anonymous_to_the_login(client: Client) -> None:
    response = client.get(outflows_url(School.objects.first()))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_outflows_of_an_unknown_school_is_404(staff_client: Client) -> None:
    missing = School.objects.order_by("-pk").first().pk + 1000

    response = staff_client.get(reverse("admin:governance_school_outflows", args=[missing]))

    assert response.status_code == 404


def test_an_auditor_sees_what_leaves_a_school_but_cannot_edit_it() -> None:
    """Staff without superuser are auditors: every page read-only (governance.auth)."""
    school = School.objects.first()
    client = Client()
    client.force_login(UserFactory(username="auditor", is_staff=True))

    assert client.get(outflows_url(school)).status_code == 200
    edit = client.post(admin_url(School, "change", school.pk), {"name": "Renamed"})
    assert edit.status_code == 403
    assert School.objects.get(pk=school.pk).name == school.name


def test_school_page_links_to_what_leaves_it(staff_client: Client) -> None:
    school = School.objects.get(name="Avon Meadow Primary School")

    html = staff_client.get(admin_url(School, "change", school.pk)).content.decode()

    assert f'href="{outflows_url(school)}"' in html


# The list of schools


def test_school_list_flags_missing_contacts(staff_client: Client) -> None:
    html = staff_client.get(admin_url(School, "changelist")).content.decode()

    assert "Missing: DPO name, DPO email" in table_row(html, "Stour Valley CofE Primary School")
    assert "Missing" not in table_row(html, "Avon Meadow Primary School")


def test_school_list_shows_current_subscriptions_only(staff_client: Client) -> None:
    html = staff_client.get(admin_url(School, "changelist")).content.decode()

    avon = table_row(html, "Avon Meadow Primary School")
    assert "WeLearn365" in avon
    assert "SIMS Support" not in avon  # ended in August 2025
    assert "authority-wide flows only" in table_row(html, "Stour Valley CofE Primary School")


def listed(response) -> list[str]:
    return sorted(school.name for school in response.context["cl"].result_list)


def test_school_list_filters_schools_without_a_current_subscription(staff_client) -> None:
    response = staff_client.get(admin_url(School, "changelist"), {"offering": "none"})

    assert listed(response) == ["Stour Valley CofE Primary School"]


def test_school_list_filters_subscribers_of_an_offering_now(staff_client) -> None:
    sims = Offering.objects.get(name="SIMS Support")

    response = staff_client.get(admin_url(School, "changelist"), {"offering": str(sims.pk)})

    assert listed(response) == ["Arden Heath Academy"]  # Avon Meadow's ended in August 2025


def test_school_list_survives_a_malformed_filter_value(staff) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(staff)

    response = client.get(admin_url(School, "changelist"), {"offering": "abc"})

    assert response.status_code in {200, 302}


# Lists make a fixed number of queries, however many rows they show


def extra_school(authority: Authority) -> None:
    school = SchoolFactory(authority=authority)
    SubscriptionFactory(school=school, offering=Offering.objects.get(name="WeLearn365"))


def extra_flow(authority: Authority) -> None:
    DataFlowFactory(
        authority=authority,
        offering=Offering.objects.get(name="Broadband"),
        data_objects=[DataObjectFactory(), DataObjectFactory()],
        lawful_bases=[LawfulBasis.objects.get(code="Art 6(1)(e)"), LawfulBasisFactory(code="X")],
    )


def extra_offering(authority: Authority) -> None:
    offering = OfferingFactory(authority=authority)
    SubscriptionFactory(school=School.objects.first(), offering=offering)
    DataFlowFactory(authority=authority, offering=offering)


def extra_basis(authority: Authority) -> None:
    basis = LawfulBasisFactory(code=f"Art 6(1)(e) variant {LawfulBasis.objects.count()}")
    DataFlowFactory(authority=authority, lawful_bases=[basis])


def extra_object(authority: Authority) -> None:
    special = LawfulBasis.objects.get(code="Art 9(2)(b)")
    obj = DataObjectFactory(is_special_category=True, art9_condition=special)
    DataFlowFactory(
        authority=authority, data_objects=[obj], lawful_bases=[LawfulBasisFactory(), special]
    )


def extra_processor(authority: Authority) -> None:
    processor = ProcessorFactory()
    processor.certifications.add(CertificationFactory(), CertificationFactory(name="ISO 9001"))
    DataFlowFactory(authority=authority, processor=processor)


def extra_partner(authority: Authority) -> None:
    partner = PartnerServiceFactory(authority=authority)
    DesignatedOfficerFactory(partner=partner)
    DataFlowFactory(authority=authority, processor=None, partner_service=partner)


@pytest.mark.parametrize(
    ("model", "add_row"),
    [(School, extra_school), (DataFlow, extra_flow), (Processor, extra_processor),
     (PartnerService, extra_partner), (Offering, extra_offering), (LawfulBasis, extra_basis),
     (DataObject, extra_object)],
    ids=["School", "DataFlow", "Processor", "PartnerService", "Offering", "LawfulBasis",
         "DataObject"],
)  # fmt: skip
def test_changelists_make_a_fixed_number_of_queries(
    staff_client: Client, django_assert_max_num_queries, model, add_row
) -> None:
    authority = Authority.objects.get()
    url = admin_url(model, "changelist")
    for _ in range(2):
        add_row(authority)
    staff_client.get(url)  # warm up
    with CaptureQueriesContext(connection) as few:
        shown = staff_client.get(url).context["cl"].result_count

    for _ in range(8):
        add_row(authority)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = staff_client.get(url)

    assert response.context["cl"].result_count == shown + 8


# Actions and deletion guards


def test_flow_actions_deactivate_and_activate_only_the_selected_flows(staff_client) -> None:
    selected = list(DataFlow.objects.order_by("pk").values_list("pk", flat=True)[:3])
    url = admin_url(DataFlow, "changelist")
    form = {"action": "deactivate", "_selected_action": [str(pk) for pk in selected]}

    response = staff_client.post(url, form, follow=True)

    assert "3 flow(s) updated." in response.content.decode()
    assert set(DataFlow.objects.filter(is_active=False).values_list("pk", flat=True)) == set(
        selected
    )

    response = staff_client.post(url, {**form, "action": "activate"}, follow=True)

    assert "3 flow(s) updated." in response.content.decode()
    assert not DataFlow.objects.filter(is_active=False).exists()


def test_lawful_basis_in_use_cannot_be_deleted(staff_client: Client) -> None:
    used = LawfulBasis.objects.get(code="Art 6(1)(e)")
    url = admin_url(LawfulBasis, "delete", used.pk)

    assert staff_client.get(url).status_code == 403
    assert staff_client.post(url, {"post": "yes"}).status_code == 403
    assert LawfulBasis.objects.filter(pk=used.pk).exists()


def test_lawful_basis_in_use_cannot_be_deleted_from_the_list(staff_client: Client) -> None:
    used = LawfulBasis.objects.get(code="Art 6(1)(e)")
    action = {"action": "delete_selected", "_selected_action": [str(used.pk)], "post": "yes"}

    response = staff_client.post(admin_url(LawfulBasis, "changelist"), action)

    assert response.status_code == 403
    assert LawfulBasis.objects.filter(pk=used.pk).exists()


def test_unused_lawful_basis_can_be_deleted(staff_client: Client) -> None:
    unused = LawfulBasis.objects.get(code="Art 9(2)(j)")
    url = admin_url(LawfulBasis, "delete", unused.pk)

    assert staff_client.get(url).status_code == 200
    assert staff_client.post(url, {"post": "yes"}).status_code == 302
    assert not LawfulBasis.objects.filter(pk=unused.pk).exists()


def test_data_object_in_use_cannot_be_deleted(staff_client: Client) -> None:
    used = DataObject.objects.get(sif_name="LearnerEmail")
    unused = DataObjectFactory(sif_name="LearnerHomework")  # every demo object is carried

    assert staff_client.get(admin_url(DataObject, "delete", used.pk)).status_code == 403
    assert staff_client.get(admin_url(DataObject, "delete", unused.pk)).status_code == 200


def test_subscription_list_says_which_are_in_force() -> None:
    is_current = admin.site._registry[Subscription].is_current
    ended = Subscription.objects.get(offering__name="SIMS Support", end_date__isnull=False)
    running = Subscription.objects.get(offering__name="SIMS Support", end_date__isnull=True)
    starting = SubscriptionFactory(
        school=running.school, offering=running.offering,
        start_date=timezone.localdate() + datetime.timedelta(days=1),
    )  # fmt: skip

    assert (is_current(ended), is_current(running), is_current(starting)) == (False, True, False)
