"""DataFlow.objects.for_school: exactly the flows that take data out of a school on a date;
Subscription.objects.current: the subscriptions in force on a date."""

import datetime

import pytest
from django.utils import timezone

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
    """One school of an authority, and one flow for each reason a flow might (not) be its own."""
    authority = AuthorityFactory()
    school, other = SchoolFactory(authority=authority), SchoolFactory(authority=authority)
    offering = {name: OfferingFactory(authority=authority) for name in
                ["subscribed", "unsubscribed", "ended", "future", "withdrawn"]}  # fmt: skip
    offering["withdrawn"].is_active = False
    offering["withdrawn"].save()
    for name, start, end in [
        ("subscribed", datetime.date(2025, 9, 1), None),
        ("ended", datetime.date(2025, 9, 1), datetime.date(2026, 1, 14)),
        ("future", datetime.date(2026, 1, 16), None),
        ("withdrawn", datetime.date(2025, 9, 1), None),
    ]:
        SubscriptionFactory(school=school, offering=offering[name], start_date=start, end_date=end)
    SubscriptionFactory(school=other, offering=offering["unsubscribed"])
    flows = {
        "authority_wide": DataFlowFactory(authority=authority),
        "own": DataFlowFactory(authority=authority, school=school),
        "other_school": DataFlowFactory(authority=authority, school=other),
        "inactive": DataFlowFactory(authority=authority, is_active=False),
        "other_authority": DataFlowFactory(),
        **{
            f"{name}_offering": DataFlowFactory(authority=authority, offering=offering[name])
            for name in offering
        },
    }
    return {"school": school, "authority": authority, "flows": flows, "offering": offering}


def names(world: dict, flows) -> set[str]:
    by_pk = {flow.pk: name for name, flow in world["flows"].items()}
    return {by_pk[flow.pk] for flow in flows}


def flows_of(world: dict, on: datetime.date = DAY) -> set[str]:
    return names(world, DataFlow.objects.for_school(world["school"], on))


def test_school_gets_authority_wide_subscribed_and_its_own_flows_only(world) -> None:
    assert flows_of(world) == {"authority_wide", "subscribed_offering", "own"}


def test_subscription_counts_on_its_first_and_last_day(world) -> None:
    assert "ended_offering" in flows_of(world, datetime.date(2026, 1, 14))
    assert "future_offering" in flows_of(world, datetime.date(2026, 1, 16))


def test_a_flow_made_inactive_leaves_the_list_and_comes_back_when_active(world) -> None:
    DataFlow.objects.filter(pk=world["flows"]["own"].pk).update(is_active=False)
    DataFlow.objects.filter(pk=world["flows"]["inactive"].pk).update(is_active=True)

    assert flows_of(world) == {"authority_wide", "subscribed_offering", "inactive"}


def test_withdrawn_offering_offered_again_brings_its_flows_back(world) -> None:
    world["offering"]["withdrawn"].is_active = True
    world["offering"]["withdrawn"].save()

    assert "withdrawn_offering" in flows_of(world)


def test_school_with_no_subscription_gets_authority_wide_flows_only(world) -> None:
    lone = SchoolFactory(authority=world["authority"])

    assert names(world, DataFlow.objects.for_school(lone, DAY)) == {"authority_wide"}


def test_two_subscriptions_in_force_bring_each_flow_once(world) -> None:
    SubscriptionFactory(
        school=world["school"], offering=world["offering"]["subscribed"],
        start_date=datetime.date(2025, 10, 1),
    )  # fmt: skip

    flows = list(DataFlow.objects.for_school(world["school"], DAY))

    assert len(flows) == len({flow.pk for flow in flows}) == 3


def test_the_date_defaults_to_today(world) -> None:
    today = timezone.localdate()
    Subscription.objects.filter(offering=world["offering"]["future"]).update(
        start_date=today, end_date=None
    )
    Subscription.objects.filter(offering=world["offering"]["subscribed"]).update(
        start_date=today - datetime.timedelta(days=30), end_date=today - datetime.timedelta(days=1)
    )

    flows = names(world, DataFlow.objects.for_school(world["school"]))

    assert flows == {"authority_wide", "future_offering", "own"}


def test_with_details_fetches_a_flow_table_in_three_queries(
    world, django_assert_num_queries
) -> None:
    with django_assert_num_queries(3):
        for flow in DataFlow.objects.with_details():
            str(flow)
            [str(o) for o in flow.data_objects.all()]
            [str(b) for b in flow.lawful_bases.all()]
            str(flow.retention_rule)


def test_current_subscriptions_on_a_date() -> None:
    running = SubscriptionFactory(start_date=datetime.date(2025, 9, 1))
    SubscriptionFactory(start_date=datetime.date(2025, 9, 1), end_date=datetime.date(2026, 1, 14))
    last_day = SubscriptionFactory(
        start_date=datetime.date(2025, 9, 1), end_date=datetime.date(2026, 1, 15)
    )
    first_day = SubscriptionFactory(start_date=DAY)
    SubscriptionFactory(start_date=datetime.date(2026, 1, 16))

    assert set(Subscription.objects.current(DAY)) == {running, last_day, first_day}


def test_current_subscriptions_default_to_today() -> None:
    today = timezone.localdate()
    running = SubscriptionFactory(start_date=today - datetime.timedelta(days=1))
    SubscriptionFactory(start_date=today + datetime.timedelta(days=1))
    SubscriptionFactory(
        start_date=today - datetime.timedelta(days=10), end_date=today - datetime.timedelta(days=1)
    )

    assert list(Subscription.objects.current()) == [running]
