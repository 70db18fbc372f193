"""The whole-register migration keeps every existing flow, notice version and supplier fact.

Runs the real migrations backwards to the registry as it was before (categories and retention
rules shared by every authority, a yes/no transfer flag), writes rows the old way, and migrates
forwards again.
"""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("governance", "0005_audit_trail"),
    ("processors", "0002_audit_trail"),
    ("notices", "0001_initial"),
]
AFTER = [("governance", "0008_register_owners_required"), ("processors", "0003_whole_register")]


def _migrate(targets):
    """Migrate to ``targets``; return the models as they stood there. (The state ``migrate``
    returns after a backwards plan is that of the last migration it unapplied, which need
    not be one of the targets' apps.)"""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


def _drop_what_the_old_schema_cannot_hold() -> None:
    """Laws have citations longer than the old 40-character codes: remove the national
    records before going back (they are seeded again after the test)."""
    from django.apps import apps

    from governance.models import ExternalRecipient, LawfulBasis

    ExternalRecipient.objects.all().delete()
    LawfulBasis.objects.filter(kind="statute").delete()
    if apps.is_installed("pghistory") and connection.vendor == "postgresql":
        # The audit trail copied the laws' rows too.
        apps.get_model("governance", "LawfulBasisEvent").objects.all().delete()


def _old_world(apps):
    Authority = apps.get_model("governance", "Authority")
    School = apps.get_model("governance", "School")
    DataObject = apps.get_model("governance", "DataObject")
    RetentionRule = apps.get_model("governance", "RetentionRule")
    LawfulBasis = apps.get_model("governance", "LawfulBasis")
    PartnerService = apps.get_model("governance", "PartnerService")
    DataFlow = apps.get_model("governance", "DataFlow")
    Processor = apps.get_model("processors", "Processor")
    NoticeVersion = apps.get_model("notices", "NoticeVersion")

    first = Authority.objects.create(name="First Council", service_name="ICT", address="1 St")
    second = Authority.objects.create(name="Second Council", service_name="ICT", address="2 St")
    school = School.objects.create(
        authority=first, urn="900001", dfe_number="900/0001", name="Old School",
        phase="primary", school_type="maintained", address="Lane", postcode="AB1 2CD",
    )  # fmt: skip
    draft_school = School.objects.create(
        authority=second, urn="900002", dfe_number="900/0002", name="Never Rendered",
        phase="primary", school_type="maintained", address="Lane", postcode="AB1 2CD",
    )  # fmt: skip
    shared = DataObject.objects.create(
        sif_name="LearnerPersonal", title="Pupil details", data_subject="pupil",
        fields_description="Name",
    )  # fmt: skip
    unused = DataObject.objects.create(
        sif_name="LearnerPhoto", title="Photo", data_subject="pupil", fields_description="Photo"
    )
    rule = RetentionRule.objects.create(
        name="Subscription", period_value=12, period_unit="months", description="12 months"
    )
    basis, _ = LawfulBasis.objects.get_or_create(
        code="Art 6(1)(e)", defaults={"kind": "art6", "title": "Public task", "plain_text": "x"}
    )
    for authority in (first, second):
        partner = PartnerService.objects.create(authority=authority, name="Admissions",
                                                purpose="Admissions")  # fmt: skip
        flow = DataFlow.objects.create(
            authority=authority, partner_service=partner, purpose="Plan places",
            frequency="weekly", transport="SIF", retention_rule=rule,
        )  # fmt: skip
        flow.data_objects.add(shared)
        flow.lawful_bases.add(basis)
    Processor.objects.create(name="Abroad Ltd", service_description="x",
                             transfers_outside_uk=True, transfer_safeguards="IDTA")  # fmt: skip
    Processor.objects.create(name="Silent Ltd", service_description="x")
    NoticeVersion.objects.create(
        school=school, audience="pupils", number=1, content={"title": "Old notice"},
        content_hash="a" * 64, html="<p>Old body</p>", pdf="notices/900001/pupils-v1.pdf",
        status="rendered",
    )  # fmt: skip
    return {"school": school.pk, "draft": draft_school.pk, "shared": shared.pk,
            "unused": unused.pk, "first": first.pk, "second": second.pk}  # fmt: skip


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite rebuilds every altered table (minutes); runs on PostgreSQL in CI",
)
@pytest.mark.django_db(transaction=True)
def test_existing_rows_survive_the_whole_register_migration() -> None:
    _drop_what_the_old_schema_cannot_hold()
    try:
        ids = _old_world(_migrate(BEFORE))
        apps = _migrate(AFTER)
        DataObject = apps.get_model("governance", "DataObject")
        DataFlow = apps.get_model("governance", "DataFlow")
        RetentionRule = apps.get_model("governance", "RetentionRule")

        # The shared category now belongs to the first authority; the second has its own copy,
        # and each authority's flow still carries a category of the same title.
        assert DataObject.objects.get(pk=ids["shared"]).authority_id == ids["first"]
        copy = DataObject.objects.get(authority_id=ids["second"], sif_name="LearnerPersonal")
        assert copy.pk != ids["shared"]
        for authority in (ids["first"], ids["second"]):
            flow = DataFlow.objects.get(authority_id=authority)
            assert [o.authority_id for o in flow.data_objects.all()] == [authority]
            assert flow.retention_rule.authority_id == authority
            assert flow.retention_rule.name == "Subscription"
        assert DataObject.objects.get(pk=ids["unused"]).authority_id == ids["first"]
        assert RetentionRule.objects.count() == 2

        Processor = apps.get_model("processors", "Processor")
        assert Processor.objects.get(name="Abroad Ltd").data_leaves_uk == "yes"
        assert Processor.objects.get(name="Silent Ltd").data_leaves_uk == "unknown"

        School = apps.get_model("governance", "School")
        assert School.objects.get(pk=ids["school"]).notices_published_at is not None
        assert School.objects.get(pk=ids["draft"]).notices_published_at is None
        version = apps.get_model("notices", "NoticeVersion").objects.get(school_id=ids["school"])
        assert (version.status, version.html, version.content) == (
            "rendered", "<p>Old body</p>", {"title": "Old notice"},
        )  # fmt: skip
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
