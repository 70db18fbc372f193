"""``/api/v1/``: the registry's resources (kebab-case plurals; schools by URN)."""

from csp.decorators import csp_update
from django.db.models import Q
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from governance.api import documents, roles, schema  # noqa: F401  (schema: registers the token scheme)
from governance.api.views import resource
from governance.models import (
    Authority,
    DataFlow,
    DataObject,
    ExternalRecipient,
    LawfulBasis,
    Offering,
    PartnerService,
    Purpose,
    RetentionRule,
    School,
    StorageSystem,
    Subscription,
)
from processors.models import Processor

app_name = "api"

RESOURCES = {
    "organisations": resource(
        Authority, lambda schools, organisations: Q(pk__in=organisations),
        ordering=("name",), filters=("kind",), search=("name", "service_name"),
    ),
    "schools": resource(
        School, lambda schools, organisations: Q(pk__in=schools),
        select=("authority",), ordering=("name",), lookup="urn",
        filters=("authority", "nation", "phase", "school_type", "mis"),
        search=("name", "urn", "dfe_number", "postcode"),
    ),
    "services": resource(
        PartnerService, roles.of_organisation, ordering=("authority", "name"),
        filters=("authority", "relationship", "is_agreement_party"), search=("name", "short_name"),
    ),
    "suppliers": resource(
        Processor, roles.suppliers, kind="suppliers", select=("school",),
        prefetch=("certifications", "sub_processors"), ordering=("name", "pk"),
        filters=("role", "data_leaves_uk", "school"), search=("name", "products"),
    ),
    "other-recipients": resource(
        ExternalRecipient, roles.owned_or_national, kind="recipients", select=("school",),
        prefetch=("laws", "lawful_bases"), ordering=("kind", "name", "pk"),
        filters=("authority", "school", "kind", "role", "reach", "audience", "scope", "is_active"),
        search=("name",),
        doc="Public bodies and other recipients: public bodies, other schools and other "
        "independent controllers.",
    ),
    "offerings": resource(
        Offering, roles.of_organisation, ordering=("authority", "name"),
        filters=("authority", "is_active"), search=("name",),
    ),
    "subscriptions": resource(
        Subscription, roles.of_school, select=("school",), ordering=("school", "offering", "pk"),
        filters=("school", "offering"),
    ),
    "data-categories": resource(
        DataObject, roles.owned, kind="categories", select=("school",),
        ordering=("authority", "title", "pk"),
        filters=("authority", "school", "data_subject", "is_special_category", "obligation"),
        search=("title", "sif_name"),
    ),
    "lawful-bases": resource(
        LawfulBasis, roles.everyone, ordering=("kind", "code"), filters=("kind", "reach"),
        search=("code", "title"),
    ),
    "retention-rules": resource(
        RetentionRule, roles.of_organisation, ordering=("authority", "name"),
        filters=("authority",), search=("name",),
    ),
    "flows": resource(
        DataFlow, roles.owned, kind="flows", select=("school",),
        prefetch=("data_objects", "lawful_bases"), ordering=("authority", "purpose", "pk"),
        filters=("authority", "school", "offering", "partner_service", "processor", "body",
                 "frequency", "is_active"),
        search=("purpose",),
    ),
    "systems": resource(
        StorageSystem, roles.owned, kind="systems", select=("school",),
        prefetch=("categories",), ordering=("name", "pk"),
        filters=("authority", "school", "kind", "supplier", "in_house", "audience"),
        search=("name",),
    ),
    "purposes": resource(
        Purpose, roles.owned, kind="purposes", select=("school",),
        prefetch=("lawful_bases", "laws", "categories"), ordering=("audience", "position", "pk"),
        filters=("authority", "school", "audience"), search=("description",),
    ),
}  # fmt: skip

DOCUMENTS = {
    "notice-versions": documents.NoticeVersionViewSet,
    "agreement-versions": documents.AgreementVersionViewSet,
    "signatures": documents.SignatureViewSet,
    "sign-off-log": documents.SignOffLogViewSet,
}

router = DefaultRouter()
router.include_format_suffixes = False  # JSON only: no .json/.api URLs
for prefix, viewset in {**RESOURCES, **DOCUMENTS}.items():
    router.register(prefix, viewset, basename=prefix)

urlpatterns = [
    # The OpenAPI 3 schema, and its interactive docs: assets from drf-spectacular-sidecar,
    # served by this site; the page's script comes from its own URL (the CSP allows no inline
    # script). Swagger UI sets style attributes as it draws: allowed on that page only.
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        csp_update({"style-src": ["'unsafe-inline'"]})(
            SpectacularSwaggerSplitView.as_view(url_name="api:schema")
        ),
        name="docs",
    ),
    *router.urls,
]
