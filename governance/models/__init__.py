"""The registry: the source of truth every document is derived from."""

from governance.audit import audit_links
from governance.models.access import AccessEvent
from governance.models.accounts import User
from governance.models.catalogue import DataObject, LawfulBasis, RetentionRule
from governance.models.flows import DataFlow
from governance.models.offerings import Offering, Subscription
from governance.models.organisations import Authority, DesignatedOfficer, PartnerService, School

__all__ = [
    "AccessEvent",
    "Authority",
    "DataFlow",
    "DataObject",
    "DesignatedOfficer",
    "LawfulBasis",
    "Offering",
    "PartnerService",
    "RetentionRule",
    "School",
    "Subscription",
    "User",
]

audit_links(DataFlow.data_objects.through, app_label="governance", model_name="DataFlowObjectEvent")
audit_links(DataFlow.lawful_bases.through, app_label="governance", model_name="DataFlowBasisEvent")
audit_links(User.schools.through, app_label="governance", model_name="UserSchoolEvent")
