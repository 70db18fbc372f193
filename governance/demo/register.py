"""Load one organisation of the demo world from its specs (``governance.demo.specs``): the
organisation, its schools, and its schools' register (categories, purposes, systems, public
bodies and other recipients, flows). Every lookup starts from the organisation, so another
organisation's records of the same names are never read or written."""

from typing import Any

from django.core.exceptions import ValidationError

from governance.demo.loader import Loader, with_conditions
from governance.demo.specs import BODY, NATIONAL, Category, Flow, Organisation, Supplier
from governance.models import (
    Authority,
    DataFlow,
    DataObject,
    ExternalRecipient,
    LawfulBasis,
    Purpose,
    School,
    StorageSystem,
    Subscription,
)
from governance.services import check_flow
from processors.models import Processor

Bases = dict[str, LawfulBasis]


def load_school(loader: Loader, authority: Authority, spec: dict[str, Any]) -> School:
    """Create or update a demo school of ``authority``, dropping any subscription it kept to
    another organisation's offering (a school that moved organisation)."""
    values = {k: v for k, v in spec.items() if k not in {"urn", "subscriptions"}}
    school = loader.upsert(School, {"urn": spec["urn"]}, {**values, "authority": authority})
    foreign = Subscription.objects.filter(school=school).exclude(offering__authority=authority)
    loader.delete(foreign, "subscriptions to another organisation removed")
    return school


def load_supplier(loader: Loader, spec: Supplier, school: School | None = None) -> Processor:
    """Create or update a supplier: shared by everyone, or one school's own."""
    values = {"service_description": spec.description, "role": spec.role}
    if spec.products:
        values["products"] = spec.products
    return loader.upsert(Processor, {"school": school, "name": spec.name}, values)


def load_organisation(
    loader: Loader, spec: Organisation, bases: Bases, suppliers: dict[str, Processor]
) -> Authority:
    """Load ``spec``; ``bases`` are every lawful basis and law by code, ``suppliers`` the
    shared suppliers by name."""
    authority = loader.upsert(Authority, {"name": spec.fields["name"]}, spec.fields)
    schools = {s["urn"]: load_school(loader, authority, s) for s in spec.schools}
    owner = {"": None, **schools}
    owned = {s.name: load_supplier(loader, s, owner[s.school]) for s in spec.suppliers}
    suppliers = {**suppliers, **owned}
    categories = {
        c.key: _load_category(loader, authority, c, owner, bases) for c in spec.categories
    }
    _load_purposes(loader, authority, spec, owner, categories, bases)
    _load_systems(loader, authority, spec, owner, categories, suppliers)
    bodies = _load_bodies(loader, authority, spec, owner)
    for flow in spec.flows:
        recipient = _recipient(flow, bodies, suppliers)
        _load_flow(loader, authority, flow, owner[flow.school], recipient, categories, bases)
    return authority


def _load_category(
    loader: Loader,
    authority: Authority,
    category: Category,
    owner: dict[str, School | None],
    bases: Bases,
) -> DataObject:
    lookup = {
        "authority": authority,
        "school": owner[category.school],
        "data_subject": category.subject,
        "title": category.title,
    }
    values = {
        "fields_description": category.fields,
        "obligation": category.obligation,
        "source": category.source,
        "is_special_category": bool(category.special),
        "special_category_note": category.special,
        "art9_condition": bases.get(category.art9),
        "dpa_condition": bases.get(category.dpa),
    }
    return loader.upsert(DataObject, lookup, values)


def _load_purposes(
    loader: Loader,
    authority: Authority,
    spec: Organisation,
    owner: dict[str, School | None],
    categories: dict[str, DataObject],
    bases: Bases,
) -> None:
    for position, purpose in enumerate(spec.purposes):
        if "Art 6(1)(f)" in purpose.bases and not purpose.interest:
            raise ValidationError(f"“{purpose.description}” relies on legitimate interests: "
                                  "say which interest.")  # fmt: skip
        values: dict[str, Any] = {"position": position}
        if purpose.interest:
            values["legitimate_interest"] = purpose.interest
        row = loader.upsert(
            Purpose,
            {"authority": authority, "school": owner[purpose.school],
             "audience": purpose.audience, "description": purpose.description},
            values,
        )  # fmt: skip
        carried = [categories[key] for key in purpose.categories]
        cited = with_conditions(carried, [bases[code] for code in purpose.bases])
        loader.set_m2m(row.lawful_bases, cited, "purpose lawful bases")
        loader.set_m2m(row.laws, [bases[code] for code in purpose.laws], "purpose laws")
        loader.set_m2m(row.categories, carried, "purpose data categories")


def _load_systems(
    loader: Loader,
    authority: Authority,
    spec: Organisation,
    owner: dict[str, School | None],
    categories: dict[str, DataObject],
    suppliers: dict[str, Processor],
) -> None:
    for system in spec.systems:
        row = loader.upsert(
            StorageSystem,
            {"authority": authority, "school": owner[system.school], "name": system.name},
            {"kind": system.kind, "description": system.description,
             "supplier": suppliers[system.supplier] if system.supplier else None,
             "in_house": not system.supplier, "audience": system.audience},
        )  # fmt: skip
        carried = [categories[key] for key in system.categories]
        loader.set_m2m(row.categories, carried, "storage system data categories")


def _load_bodies(
    loader: Loader, authority: Authority, spec: Organisation, owner: dict[str, School | None]
) -> dict[str, ExternalRecipient]:
    bodies = {}
    for body in spec.bodies:
        values = {"kind": body.kind, "role": body.role, "reach": body.reach, "why": body.why}
        for field in ("data_sent", "website", "details"):
            if getattr(body, field):
                values[field] = getattr(body, field)
        bodies[body.name] = loader.upsert(
            ExternalRecipient,
            {"authority": authority, "school": owner[body.school], "name": body.name},
            values,
        )
    return bodies


def _recipient(
    flow: Flow, bodies: dict[str, ExternalRecipient], suppliers: dict[str, Processor]
) -> dict[str, Any]:
    """Return the flow's recipient as the DataFlow fields that name it."""
    if flow.to_kind == NATIONAL:
        body = ExternalRecipient.objects.get(authority=None, name=flow.to)
        return {"body": body, "processor": None}
    if flow.to_kind == BODY:
        return {"body": bodies[flow.to], "processor": None}
    return {"body": None, "processor": suppliers[flow.to]}


def _load_flow(
    loader: Loader,
    authority: Authority,
    flow: Flow,
    school: School | None,
    recipient: dict[str, Any],
    categories: dict[str, DataObject],
    bases: Bases,
) -> None:
    lookup = {"authority": authority, "offering": None, "school": school,
              "partner_service": None, **recipient, "purpose": flow.purpose}  # fmt: skip
    values = {"frequency": flow.frequency}
    if flow.description:
        values["description"] = flow.description
    carried = [categories[key] for key in flow.categories]
    cited = with_conditions(carried, [bases[code] for code in flow.bases])
    check_flow(flow=DataFlow(**lookup, **values), data_objects=carried, lawful_bases=cited)
    row = loader.upsert(DataFlow, lookup, values)
    loader.set_m2m(row.data_objects, carried, "flow data objects")
    loader.set_m2m(row.lawful_bases, cited, "flow lawful bases")
