"""Input that once made a server error (found by fuzzing, see tests/test_fuzz.py) now gets a
page. PostgreSQL refuses a NUL character in any text, so the NUL cases fail only there."""

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from governance.admin_base import SafeInputMixin
from governance.models import DataFlow, School, StorageSystem, Subscription, User
from notices.services import publish_school_notices
from processors.models import Processor
from tests.admin_pages import admin_url, field_errors, page_data, post_form

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_for_module")]

AVON = "999101"


@pytest.fixture
def staff_client(staff) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(staff)
    return client


# -- NUL and other control characters in a search ----------------------------------------------


def test_the_public_search_ignores_control_characters() -> None:
    response = Client(raise_request_exception=False).get("/schools/", {"q": "Avon\x00 Mea\x07dow"})

    assert response.status_code == 200
    assert response.context["query"] == "Avon Meadow"
    assert [school.urn for school in response.context["page"]] == [AVON]


def test_a_search_of_nothing_but_a_nul_lists_every_school() -> None:
    response = Client(raise_request_exception=False).get("/schools/?q=%00")

    assert response.status_code == 200
    assert len(response.context["page"]) == School.objects.count()


@pytest.mark.parametrize(
    ("model", "field"),
    [
        ("subscription", "school"),  # the project's SchoolAdmin
        ("user", "groups"),  # Django's own GroupAdmin
    ],
)
def test_the_admin_autocomplete_ignores_control_characters(staff_client, model, field) -> None:
    query = {"app_label": "governance", "model_name": model, "field_name": field}
    term = "Avon\x00 Mea\x1bdow" if field == "school" else "\x00"

    response = staff_client.get(reverse("admin:autocomplete"), {**query, "term": term})

    assert response.status_code == 200
    if field == "school":
        assert [row["text"] for row in response.json()["results"]] == [
            "Avon Meadow Primary School (URN 999101)"
        ]


def test_an_admin_search_ignores_control_characters(staff_client) -> None:
    response = staff_client.get(admin_url(School, "changelist"), {"q": "Avon\x1b Meadow"})

    assert response.status_code == 200
    assert [school.urn for school in response.context["cl"].result_list] == [AVON]


@pytest.mark.parametrize(
    "url",
    [
        "/admin/governance/school/?nation__exact=%00",  # a list filter
        "/admin/governance/authority/?name=%00",  # a field of the model, not a list filter
        "/admin/axes/accesslog/?username=%00",  # django-axes' own admin
    ],
)
def test_a_nul_in_an_admin_filter_is_a_filter_the_admin_cannot_apply(staff_client, url) -> None:
    response = staff_client.get(url)

    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")


def test_every_admin_and_inline_has_the_care_for_bad_input() -> None:
    """A new admin (or inline) must start from governance.admin_base's, or take its mixin."""
    bare = [
        type(model_admin).__qualname__
        for model_admin in admin.site._registry.values()
        if not isinstance(model_admin, SafeInputMixin)
    ]
    bare += [
        inline.__qualname__
        for model_admin in admin.site._registry.values()
        for inline in model_admin.inlines
        if not issubclass(inline, SafeInputMixin)
    ]
    assert not bare, f"these admins do not use governance.admin_base.SafeInputMixin: {bare}"


# -- the audit trail (django-pghistory's admin, PostgreSQL only) -------------------------------


def audit_trail_url() -> str:
    from pghistory.models import MiddlewareEvents

    if not admin.site.is_registered(MiddlewareEvents):
        pytest.skip("the audit trail's admin exists on PostgreSQL only")
    return reverse("admin:pghistory_middlewareevents_changelist")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("obj=governance.school:abc", "No school has the ID “abc”"),
        ("obj=governance.school:abc&method=tracks", "No school has the ID “abc”"),
        ("obj=governance.school:999999999", "No school has the ID “999999999”"),
        ("obj=governance.school:999999999&method=references", "No school has the ID “999999999”"),
        ("obj=sessions.session:a%00b", "No session has the ID"),  # a text key
    ],
)
def test_the_audit_trail_of_no_record_says_so_and_shows_every_event(
    staff_client, query, message
) -> None:
    url = audit_trail_url()

    response = staff_client.get(f"{url}?{query}", follow=True)

    assert response.redirect_chain == [(url, 302)]
    assert response.status_code == 200
    assert message in response.content.decode()


def test_the_audit_trail_of_an_unknown_event_model_is_a_filter_it_cannot_apply(
    staff_client,
) -> None:
    response = staff_client.get(f"{audit_trail_url()}?event_model=nope")

    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")


def test_the_audit_trail_of_a_record_still_shows(staff_client) -> None:
    school = School.objects.get(urn=AVON)

    response = staff_client.get(
        f"{audit_trail_url()}?obj=governance.school:{school.pk}&method=tracks"
    )

    assert response.status_code == 200
    assert school.name in response.content.decode()


# -- forms shown again with their errors -------------------------------------------------------


def test_a_school_saved_with_an_invalid_urn_shows_the_error(staff_client) -> None:
    """The notice versions' public links use the URN as saved, not the form's."""
    school = School.objects.get(urn=AVON)
    publish_school_notices(school=school)

    response = post_form(staff_client, admin_url(School, "change", school.pk), urn="12345")

    assert field_errors(response, "urn")
    assert f"/schools/{AVON}/privacy/" in response.content.decode()


@pytest.mark.parametrize(
    ("model", "field"),
    [
        (Subscription, "school"),
        (StorageSystem, "supplier"),
        (Processor, "school"),
        (DataFlow, "body"),
    ],
)
def test_an_autocomplete_field_sent_no_key_shows_the_error(staff_client, model, field) -> None:
    url = admin_url(model, "add")
    data = page_data(staff_client.get(url))
    data[field] = "abc"

    response = staff_client.post(url, data)

    assert "Select a valid choice" in field_errors(response, field)


def test_an_autocomplete_field_of_many_sent_no_key_shows_the_error(staff_client, staff) -> None:
    url = admin_url(User, "change", staff.pk)
    data = page_data(staff_client.get(url))
    data["schools"] = [str(School.objects.get(urn=AVON).pk), "abc"]

    response = staff_client.post(url, data)

    assert "is not a valid value" in field_errors(response, "schools")
