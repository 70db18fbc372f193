"""DataFlow.objects.for_school: exactly the flows that take data out of a school on a date."""

import datetime

import pytest

from governance.models import DataFlow, Subscription
from tests.factories import (
    AuthorityFactory,
    DataFlowFactory,
    OfferingFactory,
    SchoolFactory,
    SubscriptionFactory,
)

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 1, 15)


@pytest.fixture
def world() -> dict:
    authority = AuthorityFactory()
    school, other = SchoolFactory(authority=authority), SchoolFactory(authority=authority)
    subscribed = OfferingFactory(authority=authority)
    SubscriptionFactory(school=school, offering=subscribed, start_date=datetime.date(2025, 9, 1))
    flows = {
        "authority_wide": DataFlowFactory(authority=authority),
        "subscribed_offering": DataFlowFactory(authority=authority, offering=subscribed),
        "own": DataFlowFactory(authority=authority, school=school),
        "other_school": DataFlowFactory(authority=authority, school=other),
        "unsubscribed_offering": DataFlowFactory(
            authority=authority, offering=OfferingFactory(authority=authority)
        ),
        "inactive": DataFlowFactory(authority=authority, is_active=False),
        "other_authority": DataFlowFactory(),
    }
    return {"school": school, "authority": authority, "flows": flows, "subscribed": subscribed}


def names(world: dict, queryset) -> set[str]:
    by_pk = {flow.pk: name for name, flow in world["flows"].items()}
    return {by_pk[flow.pk] for flow in queryset}


def test_school_gets_authority_wide_subscribed_and_own_flows_only(world) -> None:
    flows = DataFlow.objects.for_school(world["school"], DAY)

    assert names(world, flows) == {"authority_wide", "subscribed_offering", "own"}


def test_ended_or_future_subscriptions_bring_no_flows(world) -> None:
    Subscription.objects.update(end_date=datetime.date(2025, 12, 31))
    assert "subscribed_offering" not in names(
        world, DataFlow.objects.for_school(world["school"], DAY)
    )

    Subscription.objects.update(start_date=datetime.date(2026, 2, 1), end_date=None)
    assert "subscribed_offering" not in names(
        world, DataFlow.objects.for_school(world["school"], DAY)
    )


def test_withdrawn_offering_brings_no_flows(world) -> None:
    world["subscribed"].is_active = False
    world["subscribed"].save()

    assert "subscribed_offering" not in names(
        world, DataFlow.objects.for_school(world["school"], DAY)
    )


def test_school_with_no_subscription_gets_authority_wide_flows(world) -> None:
    lone = SchoolFactory(authority=world["authority"])

    assert names(world, DataFlow.objects.for_school(lone, DAY)) == {"authority_wide"}


def test_current_subscriptions_on_a_date() -> None:
    running = SubscriptionFactory(start_date=datetime.date(2025, 9, 1))
    SubscriptionFactory(start_date=datetime.date(2025, 9, 1), end_date=datetime.date(2026, 1, 14))
    last_day = SubscriptionFactory(
        start_date=datetime.date(2025, 9, 1), end_date=datetime.date(2026, 1, 15)
    )

    assert set(Subscription.objects.current(DAY)) == {running, last_day}
