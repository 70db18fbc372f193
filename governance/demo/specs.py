"""The shapes the demo's organisations are written in: one small record per registry row.

A ``school`` of ``""`` means the organisation's default, shared by all its schools; a URN
means a record only that school has (its own part of the register). Categories are named by
``key`` in purposes, systems and flows; lawful bases and laws by their code.
"""

from typing import Any, NamedTuple

PUPILS = "pupils"


class Category(NamedTuple):
    """A data category in plain words, with its special category conditions if any."""

    key: str
    subject: str
    title: str
    fields: str
    special: str = ""
    art9: str = ""
    dpa: str = ""
    school: str = ""
    obligation: str = ""
    source: str = ""


class Purpose(NamedTuple):
    """Something the schools do with information, on the bases (and laws) they rely on."""

    description: str
    bases: tuple[str, ...]
    categories: tuple[str, ...] = ()
    laws: tuple[str, ...] = ()
    interest: str = ""
    audience: str = PUPILS
    school: str = ""


class Body(NamedTuple):
    """A public body, other schools or another independent controller the schools share with."""

    name: str
    kind: str
    why: str
    reach: str = "both"
    role: str = "controller"
    school: str = ""
    data_sent: str = ""
    website: str = ""
    details: str = ""


class Supplier(NamedTuple):
    """A company that holds or receives data for the schools; shared unless ``school``."""

    name: str
    description: str
    products: str = ""
    role: str = "processor"
    school: str = ""


class System(NamedTuple):
    """Where the schools keep information: run by ``supplier``, or in-house when empty."""

    name: str
    kind: str
    description: str
    supplier: str = ""
    categories: tuple[str, ...] = ()
    school: str = ""
    audience: str = PUPILS


NATIONAL = "national"  # a national record of governance.national, by name
BODY = "body"  # one of the organisation's (or the school's) own bodies, by name
SUPPLIER = "supplier"  # a supplier, by name


class Flow(NamedTuple):
    """Data that leaves the schools for one recipient. Special category conditions of the
    categories carried are added to ``bases`` by the loader; retention stays unset."""

    to_kind: str
    to: str
    purpose: str
    categories: tuple[str, ...]
    bases: tuple[str, ...]
    frequency: str = "on_request"
    school: str = ""
    description: str = ""


class Organisation(NamedTuple):
    """One organisation of the demo world and everything its schools' register holds."""

    fields: dict[str, Any]
    schools: list[dict[str, Any]]
    categories: list[Category]
    purposes: list[Purpose]
    bodies: list[Body]
    suppliers: list[Supplier]
    systems: list[System]
    flows: list[Flow]
