"""Roles, invitations, sign-in throttling, the access log and the audit trail.

The audit trail is written by PostgreSQL triggers: those stories run on PostgreSQL only.
"""

import re

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse

from governance.models import AccessEvent, School, User
from processors.models import Processor
from tests.admin_pages import admin_url, page_data
from tests.factories import UserFactory, dpo_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_for_module")]

PASSWORD = "correct horse battery staple"


def on_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the audit trail is recorded by PostgreSQL triggers")


def events_for(obj) -> list:
    from pghistory.models import MiddlewareEvents

    return list(
        MiddlewareEvents.objects.filter(
            pgh_obj_model=obj._meta.label, pgh_obj_id=str(obj.pk)
        ).order_by("pgh_created_at")
    )


def sign_in(client: Client, username: str, password: str):
    return client.post(reverse("portal:login"), {"username": username, "password": password})


# Roles


@pytest.mark.parametrize(
    ("flags", "role"),
    [
        ({"is_staff": True, "is_superuser": True}, User.Role.STAFF),
        ({"is_staff": True}, User.Role.AUDITOR),
        ({}, User.Role.DPO),
    ],
)
def test_a_persons_role_follows_from_their_flags(flags, role) -> None:
    assert UserFactory(**flags).role == role


def test_staff_choose_a_role_in_the_user_admin(staff_client) -> None:
    person = UserFactory(username="clerk")
    page = staff_client.get(admin_url(User, "change", person.pk))
    data = {**page_data(page), "role": User.Role.AUDITOR}

    response = staff_client.post(admin_url(User, "change", person.pk), data)

    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.is_staff, person.is_superuser, person.role) == (True, False, "auditor")


def test_an_auditor_sees_the_admin_but_changes_nothing() -> None:
    auditor = UserFactory(username="auditor", is_staff=True)
    client = Client()
    client.force_login(auditor)
    school = School.objects.first()

    assert client.get(admin_url(School, "changelist")).status_code == 200
    assert client.get(admin_url(School, "change", school.pk)).status_code == 200
    assert client.get(admin_url(School, "add")).status_code == 403
    assert client.post(admin_url(School, "delete", school.pk), {"post": "yes"}).status_code == 403
    # No action at all: not "delete", not "re-render".
    assert client.get(admin_url(School, "changelist")).context["action_form"] is None
    assert School.objects.filter(pk=school.pk).exists()


# Invitations


def test_an_invited_dpo_sets_a_password_once_and_signs_in(staff_client) -> None:
    school = School.objects.get(urn="999101")
    person = dpo_of(school, username="new-dpo")
    person.email = "new-dpo@example.org"
    person.set_unusable_password()
    person.save()

    staff_client.post(
        admin_url(User, "changelist"),
        {"action": "send_invitation", "_selected_action": [person.pk]},
    )

    [message] = mail.outbox
    assert message.to == ["new-dpo@example.org"]
    assert "Avon Meadow Primary School" in message.body
    link = re.search(r"http://\S+/portal/welcome/\S+/", message.body).group(0)
    path = link.split("127.0.0.1:8000", 1)[1] if "127.0.0.1:8000" in link else link
    client = Client()
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    chosen = {
        "new_password1": "a long and new passphrase",
        "new_password2": "a long and new passphrase",
    }
    done = client.post(form_page.redirect_chain[-1][0], chosen, follow=True)
    assert "Your password is set" in done.content.decode()
    assert sign_in(Client(), "new-dpo", "a long and new passphrase").status_code == 302
    # The link works once.
    again = Client().get(path, follow=True)
    assert "already been used or has expired" in again.content.decode()


def test_a_person_without_an_email_cannot_be_invited(staff_client) -> None:
    person = UserFactory(username="no-email", email="")

    response = staff_client.post(
        admin_url(User, "changelist"),
        {"action": "send_invitation", "_selected_action": [person.pk]},
        follow=True,
    )

    assert mail.outbox == []
    assert "Cannot invite no-email: no email address." in response.content.decode()


# Sign-in throttling and the access log


def test_repeated_failures_lock_the_account(settings) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    UserFactory(username="target")
    for _ in range(2):
        assert sign_in(Client(), "target", "wrong guess").status_code == 200
    # The third failure locks the account...
    assert sign_in(Client(), "target", "wrong guess").status_code == 429

    # ...so even the right password is refused from that address (tests/governance/
    # test_signin_lockout.py: another address, or another account, still signs in).
    locked = sign_in(Client(), "target", PASSWORD)

    assert locked.status_code == 429
    assert "Sign-in locked" in locked.content.decode()
    # Three failures, and the refused attempt on the locked account.
    assert AccessEvent.objects.filter(kind="sign_in_failed", username="target").count() == 4
    assert not AccessEvent.objects.filter(kind="sign_in", username="target").exists()


def test_sign_in_and_sign_out_are_logged_with_the_address() -> None:
    UserFactory(username="jo")
    client = Client(REMOTE_ADDR="192.0.2.44")

    sign_in(client, "jo", PASSWORD)
    client.post(reverse("portal:logout"))

    kinds = list(
        AccessEvent.objects.filter(username="jo").order_by("at").values_list("kind", "ip_address")
    )
    assert kinds == [("sign_in", "192.0.2.44"), ("sign_out", "192.0.2.44")]


def test_private_downloads_are_logged(staff_client, settings, tmp_path) -> None:
    from tests.factories import publish_demo_agreement

    version = publish_demo_agreement()

    response = staff_client.get(reverse("admin:agreements_agreementversion_pdf", args=[version.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    event = AccessEvent.objects.get(kind="download")
    assert (event.username, event.document) == ("staff", version.download_name)


# The audit trail (PostgreSQL)


def test_the_audit_trail_shows_who_changed_a_processors_data_location_and_when(
    staff, staff_client
) -> None:
    on_postgresql()
    redstor = Processor.objects.get(name="Redstor")
    url = admin_url(Processor, "change", redstor.pk)
    before = redstor.data_location
    page = staff_client.get(url)
    assert f"obj=processors.processor:{redstor.pk}&amp;method=tracks" in page.content.decode()
    data = {**page_data(page), "data_location": "UK (London and Manchester)"}

    assert staff_client.post(url, data).status_code == 302

    last = events_for(redstor)[-1]
    assert last.pgh_label == "update"
    assert last.pgh_diff["data_location"] == [before, "UK (London and Manchester)"]
    assert last.user == staff
    assert last.url == url
    trail = staff_client.get(
        reverse("admin:pghistory_middlewareevents_changelist"),
        {"obj": f"processors.processor:{redstor.pk}", "method": "tracks"},
    )
    page = trail.content.decode()
    assert "UK (London and Manchester)" in page
    assert "staff" in page


def test_bulk_updates_and_deletes_are_in_the_trail_too() -> None:
    on_postgresql()
    redstor = Processor.objects.get(name="Redstor")
    events = len(events_for(redstor))

    Processor.objects.filter(pk=redstor.pk).update(data_location="Elsewhere")

    assert len(events_for(redstor)) == events + 1
    assert events_for(redstor)[-1].pgh_data["data_location"] == "Elsewhere"


def test_account_changes_are_in_the_trail_without_the_password() -> None:
    on_postgresql()
    from governance.models import UserSchoolEvent  # the schools a DPO answers for

    person = UserFactory(username="tracked")
    person.email = "changed@example.org"
    person.set_password("another long passphrase")
    person.save()
    person.schools.add(School.objects.first())

    labels = [e.pgh_label for e in events_for(person)]
    assert labels == ["insert", "update"]
    assert "password" not in events_for(person)[-1].pgh_data
    assert UserSchoolEvent.objects.filter(user=person, pgh_label="add").count() == 1
