"""Subject access help: for one category at a school over a period, exactly the recipients the
register says received it (with the subscriptions in force then), and where the school holds
it; staff and the school's DPO only."""

import datetime

import pytest
from django.test import Client

from governance.subject_access import answer
from tests.factories import (
    DataFlowFactory,
    DataObjectFactory,
    OfferingFactory,
    PartnerServiceFactory,
    ProcessorFactory,
    SchoolFactory,
    StorageSystemFactory,
    SubscriptionFactory,
    UserFactory,
    dpo_of,
)

pytestmark = pytest.mark.django_db

START, END = datetime.date(2025, 6, 1), datetime.date(2026, 6, 1)


def date(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


@pytest.fixture
def world():
    school = SchoolFactory(name="Hillside Primary")
    organisation = school.authority
    other = SchoolFactory(authority=organisation, name="Other Primary")
    medical = DataObjectFactory(authority=organisation, title="Medical information")
    unrelated = DataObjectFactory(authority=organisation, title="Meal choices")

    def offering_flow(name: str, supplier: str, start: str, end: str | None = None) -> None:
        offering = OfferingFactory(authority=organisation, name=name)
        DataFlowFactory(authority=organisation, offering=offering, data_objects=[medical],
                        processor=ProcessorFactory(name=supplier))  # fmt: skip
        SubscriptionFactory(school=school, offering=offering, start_date=date(start),
                            end_date=date(end) if end else None)  # fmt: skip

    DataFlowFactory(authority=organisation, data_objects=[medical],
                    partner_service=PartnerServiceFactory(authority=organisation,
                                                          name="School Nursing"))  # fmt: skip
    offering_flow("Health app", "Started Ltd", "2025-09-01")  # started during the period
    offering_flow("Old MIS", "Ended Ltd", "2024-09-01", "2025-10-31")  # ended during it
    offering_flow("Older app", "Before Ltd", "2023-09-01", "2024-12-31")  # ended before it
    offering_flow("Future app", "After Ltd", "2026-09-01")  # starts after it
    DataFlowFactory(authority=organisation, data_objects=[unrelated],
                    processor=ProcessorFactory(name="Other Data Ltd"))  # fmt: skip
    DataFlowFactory(authority=organisation, school=other, data_objects=[medical],
                    processor=ProcessorFactory(name="Another School's Ltd"))  # fmt: skip
    DataFlowFactory(authority=organisation, data_objects=[medical], is_active=False,
                    processor=ProcessorFactory(name="Switched Off Ltd"))  # fmt: skip
    StorageSystemFactory(school=school, name="Medical tracker", categories=[medical],
                         supplier=ProcessorFactory(name="Tracker Ltd"), in_house=False)  # fmt: skip
    return school, medical, other


def test_exactly_the_recipients_of_the_category_over_the_period(world) -> None:
    school, medical, _ = world

    found = answer(school, medical, START, END)

    assert sorted(str(r.recipient) for r in found.receipts) == [
        "Ended Ltd", "School Nursing", "Started Ltd",
    ]  # fmt: skip
    when = {
        str(r.recipient): [(s.start_date, s.end_date) for s in r.subscriptions]
        for r in found.receipts
    }
    assert when == {
        "Ended Ltd": [(date("2024-09-01"), date("2025-10-31"))],
        "Started Ltd": [(date("2025-09-01"), None)],
        "School Nursing": [],  # the organisation's flow: the register has no dates for it
    }
    assert [s.name for s in found.systems] == ["Medical tracker"]


def test_the_page_answers_the_schools_dpo_and_staff_only(world) -> None:
    school, medical, other = world
    url = f"/portal/schools/{school.urn}/subject-access/"
    query = {"category": medical.pk, "start": "2025-06-01", "end": "2026-06-01"}
    dpo, staff, stranger = Client(), Client(), Client()
    dpo.force_login(dpo_of(school))
    staff.force_login(UserFactory(username="sar-staff", is_staff=True, is_superuser=True))
    stranger.force_login(dpo_of(other, username="other-dpo"))

    page = dpo.get(url, query).content.decode()

    assert "Medical information: 1 June 2025 to 1 June 2026" in page
    for name in ("School Nursing", "Started Ltd", "Ended Ltd", "Medical tracker", "Tracker Ltd"):
        assert name in page
    for name in ("Before Ltd", "After Ltd", "Other Data Ltd", "Another School", "Switched Off"):
        assert name not in page
    assert "since 1 Sep 2025" in page
    assert "1 Sep 2024 to 31 Oct 2025" in page
    assert "the register records no start date" in page
    assert staff.get(url, query).status_code == 200
    assert stranger.get(url, query).status_code == 404


def test_bad_input_is_a_plain_message(world) -> None:
    school, medical, other = world
    client = Client()
    client.force_login(dpo_of(school))
    url = f"/portal/schools/{school.urn}/subject-access/"

    backwards = client.get(
        url, {"category": medical.pk, "start": "2026-01-01", "end": "2025-01-01"}
    )
    not_a_date = client.get(
        url, {"category": medical.pk, "start": "2025-13-01", "end": "2026-06-01"}
    )
    foreign = DataObjectFactory(school=other, title="Other school's own")
    theirs = client.get(url, {"category": foreign.pk, "start": "2025-01-01", "end": "2026-01-01"})

    assert backwards.status_code == 400
    assert "The period ends before it starts." in backwards.content.decode()
    assert not_a_date.status_code == 400
    assert "YYYY-MM-DD" in not_a_date.content.decode()
    assert theirs.status_code == 400
    assert "Choose one of the school" in theirs.content.decode()
    assert client.get(url).status_code == 200  # the empty form
    uk = client.get(url, {"category": medical.pk, "start": "1/6/2025", "end": "1/6/2026"})
    assert "1 June 2025 to 1 June 2026" in uk.content.decode()  # day first, as typed in the UK
