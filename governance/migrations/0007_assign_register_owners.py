"""Give every existing data category and retention rule its organisation, and keep existing
schools' notices public.

Before this, categories (then “data objects”) and retention rules were shared by every
authority. Each now belongs to the organisation whose flows use it; one used by several
organisations is copied for each, and their flows (and suppliers' own retention) point at the
copy, so every flow keeps exactly the data and retention it had. Rows nobody used go to the
first organisation. Schools already served by the old rules had public notices: they count as
published, so nothing that was public disappears.
"""

from django.db import migrations
from django.utils import timezone


def _first_authority(apps):
    Authority = apps.get_model("governance", "Authority")
    first = Authority.objects.order_by("pk").first()
    if first is None:
        first = Authority.objects.create(
            name="Organisation (set up after upgrade)",
            service_name="Data service",
            address="",
        )
    return first


def _assign(apps, model, flows_filter, link):
    """Give each row of ``model`` the organisation of the flows using it, copying per extra
    organisation; ``link(row, copy, authority_id)`` re-points that organisation's users."""
    DataFlow = apps.get_model("governance", "DataFlow")
    rows = list(model.objects.filter(authority__isnull=True))
    if not rows:
        return
    default = None
    for row in rows:
        owners = sorted(
            set(DataFlow.objects.filter(**{flows_filter: row}).values_list("authority_id", flat=True))
        )
        if not owners:
            default = default or _first_authority(apps)
            owners = [default.pk]
        row.authority_id = owners[0]
        row.save(update_fields=["authority"])
        for authority_id in owners[1:]:
            copy = model.objects.get(pk=row.pk)
            copy.pk = None
            copy.authority_id = authority_id
            copy.save()
            link(row, copy, authority_id)


def _backfill_events(apps):
    """The audit trail's earlier rows copy the row as it was, without an organisation: give
    them the organisation of the record they describe (the first one for deleted records)."""
    for name, model_name in (("DataObjectEvent", "DataObject"), ("RetentionRuleEvent", "RetentionRule")):
        Event = apps.get_model("governance", name)
        Model = apps.get_model("governance", model_name)
        owners = dict(Model.objects.values_list("pk", "authority_id"))
        for event in Event.objects.filter(authority__isnull=True):
            event.authority_id = owners.get(event.pgh_obj_id) or _first_authority(apps).pk
            event.save(update_fields=["authority"])


def assign_owners(apps, schema_editor):
    DataFlow = apps.get_model("governance", "DataFlow")
    DataObject = apps.get_model("governance", "DataObject")
    RetentionRule = apps.get_model("governance", "RetentionRule")
    School = apps.get_model("governance", "School")
    NoticeVersion = apps.get_model("notices", "NoticeVersion")

    def relink_object(row, copy, authority_id):
        for flow in DataFlow.objects.filter(authority_id=authority_id, data_objects=row):
            flow.data_objects.remove(row)
            flow.data_objects.add(copy)

    def relink_rule(row, copy, authority_id):
        DataFlow.objects.filter(authority_id=authority_id, retention_rule=row).update(
            retention_rule=copy
        )

    _assign(apps, DataObject, "data_objects", relink_object)
    _assign(apps, RetentionRule, "retention_rule", relink_rule)
    _backfill_events(apps)
    published = NoticeVersion.objects.filter(status="rendered").values("school_id")
    School.objects.filter(pk__in=published, notices_published_at__isnull=True).update(
        notices_published_at=timezone.now()
    )


class Migration(migrations.Migration):
    dependencies = [
        ("governance", "0006_whole_register"),
        ("notices", "0001_initial"),
        ("processors", "0003_whole_register"),
    ]

    operations = [migrations.RunPython(assign_owners, migrations.RunPython.noop)]
