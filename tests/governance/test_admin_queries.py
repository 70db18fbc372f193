"""Every list of the registry makes a fixed number of queries, whatever the number of rows: the
page that shows one row makes as many as the page that shows twenty (CONVENTIONS: queries are
counted). Each maker adds one row with everything its list shows about it."""

import datetime
from collections.abc import Callable
from itertools import count

import pytest
from django.db import connection, models
from django.test import Client
from django.test.utils import CaptureQueriesContext

from governance.models import (
    Authority,
    DataFlow,
    DataObject,
    DesignatedOfficer,
    ExternalRecipient,
    LawfulBasis,
    Offering,
    PartnerService,
    Purpose,
    RetentionRule,
    School,
    StorageSystem,
    Subscription,
    User,
)
from processors.models import Certification, Processor
from tests.admin_pages import admin_url
from tests.factories import (
    AuthorityFactory,
    CertificationFactory,
    DataFlowFactory,
    DataObjectFactory,
    DesignatedOfficerFactory,
    ExternalRecipientFactory,
    LawfulBasisFactory,
    OfferingFactory,
    PartnerServiceFactory,
    ProcessorFactory,
    PurposeFactory,
    RetentionRuleFactory,
    SchoolFactory,
    StatuteFactory,
    StorageSystemFactory,
    SubscriptionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
serial = count()


def a_school(organisation: Authority) -> None:
    school = SchoolFactory(authority=organisation, published=next(serial) % 2 == 0)
    SubscriptionFactory(school=school, offering=OfferingFactory(authority=organisation))


def a_flow(organisation: Authority) -> None:
    """Flows to each kind of recipient in turn, from every source, with two of each link."""
    school = SchoolFactory(authority=organisation)
    recipient = [
        {"processor": ProcessorFactory(school=school)},
        {"partner_service": PartnerServiceFactory(authority=organisation)},
        {"body": ExternalRecipientFactory(authority=organisation)},
    ][next(serial) % 3]
    DataFlowFactory(
        authority=organisation, school=school, **recipient,
        data_objects=DataObjectFactory.create_batch(2, authority=organisation),
        lawful_bases=[LawfulBasisFactory(), StatuteFactory(code=f"Act {next(serial)}")],
    )  # fmt: skip


def a_supplier(organisation: Authority) -> None:
    supplier = ProcessorFactory(school=SchoolFactory(authority=organisation))
    supplier.certifications.add(CertificationFactory(), CertificationFactory(name="ISO 9001"))
    DataFlowFactory(authority=organisation, school=supplier.school, processor=supplier)


def a_service(organisation: Authority) -> None:
    partner = PartnerServiceFactory(authority=organisation)
    DesignatedOfficerFactory(partner=partner)
    DataFlowFactory(authority=organisation, partner_service=partner)


def an_offering(organisation: Authority) -> None:
    offering = OfferingFactory(authority=organisation)
    SubscriptionFactory(school=SchoolFactory(authority=organisation), offering=offering)
    DataFlowFactory(authority=organisation, offering=offering, body=ExternalRecipientFactory())


def a_basis(organisation: Authority) -> None:
    law = StatuteFactory(code=f"Education Act {next(serial)}", url="https://example.org/act")
    DataFlowFactory(authority=organisation, lawful_bases=[LawfulBasisFactory(), law])
    ExternalRecipientFactory(laws=[law])


def a_category(organisation: Authority) -> None:
    special = LawfulBasisFactory(code="Art 9(2)(b)", kind="art9", title="Employment")
    obj = DataObjectFactory(
        school=SchoolFactory(authority=organisation), is_special_category=True,
        art9_condition=special,
    )  # fmt: skip
    DataFlowFactory(
        authority=organisation, school=obj.school, data_objects=[obj],
        lawful_bases=[LawfulBasisFactory(), special],
    )  # fmt: skip


def a_rule(organisation: Authority) -> None:
    DataFlowFactory(authority=organisation, retention_rule=RetentionRuleFactory(
        authority=organisation
    ))  # fmt: skip


def a_recipient(organisation: Authority) -> None:
    school = SchoolFactory(authority=organisation)
    body = ExternalRecipientFactory(school=school, laws=[StatuteFactory()])
    DataFlowFactory(authority=organisation, school=school, body=body)


def a_purpose(organisation: Authority) -> None:
    school = SchoolFactory(authority=organisation)
    PurposeFactory(
        school=school, categories=[DataObjectFactory(school=school)],
        lawful_bases=[LawfulBasisFactory(), LawfulBasisFactory(code="Art 6(1)(c)")],
    )  # fmt: skip


def a_system(organisation: Authority) -> None:
    school = SchoolFactory(authority=organisation)
    supplier = ProcessorFactory() if next(serial) % 2 else None
    StorageSystemFactory(
        school=school, supplier=supplier, categories=[DataObjectFactory(school=school)]
    )


def an_organisation(organisation: Authority) -> None:
    SchoolFactory(authority=AuthorityFactory(kind=Authority.Kind.TRUST))


def a_subscription(organisation: Authority) -> None:
    SubscriptionFactory(
        school=SchoolFactory(authority=organisation),
        offering=OfferingFactory(authority=organisation),
        start_date=datetime.date(2025, 9, 1),
    )


def a_person(organisation: Authority) -> None:
    UserFactory().schools.add(SchoolFactory(authority=organisation))


def an_officer(organisation: Authority) -> None:
    DesignatedOfficerFactory(partner=PartnerServiceFactory(authority=organisation))


def a_certification(organisation: Authority) -> None:
    CertificationFactory(name=f"Certification {next(serial)}")


MAKERS: dict[type[models.Model], Callable[[Authority], None]] = {
    Authority: an_organisation,
    School: a_school,
    DataFlow: a_flow,
    Processor: a_supplier,
    PartnerService: a_service,
    Offering: an_offering,
    LawfulBasis: a_basis,
    DataObject: a_category,
    RetentionRule: a_rule,
    ExternalRecipient: a_recipient,
    Purpose: a_purpose,
    StorageSystem: a_system,
    Subscription: a_subscription,
    User: a_person,
    DesignatedOfficer: an_officer,
    Certification: a_certification,
}


@pytest.mark.parametrize("model", list(MAKERS), ids=lambda model: model.__name__)
def test_a_list_of_twenty_makes_no_more_queries_than_a_list_of_one(
    staff_client: Client, django_assert_max_num_queries, model
) -> None:
    organisation = AuthorityFactory()
    url = admin_url(model, "changelist")
    MAKERS[model](organisation)
    staff_client.get(url)  # warm up: session, content types
    with CaptureQueriesContext(connection) as one:
        shown = staff_client.get(url).context["cl"].result_count

    for _ in range(19):
        MAKERS[model](organisation)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = staff_client.get(url)

    assert response.context["cl"].result_count == shown + 19
