"""The registry: the source of truth every document is derived from."""

from governance.models.accounts import User
from governance.models.catalogue import DataObject, LawfulBasis, RetentionRule
from governance.models.flows import DataFlow
from governance.models.offerings import Offering, Subscription
from governance.models.organisations import Authority, DesignatedOfficer, PartnerService, School

__all__ = [
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
