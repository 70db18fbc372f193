"""The schools' pages: adding a school, the list and its filters, the school's whole picture on
its page, what leaves each school, and publishing its notices.

The demo world is loaded once for the module (`demo_for_module`); each test's writes roll back.
"""

from unittest import mock

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from governance.models import DataObject, Offering, Purpose, School, StorageSystem
from governance.outbox.models import JobBatch
from notices.models import NoticeVersion
from tests.admin_pages import (
    WARWICKSHIRE,
    WOLVERHAMPTON,
    add_inline_row,
    admin_url,
    auditor_client,
    field_errors,
    listed,
    organisation,
    outflows_url,
    page_data,
    table_row,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_for_module")]

DRAFT = "Stour Valley CofE Primary School"
ACADEMY = "Arden Heath Academy"
TRUST_ACADEMY = "Oakfield Vale Primary Academy"


def school(name: str) -> School:
    return School.objects.get(name=name)


def publish_url(school: School) -> str:
    return reverse("admin:governance_school_publish_notices", args=[school.pk])


def new_school(**fields: str) -> dict[str, str]:
    return {
        "authority": str(organisation(WARWICKSHIRE).pk), "name": "Kineton Green Primary",
        "urn": "999105", "dfe_number": "937/9105", "phase": "primary",
        "school_type": "maintained", "address": "Green Lane", "postcode": "CV35 0ZZ", **fields,
    }  # fmt: skip


# Adding a school


def test_a_valid_school_is_added_with_its_subscription(staff_client: Client) -> None:
    page = staff_client.get(admin_url(School, "add"))
    data = page_data(page)
    data.update(new_school(learner_term="students", youth_support="no",
                           security_measures="Locked filing cabinets"))  # fmt: skip
    welearn = Offering.objects.get(name="WeLearn365")
    add_inline_row(page, data, "subscriptions", offering=welearn.pk, start_date="2025-09-01")

    response = staff_client.post(admin_url(School, "add"), data)

    assert response.status_code == 302
    added = School.objects.get(urn="999105")
    assert [s.offering for s in added.subscriptions.all()] == [welearn]
    assert (added.learner_term, added.youth_support, added.security_measures) == (
        "students", "no", "Locked filing cabinets",
    )  # fmt: skip
    assert added.notices_published_at is None  # a new school's notices are drafts


def test_duplicate_urn_is_refused_on_the_field(staff_client: Client) -> None:
    data = page_data(staff_client.get(admin_url(School, "add")))
    data.update(new_school(urn="999101", dfe_number="937/9199"))
    before = School.objects.count()

    response = staff_client.post(admin_url(School, "add"), data)

    assert "URN already exists" in field_errors(response, "urn")
    assert School.objects.count() == before


def test_academy_without_trust_is_refused_on_the_field(staff_client: Client) -> None:
    data = page_data(staff_client.get(admin_url(School, "add")))
    data.update(new_school(urn="999106", dfe_number="937/9106", school_type="academy"))

    response = staff_client.post(admin_url(School, "add"), data)

    assert "trust" in field_errors(response, "trust_name")
    assert not School.objects.filter(urn="999106").exists()


def test_subscription_to_another_organisations_offering_is_refused(staff_client) -> None:
    page = staff_client.get(admin_url(School, "add"))
    data = page_data(page)
    data.update(new_school())
    theirs = Offering.objects.exclude(authority=organisation(WARWICKSHIRE)).first() or (
        Offering.objects.create(authority=organisation(WOLVERHAMPTON), name="Trust IT",
                                description="The trust's IT service.")
    )  # fmt: skip
    add_inline_row(page, data, "subscriptions", offering=theirs.pk, start_date="2025-09-01")

    response = staff_client.post(admin_url(School, "add"), data)

    assert response.status_code == 200
    assert b"That offering belongs to another organisation." in response.content
    assert not School.objects.filter(urn="999105").exists()


# The list of schools


def test_school_list_flags_missing_contacts(staff_client: Client) -> None:
    html = staff_client.get(admin_url(School, "changelist")).content.decode()

    assert "Missing: DPO name, DPO email" in table_row(html, DRAFT)
    assert "Missing" not in table_row(html, "Avon Meadow Primary School")


def test_school_list_shows_current_subscriptions_only(staff_client: Client) -> None:
    html = staff_client.get(admin_url(School, "changelist")).content.decode()

    avon = table_row(html, "Avon Meadow Primary School")
    assert "WeLearn365" in avon
    assert "SIMS Support" not in avon  # ended in August 2025
    assert "organisation-wide flows only" in table_row(html, DRAFT)


def test_school_list_says_whose_notices_are_drafts(staff_client: Client) -> None:
    html = staff_client.get(admin_url(School, "changelist")).content.decode()

    assert "Draft (not public yet)" in table_row(html, DRAFT)
    assert "Published on " in table_row(html, ACADEMY)


def test_school_list_filters_drafts_and_published_schools(staff_client: Client) -> None:
    url = admin_url(School, "changelist")

    drafts = staff_client.get(url, {"notices": "draft"})
    published = staff_client.get(url, {"notices": "published"})

    assert [s.name for s in drafts.context["cl"].result_list] == [DRAFT]
    assert DRAFT not in {s.name for s in published.context["cl"].result_list}
    assert published.context["cl"].result_count == School.objects.count() - 1


def test_school_list_filters_schools_without_a_current_subscription(staff_client) -> None:
    response = staff_client.get(
        admin_url(School, "changelist"),
        {"offering": "none", "authority__id__exact": organisation(WARWICKSHIRE).pk},
    )

    assert [s.name for s in response.context["cl"].result_list] == [DRAFT]


def test_school_list_filters_subscribers_of_an_offering_now(staff_client) -> None:
    sims = Offering.objects.get(name="SIMS Support")

    response = staff_client.get(admin_url(School, "changelist"), {"offering": str(sims.pk)})

    assert listed(response) == [str(school(ACADEMY))]  # Avon Meadow's ended in August 2025


def test_school_list_survives_a_malformed_filter_value(staff) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(staff)

    response = client.get(admin_url(School, "changelist"), {"offering": "abc"})

    assert response.status_code in {200, 302}


# A school's page: its whole picture


def test_school_page_shows_the_schools_own_register(staff_client: Client) -> None:
    oakfield = school(TRUST_ACADEMY)

    response = staff_client.get(admin_url(School, "change", oakfield.pk))

    html = response.content.decode()
    own = {
        inline.formset.prefix: {str(form.instance) for form in inline.formset.forms}
        for inline in response.context["inline_admin_formsets"]
    }
    assert own["own_systems"] == {s.name for s in oakfield.own_systems.all()} != set()
    assert own["own_suppliers"] == {p.name for p in oakfield.own_suppliers.all()} != set()
    assert own["own_recipients"] == {"NFER – Reception Baseline"}
    for system in oakfield.own_systems.all():
        assert admin_url(StorageSystem, "change", system.pk) in html
    assert "In-house" in html or "Educational software providers" in html


def test_school_page_offers_to_add_to_the_schools_own_register(staff_client) -> None:
    oakfield = school(TRUST_ACADEMY)

    html = staff_client.get(admin_url(School, "change", oakfield.pk)).content.decode()

    for model in (StorageSystem, Purpose, DataObject):
        add = (
            f"{admin_url(model, 'add')}?school={oakfield.pk}&amp;authority={oakfield.authority_id}"
        )
        assert add in html


def test_adding_to_a_schools_register_starts_from_the_school(staff_client) -> None:
    oakfield = school(TRUST_ACADEMY)

    response = staff_client.get(
        admin_url(Purpose, "add"), {"school": oakfield.pk, "authority": oakfield.authority_id}
    )

    form = response.context["adminform"].form
    assert (form["school"].value(), form["authority"].value()) == (
        str(oakfield.pk), str(oakfield.authority_id),
    )  # fmt: skip
    offered = set(form.fields["categories"].queryset)
    assert offered
    assert all(c.authority_id == oakfield.authority_id for c in offered)
    assert all(c.school_id in (None, oakfield.pk) for c in offered)


def test_school_page_links_to_what_leaves_it(staff_client: Client) -> None:
    avon = school("Avon Meadow Primary School")

    html = staff_client.get(admin_url(School, "change", avon.pk)).content.decode()

    assert f'href="{outflows_url(avon)}"' in html


# What leaves a school: every kind of recipient


def recipients(response) -> dict[str, set[str]]:
    return {
        heading: {str(f.recipient) for f in flows}
        for heading, flows in response.context["sections"]
    }


AUTHORITY_SERVICES = {
    "ICT Development Service", "Specialist Teaching Service",
    "Attendance, Compliance and Enforcement", "Children Missing Education", "Priority Families",
    "Admissions Service", "HR & Payroll", "Warwickshire Youth Justice Service", "Corporate ICT",
}  # fmt: skip


def test_outflows_lists_the_recipients_of_an_academys_subscriptions(staff_client) -> None:
    response = staff_client.get(outflows_url(school(ACADEMY)))

    assert response.status_code == 200
    found = recipients(response)
    assert found["Authority services"] == AUTHORITY_SERVICES
    assert {"Groupcall", "Microsoft", "Capita SIMS", "CDEC"} <= found["Suppliers"]
    html = response.content.decode()
    assert "WeLearn365 subscribers" in table_row(html, ">Microsoft</a>")
    assert "SIMS Support subscribers" in table_row(html, ">Capita SIMS</a>")
    assert "Procurement and Installation subscribers" in table_row(html, ">CDEC</a>")
    assert "All schools" in table_row(html, ">Children Missing Education</a>")
    assert "Authority service" in table_row(html, ">Children Missing Education</a>")
    assert "Supplier · Processor" in table_row(html, ">Microsoft</a>")
    assert "Forest of Arden Learning Trust" in html  # the academy's controller
    count = sum(len(flows) for _, flows in response.context["sections"])
    assert f"{count} flows</strong> take data out" in html


def test_outflows_shows_public_bodies_and_other_recipients_with_their_kind(staff_client) -> None:
    response = staff_client.get(outflows_url(school(TRUST_ACADEMY)))

    found = recipients(response)
    assert found["Authority services"] == set()
    assert {"Department for Education (DfE)", "NFER – Reception Baseline", "Our auditors",
            "Schools that a student attends after leaving us"} <= found[
        "Public bodies and other recipients"
    ]  # fmt: skip
    html = response.content.decode()
    assert "Public body" in table_row(html, ">Department for Education (DfE)</a>")
    assert "Other schools" in table_row(html, ">Schools that a student attends after leaving us<")
    assert "Other independent controller" in table_row(html, ">Our auditors</a>")


def test_outflows_leaves_out_offerings_the_school_does_not_take(staff_client) -> None:
    html = staff_client.get(outflows_url(school(ACADEMY))).content.decode()

    assert "Redstor" not in html
    assert "Future Digital" not in html


def test_outflows_marks_special_category_data(staff_client) -> None:
    html = staff_client.get(outflows_url(school(ACADEMY))).content.decode()

    row = table_row(html, ">Specialist Teaching Service</a>")
    assert "Special educational needs (LearnerSpecialNeeds) (special category)" in row
    assert "Art 9(2)(g)" in row


def test_outflows_of_a_school_without_subscriptions(staff_client) -> None:
    response = staff_client.get(outflows_url(school(DRAFT)))

    html = response.content.decode()
    assert "None: only the organisation-wide flows below take data out of this school." in html
    assert recipients(response)["Authority services"] == AUTHORITY_SERVICES
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
    first = School.objects.first()
    client = auditor_client()

    assert client.get(outflows_url(first)).status_code == 200
    edit = client.post(admin_url(School, "change", first.pk), {"name": "Renamed"})
    assert edit.status_code == 403
    assert School.objects.get(pk=first.pk).name == first.name


# Publishing a school's notices


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_draft_schools_page_offers_to_publish_its_notices(staff_client: Client) -> None:
    draft = school(DRAFT)

    html = staff_client.get(admin_url(School, "change", draft.pk)).content.decode()

    assert f'href="{publish_url(draft)}">Publish notices</a>' in html
    assert "Draft (not public yet)" in html


def test_published_schools_page_offers_to_publish_its_changes(staff_client: Client) -> None:
    html = staff_client.get(admin_url(School, "change", school(ACADEMY).pk)).content.decode()

    assert ">Publish changes to notices</a>" in html


def test_publish_page_says_what_publishing_will_do(staff_client: Client) -> None:
    response = staff_client.get(publish_url(school(DRAFT)))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Publishing makes this school's notices public" in html
    assert [label for label, _ in response.context["previews"]] == [
        "Pupils and parents", "School workforce",
    ]  # fmt: skip
    assert not School.objects.get(name=DRAFT).is_published  # looking publishes nothing


def test_publishing_from_the_schools_page_makes_its_notices_public(
    staff_client, jobs_run_at_once
) -> None:
    draft = school(DRAFT)

    response = staff_client.post(publish_url(draft))

    assert response.status_code == 302
    assert response["Location"] == admin_url(School, "change", draft.pk)
    assert School.objects.get(pk=draft.pk).is_published
    assert NoticeVersion.objects.filter(school=draft, status="rendered").count() == 2
    assert any("notices published" in m for m in messages_of(response))


def test_the_publish_action_publishes_each_selected_school_as_one_batch(
    staff_client, jobs_run_at_once
) -> None:
    draft, academy = school(DRAFT), school(ACADEMY)
    action = {"action": "publish_notices", "_selected_action": [draft.pk, academy.pk]}

    response = staff_client.post(admin_url(School, "changelist"), action, follow=True)

    batch = JobBatch.objects.get()
    assert batch.progress() == {"done": 4, "pending": 0, "failed": 0, "total": 4}
    assert set(batch.jobs.values_list("school_id", flat=True)) == {draft.pk, academy.pk}
    assert not batch.jobs.filter(tell_dpo=True).exists(), "staff published: no email"
    shown = " ".join(messages_of(response))
    assert f"{DRAFT}: notices published. Pupils and parents: version 1 issued" in shown
    assert f"{ACADEMY}: notices brought up to date." in shown


def test_publishing_with_the_workers_busy_links_to_the_batch(
    staff_client, django_capture_on_commit_callbacks
) -> None:
    action = {
        "action": "publish_notices",
        "_selected_action": [school(DRAFT).pk, school(ACADEMY).pk],
    }

    with (
        mock.patch("governance.outbox.services.send_jobs"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = staff_client.post(admin_url(School, "changelist"), action, follow=True)

    batch = JobBatch.objects.get()
    shown = " ".join(messages_of(response))
    assert "4 of 4 document(s) are being issued by the workers" in shown
    assert reverse("admin:outbox_jobbatch_change", args=[batch.pk]) in shown


def test_a_failed_render_is_reported_not_raised(staff_client: Client, jobs_run_at_once) -> None:
    failing = mock.patch("notices.services.fitted_pdf", side_effect=RuntimeError("no fonts"))

    with failing:
        response = staff_client.post(publish_url(school(DRAFT)), follow=True)

    assert response.status_code == 200
    shown = " ".join(messages_of(response))
    assert "render the pupils and parents notice failed (RuntimeError: no fonts)" in shown
    assert "retry it under Background jobs" in shown


def test_an_auditor_cannot_publish_notices() -> None:
    draft = school(DRAFT)
    client = auditor_client()

    assert client.get(publish_url(draft)).status_code == 403
    assert client.post(publish_url(draft)).status_code == 403
    page = client.get(admin_url(School, "change", draft.pk)).content.decode()
    assert publish_url(draft) not in page
    assert not School.objects.get(pk=draft.pk).is_published
