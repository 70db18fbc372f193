"""What goes into a school's privacy notice: a pure function of the registry.

``build_notice_content`` returns plain, JSON-serialisable data; templates only lay it out.
The hash of that data decides whether a new version is needed, and two contents can be
compared to tell a parent what changed. It describes the school's whole picture: what it holds
and why, where it keeps it, and every recipient, grouped by kind. Where the registry is silent
the content says nothing (``notices.gaps`` tells staff instead).
"""

import datetime
import hashlib
import json
from collections.abc import Iterable
from typing import Any

from django.db.models import TextChoices
from django.utils import timezone

from governance.models import (
    Authority,
    DataObject,
    ExternalRecipient,
    LawfulBasis,
    Purpose,
    School,
)
from governance.wording import mentions, same_meaning
from notices import recipients, statutory
from notices.register import (
    SUBJECTS,
    RegisterRows,
    bases_of,
    basis_entry,
    laws_of,
    load_register,
    load_registers,
)


class Audience(TextChoices):
    PUPILS = "pupils", "Pupils and parents"
    WORKFORCE = "workforce", "School workforce"


CONSENT_CODES = {"Art 6(1)(a)", "Art 9(2)(a)"}
LEGITIMATE_INTERESTS = "Art 6(1)(f)"


def content_hash(content: dict[str, Any]) -> str:
    """Return the SHA-256 of the content's canonical JSON: equal content, equal hash."""
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def terms(school: School) -> dict[str, str]:
    """Return the words a notice uses for this school's nation and learners."""
    learners = school.learner_term or School.LearnerTerm.PUPILS
    wales = school.nation == School.Nation.WALES
    return {
        "learners": learners,
        "learner": learners.rstrip("s"),
        "needs": "additional learning needs (ALN)" if wales else "special educational needs (SEN)",
        "plan": "individual development plan (IDP)"
        if wales
        else "education, health and care plan (EHCP)",
        "government": "the Welsh Government" if wales else "the Department for Education",
    }


def _titles(audience: Audience, words: dict[str, str]) -> tuple[str, str]:
    if audience == Audience.PUPILS:
        return (
            f"Privacy notice for {words['learners']} and parents",
            f"{words['learners']} at the school and their parents and carers",
        )
    return (
        "Privacy notice for the school workforce",
        "everyone who works at the school: employees, supply and agency staff, contractors, "
        "volunteers and governors",
    )


def _lines(*texts: str) -> list[str]:
    return [line.strip() for text in texts for line in text.splitlines() if line.strip()]


def _school(school: School) -> dict[str, Any]:
    return {
        "name": school.name,
        "urn": school.urn,
        "dfe_number": school.dfe_number,
        "address": _lines(school.address),
        "postcode": school.postcode,
        "phone": school.phone,
        "email": school.email,
        "website": school.website,
        "nation": school.nation,
        "nation_label": school.get_nation_display(),
        "phase": school.phase,
        "type_label": school.get_school_type_display(),
        "headteacher": school.headteacher,
    }


def _controller(school: School, organisation: Authority) -> dict[str, Any]:
    """The controller: a trust organisation for its academies, else the school (or its trust
    when only the trust's name is known, reached through the school)."""
    if organisation.kind == Authority.Kind.TRUST and school.school_type != School.Type.MAINTAINED:
        return {
            "name": organisation.name,
            "is_trust": True,
            "address": _lines(organisation.address),
            "phone": organisation.phone,
            "email": organisation.email,
            "ico_registration": organisation.ico_registration,
            "through_school": False,
        }
    if school.school_type != School.Type.MAINTAINED:
        # The trust is known here by name, and by its own contact details where recorded;
        # the school's address is never printed as the trust's.
        return {
            "name": school.trust_name,
            "is_trust": True,
            "address": _lines(school.trust_address),
            "phone": school.trust_phone,
            "email": school.trust_email,
            "ico_registration": school.ico_registration,
            "through_school": not (
                school.trust_address.strip() or school.trust_phone or school.trust_email
            ),
        }
    return {
        "name": school.name,
        "is_trust": False,
        "address": [*_lines(school.address), school.postcode],
        "phone": school.phone,
        "email": school.email,
        "ico_registration": school.ico_registration,
        "through_school": False,
    }


def _dpo(school: School, organisation: Authority) -> dict[str, str]:
    if school.dpo_name or school.dpo_email or organisation.kind != Authority.Kind.TRUST:
        return {"name": school.dpo_name, "email": school.dpo_email, "phone": school.dpo_phone}
    return {
        "name": organisation.dpo_name,
        "email": organisation.dpo_email,
        "phone": organisation.dpo_phone,
    }


# What a notice tells a reader about having to provide an item (its ``obligation``).
OBLIGATION_WORDS: dict[str, str] = {
    DataObject.Obligation.STATUTORY: "The law requires the school to collect or keep it.",
    DataObject.Obligation.REQUIRED: "The school needs it to provide its service; the law does "
    "not require it.",
    DataObject.Obligation.MIXED: "Some of it is required by law; the rest you can choose not "
    "to give.",
    DataObject.Obligation.VOLUNTARY: "Giving it is voluntary: you can choose not to.",
}


def _categories(rows: RegisterRows, words: dict[str, str]) -> list[dict[str, Any]]:
    shared = {o.pk for _, carried in rows.flows for o in carried}
    subject_labels = {"pupil": words["learners"].capitalize(), "contact": "Parents and carers",
                      "workforce": "School workforce"}  # fmt: skip
    return [
        {
            "title": o.title,
            "subject": subject_labels[o.data_subject],
            "fields": o.fields_description,
            "obligation": OBLIGATION_WORDS.get(o.obligation, ""),
            "source": o.source,
            "special": o.is_special_category,
            "special_note": o.special_category_note,
            "art9": basis_entry(o.art9_condition),
            "dpa": basis_entry(o.dpa_condition),
            "shared": o.pk in shared,
        }
        for o in rows.categories
    ]


def _purposes(rows: RegisterRows) -> list[dict[str, Any]]:
    subjects = {o.data_subject for o in rows.categories if o.is_special_category}
    fitting = {
        b.code
        for p in rows.purposes
        for b in bases_of(p)
        if any(b.fits(subject) for subject in subjects)
    }
    result = []
    for purpose in rows.purposes:
        bases = sorted(bases_of(purpose), key=lambda b: (b.kind, b.code))
        codes = {b.code for b in bases}
        result.append(
            {
                "description": purpose.description,
                "bases": [
                    {"code": b.code, "title": b.title}
                    for b in bases
                    if b.kind == LawfulBasis.Kind.ART6
                ],
                "conditions": recipients.condition_words(
                    [b for b in bases if b.kind in recipients.SPECIAL_KINDS and b.code in fitting]
                ),
                "laws": sorted(law.code for law in laws_of(purpose)),
                "legitimate_interest": purpose.legitimate_interest
                if LEGITIMATE_INTERESTS in codes
                else "",
                "consent": bool(codes & CONSENT_CODES),
                "categories": sorted(c.title for c in purpose.categories.all()),
            }
        )
    return result


def _systems(rows: RegisterRows) -> list[dict[str, Any]]:
    """Each system once: its name and what it holds, or only the longer of the two where
    they say the same ("Exercise books and pupil work files: Exercise books and pupil work
    files and folders"), and who provides it unless its name says so."""
    result = []
    for system in rows.systems:
        supplier = system.supplier.name if system.supplier else ""
        said_once = same_meaning(system.name, system.description)
        if supplier and mentions(system.name, supplier):
            supplier = ""
        result.append(
            {
                "name": system.name,
                "kind": system.get_kind_display(),
                "description": system.description,
                "lead": max(system.name, system.description, key=len) if said_once else "",
                "supplier": supplier,
                "in_house": system.in_house,
            }
        )
    return result


def _bases_explained(rows: RegisterRows) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Return the lawful bases and conditions relied on anywhere in the notice, and the laws."""
    special = [o for o in rows.categories if o.is_special_category]

    def relevant(bases: Any) -> dict[str, LawfulBasis]:
        """Art 6 bases and laws; Art 9 and DPA 2018 conditions only where they fit special
        category data this notice describes (no employment condition in a pupils notice)."""
        return {
            b.code: b
            for b in bases
            if b.kind not in recipients.SPECIAL_KINDS
            or any(b.fits(o.data_subject) for o in special)
        }

    found: dict[str, LawfulBasis] = {}
    for flow, carried in rows.flows:
        found.update({b.code: b for b in bases_of(flow) if b.kind not in recipients.SPECIAL_KINDS})
        found.update({b.code: b for b in recipients.special_conditions(flow, carried)})
    holders: list[Purpose | ExternalRecipient] = [*rows.purposes, *rows.bodies]
    for holder in holders:
        found.update(relevant(bases_of(holder)))
        found.update({b.code: b for b in laws_of(holder)})
    for obj in special:
        for condition in (obj.art9_condition, obj.dpa_condition):
            if condition is not None:
                found[condition.code] = condition
    kinds = dict(LawfulBasis.Kind.choices)
    ordered = sorted(found.values(), key=lambda b: (b.kind, b.code))
    bases = [
        {**(basis_entry(b) or {}), "kind": b.kind, "kind_label": kinds[b.kind]}
        for b in ordered
        if b.kind != LawfulBasis.Kind.STATUTE
    ]
    laws = [
        {"code": b.code, "plain": b.plain_text, "url": b.url}
        for b in ordered
        if b.kind == LawfulBasis.Kind.STATUTE
    ]
    return bases, laws


def _transfers(groups: list[dict[str, Any]], rows: RegisterRows) -> dict[str, Any]:
    """Say only what is known: the suppliers that store data outside the UK, and “kept in the
    UK” only when every supplier in the notice is known to keep it there."""
    suppliers = {p.pk: p for p in rows.suppliers()}
    outside = [p for p in suppliers.values() if p.data_leaves_uk == "yes"]
    all_known_uk = bool(suppliers) and all(p.data_leaves_uk == "no" for p in suppliers.values())
    return {
        "outside": [
            {"name": p.name, "location": p.data_location, "safeguards": p.transfer_safeguards}
            for p in sorted(outside, key=lambda p: p.name)
        ],
        "all_in_uk": all_known_uk,
    }


def _rights(school: School, audience: Audience, uses_consent: bool) -> list[dict[str, str]]:
    rights = list(statutory.RIGHTS)
    if audience == Audience.PUPILS:
        rights.append(
            statutory.parent_record_right(
                school.nation,
                terms(school)["needs"],
                maintained=school.school_type == School.Type.MAINTAINED,
            )
        )
    if uses_consent:
        rights.append(statutory.CONSENT_RIGHT)
    return rights


def build_notice_content(
    school: School, audience: str, *, on: datetime.date | None = None
) -> dict[str, Any]:
    """Return everything school's notice for ``audience`` must say, as plain data.

    The date and version number are not content: they belong to the version that issues it.
    """
    day = on or timezone.localdate()
    return _content(school, Audience(audience), load_register(school, audience, day))


def build_notice_contents(
    schools: Iterable[School], audience: str, *, on: datetime.date | None = None
) -> dict[int, dict[str, Any]]:
    """Return, by school id, each school's notice content for ``audience``: the same as
    ``build_notice_content`` school by school, in a fixed number of queries for the batch
    (``schools`` should come with ``select_related("authority")``)."""
    day = on or timezone.localdate()
    batch = list(schools)
    rows = load_registers(batch, audience, day)
    return {school.pk: _content(school, Audience(audience), rows[school.pk]) for school in batch}


def build_notice_hashes(
    schools: Iterable[School], audience: str, *, on: datetime.date | None = None
) -> dict[int, str]:
    """Return, by school id, the ``content_hash`` of each school's notice content for
    ``audience``, as ``build_notice_contents`` builds it, without the content's round trip
    through JSON (only its canonical text is made): what deciding staleness needs."""
    day = on or timezone.localdate()
    batch = list(schools)
    rows = load_registers(batch, audience, day)
    return {
        school.pk: content_hash(_fresh_content(school, Audience(audience), rows[school.pk]))
        for school in batch
    }


def _content(school: School, audience: Audience, rows: RegisterRows) -> dict[str, Any]:
    # Round-trip through JSON so fresh content equals content read back from the database.
    return json.loads(json.dumps(_fresh_content(school, audience, rows)))


def _fresh_content(school: School, audience: Audience, rows: RegisterRows) -> dict[str, Any]:
    """The notice's content as built (string keys, JSON values: its canonical text is the
    same before and after a round trip through JSON)."""
    organisation = school.authority
    words = terms(school)
    groups = recipients.recipient_groups(rows, organisation=organisation, words=words)
    bases, laws = _bases_explained(rows)
    title, who = _titles(audience, words)
    purposes = _purposes(rows)
    uses_consent = any(b["code"] in CONSENT_CODES for b in bases)
    content = {
        "audience": str(audience),
        "audience_label": audience.label,
        "title": title,
        "who_it_covers": who,
        "terms": words,
        "school": _school(school),
        "controller": _controller(school, organisation),
        "dpo": _dpo(school, organisation),
        "dp_lead": {"name": school.dp_lead_name, "email": school.dp_lead_email},
        "organisation": {
            "name": organisation.name,
            "kind": organisation.kind,
            "service_name": organisation.service_name,
            "privacy_notice_url": organisation.privacy_notice_url,
        },
        "categories": _categories(rows, words),
        "purposes": purposes,
        "legitimate_interests": [p for p in purposes if p["legitimate_interest"]],
        "systems": _systems(rows),
        "bases": bases,
        "special_conditions": any(b["kind"] != LawfulBasis.Kind.ART6 for b in bases),
        "laws": laws,
        "recipient_groups": groups,
        "transfers": _transfers(groups, rows),
        "retention": recipients.retention(rows),
        "retention_schedule": school.retention_schedule,
        "security": _lines(organisation.security_measures, school.security_measures),
        "rights": _rights(school, audience, uses_consent),
        "ico": statutory.ICO,
    }
    return content


__all__ = [
    "SUBJECTS",
    "Audience",
    "build_notice_content",
    "build_notice_contents",
    "build_notice_hashes",
    "content_hash",
    "terms",
]
