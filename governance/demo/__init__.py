"""Load the world of the seed documents into the registry. Safe to run again: it only writes
what differs, so a second run changes nothing."""

from collections import Counter
from collections.abc import Sequence
from typing import Any, TypeVar

from django.db import models, transaction

from governance.demo import agreement as agreement_seed
from governance.demo import catalogue, world
from governance.models import (
    Authority,
    DataFlow,
    DataObject,
    DesignatedOfficer,
    LawfulBasis,
    Offering,
    PartnerService,
    RetentionRule,
    School,
    Subscription,
)
from governance.services import check_flow_bases
from processors.models import Certification, Processor, ProcessorLink

M = TypeVar("M", bound=models.Model)


class _Loader:
    def __init__(self) -> None:
        self.written: Counter[str] = Counter()

    def upsert(self, model: type[M], lookup: dict[str, Any], values: dict[str, Any]) -> M:
        """Create the row, or update only the fields that differ; count what was written."""
        obj = model._default_manager.filter(**lookup).first()
        if obj is None:
            obj = model(**{**lookup, **values})
            obj.full_clean()
            obj.save()
            self.written[str(model._meta.verbose_name_plural)] += 1
            return obj
        changed = [name for name, value in values.items() if getattr(obj, name) != value]
        if changed:
            for name in changed:
                setattr(obj, name, values[name])
            obj.full_clean()
            obj.save(update_fields=changed)
            self.written[str(model._meta.verbose_name_plural)] += 1
        return obj

    def set_m2m(self, manager: Any, wanted: Sequence[models.Model], label: str) -> None:
        if {o.pk for o in manager.all()} != {o.pk for o in wanted}:
            manager.set(wanted)
            self.written[label] += 1


def load_demo() -> dict[str, int]:
    """Load the seed documents' world; return how many rows of each kind were written."""
    loader = _Loader()
    with transaction.atomic():
        bases = _load_catalogue(loader)
        authority = loader.upsert(Authority, {"name": world.AUTHORITY["name"]}, world.AUTHORITY)
        partners = _load_partners(loader, authority)
        processors = _load_processors(loader)
        offerings = {
            name: loader.upsert(
                Offering, {"authority": authority, "name": name}, {"description": text}
            )
            for name, text in world.OFFERINGS.items()
        }
        _load_schools(loader, authority, offerings)
        _load_flows(loader, authority, bases, partners, processors, offerings)
        _load_agreement(loader, authority)
    return dict(loader.written)


def _load_agreement(loader: _Loader, authority: Authority) -> None:
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


def _load_catalogue(loader: _Loader) -> dict[str, LawfulBasis]:
    bases = {
        code: loader.upsert(
            LawfulBasis, {"code": code}, {"kind": kind, "title": title, "plain_text": text}
        )
        for kind, code, title, text in catalogue.LAWFUL_BASES
    }
    for sif_name, subject, title, fields, special in catalogue.DATA_OBJECTS:
        values = {
            "data_subject": subject,
            "title": title,
            "fields_description": fields,
            "is_special_category": bool(special),
            "special_category_note": special,
            "art9_condition": bases[catalogue.SPECIAL["art9"]] if special else None,
            "dpa_condition": bases[catalogue.SPECIAL["dpa"]] if special else None,
        }
        loader.upsert(DataObject, {"sif_name": sif_name}, values)
    for name, period, unit, event, description, end_action in catalogue.RETENTION_RULES:
        values = {
            "period_value": period,
            "period_unit": unit,
            "event": event,
            "description": description,
            "end_action": end_action,
        }
        loader.upsert(RetentionRule, {"name": name}, values)
    return bases


def _load_partners(loader: _Loader, authority: Authority) -> dict[str, PartnerService]:
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


def _load_processors(loader: _Loader) -> dict[str, Processor]:
    certs = {
        name: loader.upsert(Certification, {"name": name}, {"description": text})
        for name, text in world.CERTIFICATIONS
    }
    processors = {}
    for name, spec in world.PROCESSORS.items():
        values = {k: v for k, v in spec.items() if k not in {"certs", "links", "retention"}}
        values["retention_rule"] = RetentionRule.objects.get(name=spec["retention"])
        processor = loader.upsert(Processor, {"name": name}, values)
        wanted = [certs[c] for c in spec.get("certs", [])]
        loader.set_m2m(processor.certifications, wanted, "processor certifications")
        for label, url in spec.get("links", []):
            loader.upsert(ProcessorLink, {"processor": processor, "url": url}, {"label": label})
        processors[name] = processor
    return processors


def _load_schools(loader: _Loader, authority: Authority, offerings: dict[str, Offering]) -> None:
    for spec in world.SCHOOLS:
        values = {k: v for k, v in spec.items() if k not in {"urn", "subscriptions"}}
        school = loader.upsert(School, {"urn": spec["urn"]}, {**values, "authority": authority})
        for offering, start, end in spec["subscriptions"]:
            loader.upsert(
                Subscription,
                {"school": school, "offering": offerings[offering], "start_date": start},
                {"end_date": end},
            )


def _load_flows(
    loader: _Loader,
    authority: Authority,
    bases: dict[str, LawfulBasis],
    partners: dict[str, PartnerService],
    processors: dict[str, Processor],
    offerings: dict[str, Offering],
) -> None:
    objects = {o.sif_name: o for o in DataObject.objects.select_related("art9_condition")}
    for offering, kind, recipient, purpose, names, codes, frequency, transport, keep in world.FLOWS:
        carried = (
            list(objects.values())
            if names == world.FLOW_OBJECTS_ALL
            else [objects[n] for n in names]
        )
        cited = [bases[c] for c in codes]
        if any(o.is_special_category for o in carried):
            cited += [bases[catalogue.SPECIAL["art9"]], bases[catalogue.SPECIAL["dpa"]]]
        check_flow_bases(data_objects=carried, lawful_bases=cited)
        lookup = {
            "authority": authority,
            "offering": offerings[offering] if offering else None,
            "school": None,
            "partner_service": partners[recipient] if kind == "partner" else None,
            "processor": processors[recipient] if kind == "processor" else None,
            "purpose": purpose,
        }
        values = {
            "frequency": frequency,
            "transport": transport,
            "retention_rule": RetentionRule.objects.get(name=keep),
        }
        flow = loader.upsert(DataFlow, lookup, values)
        loader.set_m2m(flow.data_objects, carried, "flow data objects")
        loader.set_m2m(flow.lawful_bases, cited, "flow lawful bases")
