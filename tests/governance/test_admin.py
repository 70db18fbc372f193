"""The admin is the staff's working tool: every page of every model answers staff, sends
anonymous visitors to the login, and shows auditors (staff without superuser) everything
read-only. Each part's own behaviour is tested beside it (test_admin_<part>.py).

The demo world is loaded once for the module (`demo_for_module`); each test's writes roll back.
"""

from collections.abc import Callable
from io import StringIO

import pghistory
import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import models
from django.test import Client
from django.urls import reverse
from pghistory.models import MiddlewareEvents

from agreements.ledger import append_event
from agreements.models import AgreementVersion, Signature, SignOffEvent
from governance.models import AccessEvent, ApiToken, School, User
from governance.outbox.models import Job, JobBatch
from governance.outbox.services import enqueue, notice_job
from notices.models import NoticeVersion
from processors.models import Processor
from tests.admin_pages import admin_url, auditor_client
from tests.factories import UserFactory, publish_demo_agreement, sign

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_for_module")]

REGISTERED = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
BY_MODEL = pytest.mark.parametrize(
    ("model", "model_admin"), REGISTERED, ids=lambda m: getattr(m, "__name__", "")
)


# Rows for the models the demo world has none of, so every change page is visited.
MAKERS: dict[type[models.Model], Callable[[], models.Model]] = {
    Group: lambda: Group.objects.create(name="Auditors"),
    User: lambda: UserFactory(username="auditor"),
    Signature: lambda: make_signature(),
    ApiToken: lambda: ApiToken.issue(
        user=UserFactory(username="token-owner", is_staff=True, is_superuser=True),
        name="Export",
        role="auditor",
    )[0],
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
    JobBatch: lambda: JobBatch.objects.create(label="Nightly refresh"),
    Job: lambda: Job.objects.get(
        pk=enqueue([notice_job(School.objects.first().pk, "pupils")], send=False)[0]
    ),
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
    Job,
    JobBatch,
}


def one_row_of(model: type[models.Model]) -> models.Model:
    row = model._default_manager.order_by("pk").first()
    if row is None:
        assert model in MAKERS, f"The demo has no {model.__name__}: add a maker to MAKERS"
        row = MAKERS[model]()
    return row


@BY_MODEL
def test_every_admin_page_answers_staff(staff_client: Client, model, model_admin) -> None:
    row = one_row_of(model)
    add_status = 403 if model in NEVER_ADDED_BY_HAND else 200

    assert staff_client.get(admin_url(model, "changelist")).status_code == 200
    assert staff_client.get(admin_url(model, "change", row.pk)).status_code == 200
    assert staff_client.get(admin_url(model, "add")).status_code == add_status
    if model_admin.search_fields:
        searched = staff_client.get(admin_url(model, "changelist"), {"q": "a"})
        assert searched.status_code == 200


@BY_MODEL
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


@pytest.fixture(scope="module")
def auditor(django_db_blocker) -> Client:
    with django_db_blocker.unblock():
        return auditor_client("module-auditor")


@BY_MODEL
def test_an_auditor_sees_every_page_read_only(auditor: Client, model, model_admin) -> None:
    """Staff without superuser are auditors (governance.auth): they read, never write."""
    row = one_row_of(model)
    change = admin_url(model, "change", row.pk)

    listing = auditor.get(admin_url(model, "changelist"))
    page = auditor.get(change)

    assert listing.status_code == 200
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert not page.context["has_delete_permission"]
    assert all(
        not inline.has_add_permission and not inline.has_change_permission
        for inline in page.context["inline_admin_formsets"]
    )
    assert auditor.get(admin_url(model, "add")).status_code == 403
    assert auditor.post(change, {}).status_code == 403
    assert auditor.post(admin_url(model, "delete", row.pk), {"post": "yes"}).status_code == 403
    # Read back as the admin reads (pghistory's event views have no default rows).
    assert model_admin.get_queryset(page.wsgi_request).filter(pk=row.pk).exists()


@BY_MODEL
def test_an_auditor_is_offered_no_action_that_writes(auditor: Client, model, model_admin) -> None:
    listing = auditor.get(admin_url(model, "changelist"))

    action_form = listing.context.get("action_form")
    offered = [name for name, _ in action_form.fields["action"].choices] if action_form else []
    assert [name for name in offered if name] == []
