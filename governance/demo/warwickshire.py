"""Load Warwickshire County Council's ICT Development Service (seeds 000, 001, 004): its data
categories (the SIF objects) and retention rules, partner services, suppliers, offerings,
schools, flows and agreement. Every lookup starts from Warwickshire."""

from governance.demo import agreement as agreement_seed
from governance.demo import catalogue, suppliers, world
from governance.demo.loader import Loader, with_conditions
from governance.demo.register import load_school
from governance.models import (
    Authority,
    DataFlow,
    DataObject,
    DesignatedOfficer,
    LawfulBasis,
    Offering,
    PartnerService,
    Purpose,
    RetentionRule,
    Subscription,
)
from governance.services import check_flow
from processors.models import Certification, Processor, ProcessorLink

Bases = dict[str, LawfulBasis]


def load_warwickshire(loader: Loader, bases: Bases) -> Authority:
    """Load Warwickshire's world; return the organisation."""
    authority = loader.upsert(Authority, {"name": world.AUTHORITY["name"]}, world.AUTHORITY)
    _load_catalogue(loader, authority, bases)
    partners = _load_partners(loader, authority)
    processors = _load_processors(loader, authority)
    offerings = {
        name: loader.upsert(Offering, {"authority": authority, "name": name}, {"description": text})
        for name, text in world.OFFERINGS.items()
    }
    _load_schools(loader, authority, offerings)
    _load_purposes(loader, authority, bases)
    _retire_flows(loader, authority)
    _load_flows(loader, authority, bases, partners, processors, offerings)
    _load_agreement(loader, authority)
    return authority


def _load_catalogue(loader: Loader, authority: Authority, bases: Bases) -> None:
    for sif_name, subject, title, fields, special in catalogue.DATA_OBJECTS:
        values = {
            "data_subject": subject,
            "title": title,
            "fields_description": fields,
            "obligation": catalogue.OBLIGATIONS[sif_name][0],
            "source": catalogue.OBLIGATIONS[sif_name][1],
            "is_special_category": bool(special),
            "special_category_note": special,
            "art9_condition": bases[catalogue.SPECIAL[subject]["art9"]] if special else None,
            "dpa_condition": bases[catalogue.SPECIAL[subject]["dpa"]] if special else None,
        }
        loader.upsert(DataObject, {"authority": authority, "sif_name": sif_name}, values)
    for name, period, unit, event, description, end_action in catalogue.RETENTION_RULES:
        values = {
            "period_value": period,
            "period_unit": unit,
            "event": event,
            "description": description,
            "end_action": end_action,
        }
        loader.upsert(RetentionRule, {"authority": authority, "name": name}, values)


def _load_purposes(loader: Loader, authority: Authority, bases: Bases) -> None:
    objects = {o.sif_name: o for o in DataObject.objects.filter(authority=authority, school=None)}
    for position, (description, audience, codes, names, laws) in enumerate(world.PURPOSES):
        purpose = loader.upsert(
            Purpose,
            {"authority": authority, "school": None, "audience": audience,
             "description": description},
            {"position": position},
        )  # fmt: skip
        used = [objects[name] for name in names]
        loader.set_m2m(purpose.lawful_bases, with_conditions(used, [bases[c] for c in codes]),
                       "purpose lawful bases")  # fmt: skip
        loader.set_m2m(purpose.laws, [bases[code] for code in laws], "purpose laws")
        loader.set_m2m(purpose.categories, used, "purpose data categories")


def _load_partners(loader: Loader, authority: Authority) -> dict[str, PartnerService]:
    partners = {}
    for name, (short, purpose, gateway, party, officers) in world.PARTNERS.items():
        values = {
            "short_name": short,
            "purpose": purpose,
            "statutory_gateway": gateway,
            "is_agreement_party": party,
        }
        partner = loader.upsert(PartnerService, {"authority": authority, "name": name}, values)
        for officer, position, email in officers:
            loader.upsert(
                DesignatedOfficer,
                {"partner": partner, "email": email},
                {"name": officer, "position": position},
            )
        partners[name] = partner
    return partners


def _load_processors(loader: Loader, authority: Authority) -> dict[str, Processor]:
    certs = {
        name: loader.upsert(Certification, {"name": name}, {"description": text})
        for name, text in suppliers.CERTIFICATIONS
    }
    processors = {}
    for name, spec in suppliers.PROCESSORS.items():
        values = {k: v for k, v in spec.items() if k not in {"certs", "links", "retention"}}
        values["retention_rule"] = RetentionRule.objects.get(
            authority=authority, name=spec["retention"]
        )
        processor = loader.upsert(Processor, {"school": None, "name": name}, values)
        wanted = [certs[c] for c in spec.get("certs", [])]
        loader.set_m2m(processor.certifications, wanted, "processor certifications")
        for label, url in spec.get("links", []):
            loader.upsert(ProcessorLink, {"processor": processor, "url": url}, {"label": label})
        processors[name] = processor
    return processors


def _load_schools(loader: Loader, authority: Authority, offerings: dict[str, Offering]) -> None:
    for spec in world.SCHOOLS:
        school = load_school(loader, authority, spec)
        for offering, start, end in spec["subscriptions"]:
            loader.upsert(
                Subscription,
                {"school": school, "offering": offerings[offering], "start_date": start},
                {"end_date": end},
            )


def _retire_flows(loader: Loader, authority: Authority) -> None:
    """Delete the flows an earlier demo loaded that the registry no longer allows."""
    for offering, supplier, purpose in world.RETIRED_FLOWS:
        retired = DataFlow.objects.filter(
            authority=authority,
            offering__authority=authority,
            offering__name=offering,
            school=None,
            processor__school=None,
            processor__name=supplier,
            purpose=purpose,
        )
        loader.delete(retired, "retired demo flows removed")


def _load_flows(
    loader: Loader,
    authority: Authority,
    bases: Bases,
    partners: dict[str, PartnerService],
    processors: dict[str, Processor],
    offerings: dict[str, Offering],
) -> None:
    objects = {
        o.sif_name: o
        for o in DataObject.objects.filter(authority=authority, school=None)
        .exclude(sif_name="")
        .select_related("art9_condition", "dpa_condition")
    }
    seeded = [objects[sif_name] for sif_name, *_ in catalogue.DATA_OBJECTS]
    for offering, kind, recipient, purpose, names, codes, frequency, transport, keep in world.FLOWS:
        carried = seeded if names == world.FLOW_OBJECTS_ALL else [objects[n] for n in names]
        lookup = {
            "authority": authority,
            "offering": offerings[offering] if offering else None,
            "school": None,
            "partner_service": partners[recipient] if kind == "partner" else None,
            "processor": processors[recipient] if kind == "processor" else None,
            "body": None,
            "purpose": purpose,
        }
        values = {
            "frequency": frequency,
            "transport": transport,
            "retention_rule": RetentionRule.objects.get(authority=authority, name=keep),
        }
        cited = with_conditions(carried, [bases[c] for c in codes])
        check_flow(flow=DataFlow(**lookup, **values), data_objects=carried, lawful_bases=cited)
        flow = loader.upsert(DataFlow, lookup, values)
        loader.set_m2m(flow.data_objects, carried, "flow data objects")
        loader.set_m2m(flow.lawful_bases, cited, "flow lawful bases")


def _load_agreement(loader: Loader, authority: Authority) -> None:
    """The agreement of seed 001, with a first draft of its clauses if it has no version."""
    from agreements.models import Agreement
    from agreements.services import start_draft

    agreement = loader.upsert(
        Agreement,
        {"authority": authority, "title": agreement_seed.TITLE},
        {"schools_description": agreement_seed.SCHOOLS},
    )
    if not agreement.versions.exists():
        start_draft(agreement=agreement, defaults=agreement_seed.CLAUSES)
        loader.written["agreement versions"] += 1
