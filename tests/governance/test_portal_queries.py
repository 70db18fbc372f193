"""List pages cost the same queries for 1 school as for 20, and load only what they show:
the DPO portal's home (each school with the agreements awaiting its signature) and the public
school list."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agreements.models import SignOffRequest
from governance.models import School
from tests.factories import SchoolFactory, dpo_of, publish_demo_agreement

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_for_module")]


@pytest.fixture(autouse=True)
def quick_pdfs(monkeypatch) -> None:
    monkeypatch.setattr("agreements.services.html_to_pdf", lambda html, **kw: b"%PDF-1.7 test")


@pytest.fixture
def twenty() -> list[School]:
    """Twenty schools, each asked to sign the demo agreement's published version."""
    version = publish_demo_agreement()
    schools = SchoolFactory.create_batch(20, published=True)
    SignOffRequest.objects.bulk_create(SignOffRequest(version=version, school=s) for s in schools)
    return schools


def queries(client: Client, url: str) -> list[str]:
    client.get(url)  # the session and anything else a first visit loads
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return [query["sql"] for query in captured.captured_queries]


def test_portal_home_makes_the_same_queries_for_1_and_20_schools(
    twenty, django_assert_num_queries
) -> None:
    one, many = Client(), Client()
    one.force_login(dpo_of(twenty[0], username="dpo-of-one"))
    many.force_login(dpo_of(*twenty, username="dpo-of-twenty"))
    url = reverse("portal:home")
    count = len(queries(one, url))

    with django_assert_num_queries(count):
        page = many.get(url)

    assert len(page.context["rows"]) == 20
    assert all(len(awaiting) == 1 for _, awaiting in page.context["rows"])
    assert b"Awaiting your signature" in page.content


def test_portal_home_loads_no_agreement_text_and_no_school_details(twenty) -> None:
    client = Client()
    client.force_login(dpo_of(*twenty, username="dpo-of-twenty"))

    page_queries = queries(client, reverse("portal:home"))

    listing = [sql for sql in page_queries if "agreements_signoffrequest" in sql]
    assert listing, page_queries
    for sql in listing:
        selected = sql.split(" FROM ")[0]
        for column in ('"html"', '"content"', '"purpose"', '"security"', '"address"'):
            assert column not in selected, (column, sql)
    schools = [sql for sql in page_queries if sql.startswith('SELECT "governance_school"')]
    assert schools
    assert all('"security_measures"' not in sql.split(" FROM ")[0] for sql in schools)


def test_public_school_list_makes_the_same_queries_for_1_and_20_schools(
    django_assert_num_queries,
) -> None:
    SchoolFactory(name="Zedbury Primary One", published=True)
    count = len(queries(Client(), "/schools/?q=Zedbury"))
    SchoolFactory.create_batch(19, name="Zedbury Primary Another", published=True)

    with django_assert_num_queries(count):
        page = Client().get("/schools/?q=Zedbury")

    assert page.content.count(b"Zedbury Primary") == 20
