"""The registry: the source of truth every document is derived from."""

from governance.audit import audit_links
from governance.models.access import AccessEvent
from governance.models.accounts import User
from governance.models.catalogue import DataObject, LawfulBasis, RetentionRule
from governance.models.flows import DataFlow
from governance.models.offerings import Offering, Subscription
from governance.models.organisations import (
    Authority,
    DesignatedOfficer,
    Nation,
    PartnerService,
    Reach,
    School,
)
from governance.models.register import (
    Audience,
    ExternalRecipient,
    Leaves,
    Purpose,
    RecipientLink,
    StorageSystem,
)
from governance.models.tokens import ApiToken

__all__ = [
    "AccessEvent",
    "ApiToken",
    "Audience",
    "Authority",
    "DataFlow",
    "DataObject",
    "DesignatedOfficer",
    "ExternalRecipient",
    "LawfulBasis",
    "Leaves",
    "Nation",
    "Offering",
    "PartnerService",
    "Purpose",
    "Reach",
    "RecipientLink",
    "RetentionRule",
    "School",
    "StorageSystem",
    "Subscription",
    "User",
]

audit_links(DataFlow.data_objects.through, app_label="governance", model_name="DataFlowObjectEvent")
audit_links(DataFlow.lawful_bases.through, app_label="governance", model_name="DataFlowBasisEvent")
audit_links(User.schools.through, app_label="governance", model_name="UserSchoolEvent")
audit_links(ExternalRecipient.laws.through, app_label="governance", model_name="RecipientLawEvent")
audit_links(
    ExternalRecipient.lawful_bases.through,
    app_label="governance",
    model_name="RecipientBasisEvent",
)
audit_links(Purpose.lawful_bases.through, app_label="governance", model_name="PurposeBasisEvent")
audit_links(Purpose.laws.through, app_label="governance", model_name="PurposeLawEvent")
audit_links(Purpose.categories.through, app_label="governance", model_name="PurposeCategoryEvent")
audit_links(
    StorageSystem.categories.through, app_label="governance", model_name="SystemCategoryEvent"
)
