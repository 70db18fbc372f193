"""Who may open what: every URL the project registers, as every persona, against the objects
of two schools, with the status each must get.

The URLs are walked from the URLconf, so a new URL fails here until it is given an expectation
(``EXPECTED``, or ``generic_admin`` for the admin's own per-model pages). Personas:
anonymous; the DPO of school A (Avon Meadow, 999101); the DPO of school B (Arden Heath,
999102); an auditor (staff, not superuser: the admin read-only); staff (superuser).

The world, built once for the module: the demo; both schools' notices rendered; version 1 of
the agreement published and signed by A and by B; version 2 published by staff through the
admin (both asked to sign it again, neither has); version 3 a draft. A failed and a successful
sign-in leave their records.
"""

import logging
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models, transaction
from django.http import QueryDict
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.resolvers import RoutePattern
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from agreements.models import AgreementVersion, Signature, SignOffEvent, SignOffRequest
from agreements.services import save_draft, start_draft
from governance.demo import load_demo
from governance.models import (
    DataFlow,
    DataObject,
    ExternalRecipient,
    LawfulBasis,
    Purpose,
    School,
    StorageSystem,
    User,
)
from governance.outbox.models import Job, JobBatch
from governance.portal.views import AUTH_AT
from notices.content import Audience
from notices.models import NoticeVersion
from notices.services import publish_school_notices
from processors.models import Processor
from tests.conftest import held_settings
from tests.factories import UserFactory, dpo_of, publish_demo_agreement, sign

pytestmark = pytest.mark.django_db

AVON, ARDEN = "999101", "999102"
PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's
PERSONAS = ("anonymous", "dpo_a", "dpo_b", "auditor", "staff")
OWN_SCHOOL = {"dpo_a": "A", "dpo_b": "B"}
PORTAL_LOGIN = "/portal/login/"
ADMIN_LOGIN = "/admin/login/"


# -- the world ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class World:
    """Primary keys of the shared world (objects are re-read in each test)."""

    schools: dict[str, int]  # "A"/"B" -> School pk
    users: dict[str, int]  # persona -> User pk
    invitees: dict[str, int]  # "A"/"B" -> a DPO invited, never signed in
    agreement_id: int
    versions: dict[int, int]  # number -> AgreementVersion pk (1 superseded, 2 in force, 3 draft)
    signatures: dict[str, int]  # "A"/"B" -> Signature of version 1
    signed_copy: bytes = field(repr=False)  # A's sealed copy, for the public verifier
    lean: bool = False  # school B has no notices and no signature
    # "A"/"B"/"org" -> part of the register ("systems"...) -> pk of one of its records there
    register: dict[str, dict[str, int]] = field(default_factory=dict)


# Rows for the admin's models the world makes none of, so every record page is visited.
MAKERS: dict[str, Callable[[type[models.Model]], Any]] = {
    "auth.Group": lambda model: model.objects.create(name="Matrix auditors"),
    "governance.ApiToken": lambda model: model.issue(
        user=User.objects.filter(is_superuser=True).first(), name="Matrix", role="auditor"
    )[0],
    # Written only with AXES_ENABLE_ACCESS_FAILURE_LOG.
    "axes.AccessFailureLog": lambda model: model.objects.create(
        username="m-nobody",
        ip_address="192.0.2.1",
        user_agent="pytest",
        http_accept="*/*",
        path_info="/portal/login/",
    ),
}


REGISTER_MODELS: dict[str, type[models.Model]] = {
    "systems": StorageSystem, "suppliers": Processor, "recipients": ExternalRecipient,
    "flows": DataFlow, "categories": DataObject, "purposes": Purpose,
}  # fmt: skip


def school_register(school: School) -> dict[str, int]:
    """Give ``school`` one record of its own in every part of its register (as its DPO would
    add them in the portal); return their pks by part."""
    org, tag = school.authority, f"Matrix {school.urn}"
    public_task = LawfulBasis.objects.get(code="Art 6(1)(e)")
    category = DataObject.objects.create(
        authority=org, school=school, title=f"{tag} clubs", data_subject="pupil",
        fields_description="Which clubs a pupil attends.",
    )  # fmt: skip
    supplier = Processor.objects.create(
        school=school, name=f"{tag} app", service_description="Reading practice.",
        data_location="UK", data_leaves_uk="no",
    )  # fmt: skip
    recipient = ExternalRecipient.objects.create(
        authority=org, school=school, kind="controller", name=f"{tag} exam board", why="Exams."
    )
    system = StorageSystem.objects.create(
        authority=org, school=school, name=f"{tag} catering", kind="payments",
        description="Lunch payments.", supplier=supplier,
    )  # fmt: skip
    flow = DataFlow.objects.create(
        authority=org, school=school, body=recipient, purpose=f"{tag} entries", frequency="termly"
    )
    flow.data_objects.set([category])
    flow.lawful_bases.set([public_task])
    purpose = Purpose.objects.create(authority=org, school=school, description=f"{tag} clubs")
    purpose.lawful_bases.set([public_task])
    return {"systems": system.pk, "suppliers": supplier.pk, "recipients": recipient.pk,
            "flows": flow.pk, "categories": category.pk, "purposes": purpose.pk}  # fmt: skip


def organisation_register(school: School) -> dict[str, int]:
    """One record in every part of the register that ``school``'s organisation (or everyone)
    shares: no DPO may edit it from the portal."""
    org = school.authority
    body = ExternalRecipient.objects.create(
        authority=org, kind="public_body", name="Matrix music service", why="Lessons."
    )
    system = StorageSystem.objects.create(
        authority=org, name="Matrix shared MIS", kind="mis", description="MIS", in_house=True
    )
    purpose = Purpose.objects.create(authority=org, description="Matrix: to teach pupils")
    purpose.lawful_bases.set([LawfulBasis.objects.get(code="Art 6(1)(e)")])
    shared = {
        "suppliers": Processor.objects.filter(school__isnull=True).order_by("pk").first(),
        "flows": DataFlow.objects.filter(authority=org, school__isnull=True).first(),
        "categories": DataObject.objects.filter(authority=org, school__isnull=True).first(),
    }
    return {"systems": system.pk, "recipients": body.pk, "purposes": purpose.pk,
            **{part: row.pk for part, row in shared.items() if row is not None}}  # fmt: skip


def build_world(*, lean: bool = False) -> World:
    """Load the demo and everything the matrix visits (call inside a transaction). A lean world
    (for checks that need one object of each kind) has no notices or signature of school B."""
    load_demo()
    a, b = School.objects.get(urn=AVON), School.objects.get(urn=ARDEN)
    register = {"A": school_register(a), "B": school_register(b),
                "org": organisation_register(a)}  # fmt: skip
    for school in (a,) if lean else (a, b):
        publish_school_notices(school=school)
    # The demo's refresh jobs, as one batch (the background jobs' pages need a batch to show).
    JobBatch.objects.create(label="Nightly refresh").jobs.add(*Job.objects.all())
    staff = UserFactory(username="m-staff", is_staff=True, is_superuser=True)
    auditor = UserFactory(username="m-auditor", is_staff=True)
    dpo_a, dpo_b = dpo_of(a, username="m-dpo-a"), dpo_of(b, username="m-dpo-b")
    invitees = {"A": dpo_of(a, username="m-invitee-a"), "B": dpo_of(b, username="m-invitee-b")}
    v1 = publish_demo_agreement(by=staff)
    sig_a = sign(v1, a, dpo_a, full_name="Ann Avon").signature
    signatures = {"A": sig_a.pk}
    if not lean:
        signatures["B"] = sign(v1, b, dpo_b, full_name="Bea Arden").signature.pk
    v2 = start_draft(agreement=v1.agreement)
    v2.change_summary = "Reworded."
    save_draft(version=v2)
    # Published through the admin, so the audit trail (PostgreSQL) records who and where.
    admin_browser = Client()
    admin_browser.force_login(staff)
    admin_browser.post(reverse("admin:agreements_agreementversion_publish", args=[v2.pk]))
    v2.refresh_from_db()
    assert v2.status == AgreementVersion.Status.PUBLISHED, "the admin did not publish version 2"
    v3 = start_draft(agreement=v1.agreement)
    # A failed and a successful sign-in, so the sign-in records have rows to visit.
    browser = Client()
    browser.post(reverse("portal:login"), {"username": "m-dpo-a", "password": "wrong"})
    browser.post(reverse("portal:login"), {"username": "m-dpo-a", "password": PASSWORD})
    Client().post(reverse("portal:login"), {"username": "m-nobody", "password": "guess"})
    for label, make in MAKERS.items():
        try:
            model = apps.get_model(label)
        except LookupError:  # the app is not installed
            continue
        if not model._default_manager.exists():
            make(model)
    with sig_a.signed_pdf.open("rb") as copy:
        signed_copy = copy.read()
    return World(
        schools={"A": a.pk, "B": b.pk},
        users={"dpo_a": dpo_a.pk, "dpo_b": dpo_b.pk, "auditor": auditor.pk, "staff": staff.pk},
        invitees={owner: user.pk for owner, user in invitees.items()},
        agreement_id=v1.agreement_id,
        versions={1: v1.pk, 2: v2.pk, 3: v3.pk},
        signatures=signatures,
        signed_copy=signed_copy,
        lean=lean,
        register=register,
    )


@pytest.fixture(scope="module")
def _module_settings(tmp_path_factory, _dev_seal_dir) -> Iterator[None]:
    """What the per-test autouse fixtures set, held for the module so the world's files
    (published PDFs, signed copies) stay where every test's storage looks for them."""
    with held_settings(tmp_path_factory.mktemp("matrix-media"), _dev_seal_dir):
        yield


@pytest.fixture(autouse=True)
def _private_files(_module_settings) -> None:
    """Override the per-test media folder: keep the module's, which holds the world's PDFs."""


@pytest.fixture(autouse=True)
def _quiet_refusals(caplog) -> None:
    """Keep the expected 403s, 404s and 405s (and axes' notes) out of a failure's report;
    server errors are still logged."""
    caplog.set_level(logging.ERROR, logger="django.request")
    caplog.set_level(logging.ERROR, logger="axes")


@contextmanager
def quiet_axes() -> Iterator[None]:
    """Keep django-axes' notes of every sign-in out of the test output."""
    logger = logging.getLogger("axes")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, _module_settings) -> Iterator[World]:
    """Build the world once, in a transaction rolled back after the module."""
    with django_db_blocker.unblock(), transaction.atomic(), quiet_axes():
        built = build_world()
        with django_db_blocker.block():
            yield built
        transaction.set_rollback(True)


def persona_clients(world: World) -> dict[str, Client]:
    """A browser per persona; the signed-in ones typed their password just now."""
    clients = {"anonymous": Client(raise_request_exception=False)}
    for persona, pk in world.users.items():
        client = Client(raise_request_exception=False)
        client.force_login(User.objects.get(pk=pk))
        session = client.session
        session[AUTH_AT] = time.time()
        session.save()
        clients[persona] = client
    return clients


# -- outcomes ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """A status, and for a redirect where it goes (or, with ``prefix``, how that starts)."""

    status: int
    location: str = ""
    prefix: bool = False

    def matches(self, response: Any) -> bool:
        location = response.get("Location", "")
        if self.prefix:
            location = location[: len(self.location)]
        return response.status_code == self.status and location == self.location

    def __str__(self) -> str:
        return f"{self.status} {self.location}{'…' if self.prefix else ''}".strip()


def got(response: Any) -> str:
    location = response.get("Location", "")
    return f"{response.status_code} {location}".strip()


OK, FORBIDDEN, NOT_FOUND, NOT_ALLOWED = Outcome(200), Outcome(403), Outcome(404), Outcome(405)


def redirect(to: str, *, prefix: bool = False) -> Outcome:
    return Outcome(302, to, prefix)


def login_from(login: str, url: str) -> Outcome:
    """The sign-in page, asked to return to ``url`` (quoted as Django quotes it)."""
    query = QueryDict(mutable=True)
    query["next"] = url
    return redirect(f"{login}?{query.urlencode(safe='/')}")


def to_portal_login(target: "Target") -> Outcome:
    return login_from(PORTAL_LOGIN, target.url)


def to_admin_login(target: "Target") -> Outcome:
    return login_from(ADMIN_LOGIN, target.url)


# -- targets: a URL filled in with one object ---------------------------------------------------


@dataclass(frozen=True)
class Target:
    url: str
    owner: str = ""  # "A", "B", "AB" (A's URL naming B's object) or "" (no school's)
    label: str = ""  # which object, when it matters: "v3 draft"
    obj: Any = field(default=None, compare=False)


@dataclass(frozen=True)
class Route:
    key: str  # "namespace:name", or "route:<full route>" for an unnamed pattern
    route: str
    params: frozenset[str]


def _params(pattern: Any) -> set[str]:
    if isinstance(pattern, RoutePattern):
        return set(pattern.converters)
    return set(pattern.regex.groupindex)


def walk(patterns: list | None = None, prefix: str = "", namespace: str = "",
         params: frozenset[str] = frozenset()) -> Iterator[Route]:  # fmt: skip
    """Yield every URL pattern of the URLconf with its full route, name and parameters."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        found = params | _params(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from walk(pattern.url_patterns, route, inner, frozenset(found))
        elif isinstance(pattern, URLPattern):
            if pattern.name:
                key = f"{namespace}:{pattern.name}" if namespace else pattern.name
            else:
                key = f"route:{route}"
            yield Route(key, route, frozenset(found))


def admin_models() -> dict[str, tuple[type[models.Model], admin.ModelAdmin]]:
    """The admin's models by URL name prefix: "governance_school" -> (School, its admin)."""
    return {
        f"{model._meta.app_label}_{model._meta.model_name}": (model, model_admin)
        for model, model_admin in admin.site._registry.items()
    }


GENERIC_ACTIONS = ("changelist", "add", "change", "delete", "history")


def admin_model_of(route: Route) -> tuple[str, type[models.Model] | None, str]:
    """Return (action, model, prefix) for an admin per-model URL, else ("", None, "")."""
    for prefix, (model, _) in admin_models().items():
        if route.key.startswith(f"admin:{prefix}_"):
            return route.key.removeprefix(f"admin:{prefix}_"), model, prefix
        meta = model._meta
        if route.route == f"admin/{meta.app_label}/{meta.model_name}/<path:object_id>/":
            return "redirect", model, prefix
    return "", None, ""


class Unfillable(Exception):
    """The matrix does not know what to put in one of the URL's parameters."""


def rows_of(model: type[models.Model], world: World) -> list[tuple[str, str, models.Model]]:
    """(owner, label, row) for the admin pages of one model: each school's row where the rows
    belong to schools, every version of the agreement, else the first row."""
    if model is School:
        return [(o, "", School.objects.get(pk=pk)) for o, pk in world.schools.items()]
    if model is AgreementVersion:
        versions = AgreementVersion.objects.filter(pk__in=world.versions.values()).order_by("pk")
        return [("", f"v{v.number} {v.status}", v) for v in versions]
    if model is User:
        return [("A", "DPO A", User.objects.get(pk=world.users["dpo_a"]))]
    # The rows the model's admin lists (a model's default manager may list none).
    rows = admin.site._registry[model].get_queryset(superuser_request()).order_by("pk")
    if "school" in {f.name for f in model._meta.get_fields()}:
        owned = [(o, "", rows.filter(school_id=pk).first()) for o, pk in world.schools.items()]
        if all(row is not None for _, _, row in owned):
            return owned
    row = rows.first()
    if row is None:
        raise Unfillable(f"the world has no {model._meta.label} row: add one in build_world")
    return [("", "", row)]


def _fill(route: Route, kwargs: dict[str, Any]) -> str:
    if not route.key.startswith("route:"):
        return reverse(route.key, kwargs=kwargs)
    if route.route == "":
        return "/"
    if route.route.startswith("admin/(?P<url>"):
        return "/admin/no-such-page/"
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m[1]]), route.route)


def targets(route: Route, world: World) -> list[Target]:
    """The URL filled in with each object it is checked against."""
    params = set(route.params)
    if route.key.startswith("route:admin/(?P<url>"):
        params.discard("url")
    if not params:
        query = autocomplete_query() if route.key == "admin:autocomplete" else ""
        return [Target(_fill(route, {}) + query)]
    if route.key.startswith("notices:"):
        return notice_targets(route, world, params)
    if route.key.startswith("portal:"):
        return portal_targets(route, world, params)
    if route.key.startswith(("admin:", "route:admin/")):
        return admin_targets(route, world, params)
    if route.key.startswith("api:"):
        return api_targets(route, world, params)
    raise Unfillable(f"parameters {sorted(params)}")


def api_viewset(route: Route) -> Any:
    from governance.api.urls import DOCUMENTS, RESOURCES

    prefix = route.key.removeprefix("api:").rsplit("-", 1)[0]
    return {**RESOURCES, **DOCUMENTS}[prefix]


def api_targets(route: Route, world: World, params: set[str]) -> list[Target]:
    """A record of the resource: school A's own and school B's (where the model has a school),
    or one of the organisation's or national records."""
    viewset = api_viewset(route)
    lookup = viewset.lookup_field
    if params != {lookup}:
        raise Unfillable(f"parameters {sorted(params)}")
    model = viewset.serializer_class.Meta.model
    names = {f.name for f in model._meta.get_fields()}
    rows = model._default_manager.order_by("pk")
    found = []
    if model is School:
        for owner, pk in world.schools.items():
            found.append((owner, "", rows.get(pk=pk)))
    elif "school" in names:
        for owner, pk in world.schools.items():
            row = rows.filter(school_id=pk).first()
            if row is not None:
                found.append((owner, "", row))
        if "authority" in names or model is Processor:
            shared = rows.filter(school__isnull=True).first()
            if shared is not None:
                found.append(("", "organisation's or national", shared))
    else:
        found.append(("", "", rows.first()))
    if any(row is None for _, _, row in found) or not found:
        raise Unfillable(f"the world has no {model._meta.label} row")
    return [
        Target(_fill(route, {lookup: getattr(row, lookup)}), owner, label, obj=row)
        for owner, label, row in found
    ]


def notice_targets(route: Route, world: World, params: set[str]) -> list[Target]:
    found = []
    for owner, pk in world.schools.items():
        school = School.objects.get(pk=pk)
        if world.lean and not NoticeVersion.objects.filter(school=school).exists():
            continue
        for audience in Audience.values if "audience" in params else [None]:
            kwargs: dict[str, Any] = {"urn": school.urn}
            if audience:
                kwargs["audience"] = audience
            if "number" in params:
                kwargs["number"] = (
                    NoticeVersion.objects.rendered()
                    .filter(school=school, audience=audience)
                    .latest("number")
                    .number
                )
            if set(kwargs) != params:
                raise Unfillable(f"parameters {sorted(params - set(kwargs))}")
            found.append(Target(_fill(route, kwargs), owner, audience or ""))
    return found


def portal_targets(route: Route, world: World, params: set[str]) -> list[Target]:
    if params == {"uidb64", "token"}:
        found = []
        for owner, pk in world.invitees.items():
            user = User.objects.get(pk=pk)
            uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
            kwargs = {"uidb64": uidb64, "token": default_token_generator.make_token(user)}
            found.append(Target(_fill(route, kwargs), owner, "invitation", obj=uidb64))
        return found
    urns = {o: School.objects.get(pk=pk).urn for o, pk in world.schools.items()}
    if "kind" in params:
        return register_targets(route, world, params, urns)
    if params == {"urn"}:
        return [Target(_fill(route, {"urn": urn}), owner) for owner, urn in urns.items()]
    if params == {"urn", "fmt"}:  # a school's record (the CSV: each format is the same view)
        return [Target(_fill(route, {"urn": u, "fmt": "csv"}), o) for o, u in urns.items()]
    if params == {"urn", "agreement_id", "number"}:
        versions = AgreementVersion.objects.filter(pk__in=world.versions.values())
        return [
            Target(
                _fill(route, {"urn": urn, "agreement_id": world.agreement_id, "number": v.number}),
                owner,
                f"v{v.number} {v.status}",
                obj=v,
            )
            for owner, urn in urns.items()
            for v in versions.order_by("number")
        ]
    if params == {"urn", "pk"}:
        pairs = [("A", "A", "A"), ("B", "B", "B"), ("AB", "A", "B")]
        return [
            Target(_fill(route, {"urn": urns[school], "pk": world.signatures[signer]}), owner)
            for owner, school, signer in pairs
            if not world.lean or signer in world.signatures
        ]
    raise Unfillable(f"parameters {sorted(params)}")


def register_targets(route: Route, world: World, params: set[str],
                     urns: dict[str, str]) -> list[Target]:  # fmt: skip
    """A part of a school's register: for each school; a record, as each school's own, A's
    URL naming B's, and A's naming one of the organisation's."""
    found = []
    for kind in REGISTER_MODELS:
        if params == {"urn", "kind"}:
            found += [Target(_fill(route, {"urn": urn, "kind": kind}), owner, kind)
                      for owner, urn in urns.items()]  # fmt: skip
            continue
        if params != {"urn", "kind", "pk"}:
            raise Unfillable(f"parameters {sorted(params)}")
        records = [("A", "A", "A", kind), ("B", "B", "B", kind), ("AB", "A", "B", kind),
                   ("A", "A", "org", f"organisation's {kind}")]  # fmt: skip
        for owner, school, whose, label in records:
            pk = world.register[whose].get(kind)
            if pk is None:
                raise Unfillable(f"the world has no {whose} record in {kind}")
            kwargs = {"urn": urns[school], "kind": kind, "pk": pk}
            found.append(Target(_fill(route, kwargs), owner, label))
    return found


def admin_targets(route: Route, world: World, params: set[str]) -> list[Target]:
    if params == {"app_label"}:
        labels = sorted({m._meta.app_label for m in admin.site._registry})
        return [Target(_fill(route, {"app_label": label}), label=label) for label in labels]
    if params == {"content_type_id", "object_id"}:
        school = School.objects.get(pk=world.schools["A"])
        kwargs = {"content_type_id": ContentType.objects.get_for_model(School).pk,
                  "object_id": school.pk}  # fmt: skip
        return [Target(_fill(route, kwargs), "A")]
    if params == {"id"}:  # UserAdmin's password page
        return [Target(_fill(route, {"id": world.users["dpo_a"]}), "A", "DPO A")]
    if params == {"object_id", "fmt"}:  # a record of processing, as CSV
        _, model, _ = admin_model_of(route)
        if model is None:
            raise Unfillable("object_id of no registered model")
        return [
            Target(_fill(route, {"object_id": row.pk, "fmt": "csv"}), owner, label, obj=row)
            for owner, label, row in rows_of(model, world)
        ]
    if params == {"object_id"}:
        _, model, _ = admin_model_of(route)
        if model is None:
            raise Unfillable("object_id of no registered model")
        return [
            Target(_fill(route, {"object_id": row.pk}), owner, label, obj=row)
            for owner, label, row in rows_of(model, world)
        ]
    raise Unfillable(f"parameters {sorted(params)}")


def autocomplete_query() -> str:
    """The query string of one real autocomplete lookup: a subscription's school."""
    return "?app_label=governance&model_name=subscription&field_name=school&term=a"


# -- expectations ------------------------------------------------------------------------------

Expect = Callable[[str, Target], Outcome]
Value = Outcome | Callable[[Target], Outcome]


def _value(value: Value, target: Target) -> Outcome:
    return value if isinstance(value, Outcome) else value(target)


def public(outcome: Value = OK) -> Expect:
    """The same for everyone, signed in or not."""
    return lambda persona, target: _value(outcome, target)


def portal_page(persona: str, target: Target) -> Outcome:
    """A DPO sees their own school's pages; another school's are not found. Staff and
    auditors see every school's (read-only). Anonymous visitors are sent to sign in."""
    if persona == "anonymous":
        return to_portal_login(target)
    if target.owner == "AB":  # A's URL naming B's signature: no one finds it
        return NOT_FOUND
    if persona in OWN_SCHOOL and target.owner not in ("", OWN_SCHOOL[persona]):
        return NOT_FOUND
    return OK


def portal_version(persona: str, target: Target) -> Outcome:
    """A version's page or PDF: as portal_page, but a draft is nobody's to read."""
    if persona != "anonymous" and target.obj.is_draft:
        return NOT_FOUND
    return portal_page(persona, target)


def portal_register_record(persona: str, target: Target) -> Outcome:
    """A record of a school's own register: as portal_page; an organisation's record under a
    school's URL is no one's to edit there."""
    if persona != "anonymous" and target.label.startswith("organisation's"):
        return NOT_FOUND
    return portal_page(persona, target)


def admin_page(auditor: Value = OK, staff: Value = OK) -> Expect:
    """Only staff and auditors get past the admin's sign-in; their outcomes given here."""

    def expect(persona: str, target: Target) -> Outcome:
        if persona == "auditor":
            return _value(auditor, target)
        if persona == "staff":
            return _value(staff, target)
        return to_admin_login(target)

    return expect


def admin_url(name: str, target: Target) -> str:
    return reverse(f"admin:agreements_agreementversion_{name}", args=[target.obj.pk])


def draft_only(outcome: Value) -> Callable[[Target], Outcome]:
    """``outcome`` for a draft; for an issued version, its own PDF / not allowed."""
    return lambda t: _value(outcome, t) if t.obj.is_draft else redirect(admin_url("pdf", t))


def issued_only(t: Target) -> Outcome:
    return NOT_FOUND if t.obj.is_draft else OK


def publish_as_staff(t: Target) -> Outcome:
    """GET publish: a draft is sent to its preview (publishing needs a POST); an issued
    version cannot be published again."""
    return redirect(admin_url("preview", t)) if t.obj.is_draft else FORBIDDEN


def signed_in_redirect(to: str, *, anonymous: Value = OK, dpo: Value = OK) -> Expect:
    """Sign-in pages: shown to who cannot use the area yet; the others are sent on."""

    def expect(persona: str, target: Target) -> Outcome:
        if persona == "anonymous":
            return _value(anonymous, target)
        if persona in OWN_SCHOOL:
            return _value(dpo, target)
        return redirect(to)

    return expect


def welcome(persona: str, target: Target) -> Outcome:
    """The invitation link works for whoever holds it (the token is the authority): it
    moves the token into the session and asks for the new password."""
    return redirect(f"/portal/welcome/{target.obj}/set-password/")


def admin_logout(persona: str, target: Target) -> Outcome:
    """Signing out takes a POST: a GET is refused; outsiders are sent to the admin's front."""
    return NOT_ALLOWED if persona in ("auditor", "staff") else redirect("/admin/")


EXPECTED: dict[str, Expect] = {
    # The site's front door sends everyone to the public school list.
    "route:": public(redirect("/schools/")),
    "healthz": public(),
    # Privacy notices are public: every school's, for everyone.
    "notices:school_list": public(),
    "notices:index": public(),
    "notices:detail": public(),
    "notices:pdf": public(),
    "notices:version": public(),
    "notices:version_pdf": public(),
    # Anyone may check a signed copy.
    "agreements:verify": public(),
    # The API's schema and docs describe it; they hold no data.
    "api:schema": public(),
    "api:docs": public(),
    # The DPO portal.
    "portal:login": signed_in_redirect("/portal/", dpo=redirect("/portal/")),
    "portal:logout": public(NOT_ALLOWED),
    "portal:welcome": welcome,
    "portal:home": portal_page,
    "portal:school": portal_page,
    "portal:subject_access": portal_page,
    "portal:article30": portal_page,
    "portal:flow_map": portal_page,
    "portal:agreement": portal_version,
    "portal:agreement_pdf": portal_version,
    "portal:signature": portal_page,
    "portal:signed_pdf": portal_page,
    # A school's own register and its notices' preview: readable by whoever sees the school
    # (auditors included); the writes are checked in test_writes_are_refused_to_the_wrong_persona.
    "portal:register": portal_page,
    "portal:register_contacts": portal_page,
    "portal:register_add": portal_page,
    "portal:register_edit": portal_register_record,
    "portal:register_delete": portal_register_record,
    "portal:publish": portal_page,
    # The admin's own pages.
    "admin:index": admin_page(),
    "admin:login": signed_in_redirect("/admin/"),
    "admin:logout": admin_logout,
    "admin:password_change": admin_page(),
    "admin:password_change_done": admin_page(),
    "admin:app_list": admin_page(),
    "admin:autocomplete": admin_page(),
    "admin:jsi18n": admin_page(),
    "admin:view_on_site": admin_page(NOT_FOUND, NOT_FOUND),  # no model has a public page
    "route:admin/(?P<url>.*)$": admin_page(NOT_FOUND, NOT_FOUND),
    # Custom admin pages.
    "admin:auth_user_password_change": admin_page(auditor=FORBIDDEN),
    "admin:governance_school_outflows": admin_page(),
    "admin:governance_school_publish_notices": admin_page(auditor=FORBIDDEN),
    "admin:governance_school_import_gias": admin_page(auditor=FORBIDDEN),
    "admin:governance_school_article30": admin_page(),
    "admin:governance_authority_article30": admin_page(),
    "admin:outbox_jobbatch_rerender_all": admin_page(auditor=FORBIDDEN),
    "admin:agreements_agreementversion_preview": admin_page(),
    "admin:agreements_agreementversion_preview_pdf": admin_page(draft_only(OK), draft_only(OK)),
    "admin:agreements_agreementversion_publish": admin_page(FORBIDDEN, publish_as_staff),
    "admin:agreements_agreementversion_signoff": admin_page(),
    "admin:agreements_agreementversion_pdf": admin_page(issued_only, issued_only),
    "admin:agreements_signature_pdf": admin_page(),
}


def superuser_request() -> Any:
    request = RequestFactory().get("/admin/")
    request.resolver_match = resolve("/admin/")
    request.user = User(username="superuser", is_staff=True, is_superuser=True, is_active=True)
    return request


def generic_admin(action: str, model: type[models.Model], prefix: str) -> Expect | None:
    """The admin's own per-model pages. Auditors see lists, records and history, and may not
    add or delete; staff may do what the model's admin allows a superuser."""
    model_admin = admin.site._registry[model]

    def staff_delete(target: Target) -> Outcome:
        allowed = model_admin.has_delete_permission(superuser_request(), target.obj)
        return OK if allowed else FORBIDDEN

    if action in ("changelist", "change", "history"):
        return admin_page()
    if action == "add":
        return admin_page(FORBIDDEN, OK if model_admin.has_add_permission(superuser_request())
                          else FORBIDDEN)  # fmt: skip
    if action == "delete":
        return admin_page(FORBIDDEN, staff_delete)
    if action == "redirect":  # the old-style record URL goes to the record's change page

        def to_change(target: Target) -> Outcome:
            return redirect(reverse(f"admin:{prefix}_change", args=[target.obj.pk]))

        return admin_page(to_change, to_change)
    return None


def api_page(persona: str, target: Target) -> Outcome:
    """The API: 401 without credentials; staff and auditors read everything; a DPO reads
    their own school's records and their organisation's (and national ones), never another
    school's (404), nor a draft agreement or another school's sign-off log entry."""
    if persona == "anonymous":
        return Outcome(401)
    if persona not in OWN_SCHOOL or target.obj is None:
        return OK
    if target.owner:
        return OK if target.owner == OWN_SCHOOL[persona] else NOT_FOUND
    row = target.obj
    if isinstance(row, AgreementVersion) and row.is_draft:
        return NOT_FOUND
    own = School.objects.get(pk=world_school_pk(persona))
    if isinstance(row, SignOffEvent):  # the log: the entries naming the DPO's schools
        return OK if (row.payload or {}).get("school") == own.urn else NOT_FOUND
    authority = getattr(row, "authority_id", None)
    if authority is not None and authority != own.authority_id:
        return NOT_FOUND  # another organisation's
    return OK


def api_signing_terms(persona: str, target: Target) -> Outcome:
    """``…/sign/`` read without ``?school=``: the version as any API read (401, 404), then
    400 naming the missing school (the terms are a school's: see tests/agreements)."""
    outcome = api_page(persona, target)
    return Outcome(400) if outcome == OK else outcome


EXPECTED["api:agreement-versions-sign"] = api_signing_terms


def world_school_pk(persona: str) -> int:
    return School.objects.get(urn=AVON if persona == "dpo_a" else ARDEN).pk


def expectation(route: Route) -> Expect | None:
    if route.key in EXPECTED:
        return EXPECTED[route.key]
    if route.key.startswith("api:"):
        return api_page
    action, model, prefix = admin_model_of(route)
    if model is not None and action in (*GENERIC_ACTIONS, "redirect"):
        return generic_admin(action, model, prefix)
    return None


# -- running the matrix ------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    persona: str
    key: str
    target: Target
    expected: str
    got: str

    @property
    def ok(self) -> bool:
        return self.expected == self.got


def body(response: Any) -> bytes:
    """Read a response to the end; a streamed download is closed as a WSGI server would."""
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True))
                     for row in rows)  # fmt: skip


def report(cells: list[Cell], problems: list[tuple[str, str]]) -> str:
    rows = [("persona", "url", "object", "expected", "got")]
    for c in cells:
        if not c.ok:
            what = " ".join(filter(None, [c.target.owner, c.target.label]))
            rows.append((c.persona, f"{c.key} {c.target.url}", what, c.expected, c.got))
    lines = [table(rows)] if len(rows) > 1 else []
    lines += [f"{key}: {problem}" for key, problem in problems]
    return "\n".join(lines)


def run_matrix(world: World) -> tuple[list[Cell], list[tuple[str, str]], list[str]]:
    """GET every URL as every persona; return the cells, the URLs it could not check (with
    why) and every key walked."""
    clients = persona_clients(world)
    cells: list[Cell] = []
    problems: list[tuple[str, str]] = []
    keys = []
    for route in walk():
        keys.append(route.key)
        expect = expectation(route)
        if expect is None:
            problems.append((route.key, f"no expectation for {route.route!r}: add it to EXPECTED"))
            continue
        try:
            found = targets(route, world)
        except Unfillable as error:
            problems.append((route.key, f"cannot fill {route.route!r}: {error}"))
            continue
        for target in found:
            for persona in PERSONAS:
                response = clients[persona].get(target.url)
                body(response)
                wanted = expect(persona, target)
                seen = str(wanted) if wanted.matches(response) else got(response)
                cells.append(Cell(persona, route.key, target, str(wanted), seen))
    return cells, problems, keys


KNOWN = {
    "route:", "healthz", "notices:school_list", "notices:version_pdf", "agreements:verify",
    "portal:home", "portal:welcome", "portal:agreement", "portal:agreement_pdf",
    "portal:signature", "portal:signed_pdf", "portal:register", "portal:register_edit",
    "portal:publish", "admin:index", "admin:login", "admin:view_on_site",
    "admin:governance_school_changelist", "admin:governance_school_change",
    "admin:governance_school_outflows", "admin:governance_user_add",
    "admin:auth_user_password_change", "admin:agreements_agreementversion_publish",
    "admin:agreements_agreementversion_preview_pdf", "admin:agreements_signature_pdf",
    "admin:notices_noticeversion_delete", "route:admin/(?P<url>.*)$",
}  # fmt: skip


def test_every_url_as_every_persona(world: World) -> None:
    cells, problems, keys = run_matrix(world)

    assert set(keys) >= KNOWN, f"the walk missed {sorted(KNOWN - set(keys))}"
    assert len(set(keys)) >= 100, "the walk found too few URLs"
    assert len(cells) >= 1000, f"only {len(cells)} cells checked"
    checked = {(c.key, c.persona) for c in cells}
    for persona in PERSONAS:
        assert ("portal:signed_pdf", persona) in checked
    failures = report(cells, problems)
    wrong = sum(not c.ok for c in cells)
    assert not failures, (
        f"{wrong} of {len(cells)} cells wrong; {len(problems)} URL(s) unchecked:\n{failures}"
    )


# -- writes ------------------------------------------------------------------------------------


def sign_form(version: AgreementVersion) -> dict[str, str]:
    return {
        "full_name": "Jo Bloggs",
        "position": "Data Protection Officer",
        "declaration": "on",
        "document_sha256": version.pdf_sha256,
        "password": PASSWORD,
    }


@dataclass
class Writes:
    """Collect the POSTs that went wrong: the status, or what they changed."""

    clients: dict[str, Client]
    wrong: list[tuple[str, str, str, str, str]] = field(default_factory=list)
    count: int = 0

    def post(self, persona: str, what: str, url: str, data: dict, wanted: Outcome | None,
             state: Callable[[], Any], *, changes: bool = False) -> None:  # fmt: skip
        """POST as ``persona`` in a savepoint rolled back afterwards, so each write is checked
        on the same world; ``state()`` must stay the same (or, with ``changes``, differ).
        ``wanted`` None: any answer but a server error (only the state matters)."""
        self.count += 1
        with transaction.atomic():
            before = state()
            response = self.clients[persona].post(url, data)
            body(response)
            after = state()
            transaction.set_rollback(True)
        if wanted is None and response.status_code >= 500:
            self.wrong.append((persona, what, url, "no server error", got(response)))
        elif wanted is not None and not wanted.matches(response):
            self.wrong.append((persona, what, url, str(wanted), got(response)))
        if (after != before) != changes:
            wanted_state = "a change" if changes else "nothing changed"
            self.wrong.append((persona, what, url, wanted_state, f"{before} -> {after}"))


OUTSIDERS = ["anonymous", "dpo_a", "dpo_b"]  # never past the admin's sign-in


def to_admin_login_from(url: str) -> Outcome:
    return login_from(ADMIN_LOGIN, url)


def check_signing(writes: Writes, world: World) -> None:
    """Signing version 2 (both schools are asked to): only the school's own DPO."""
    v2 = AgreementVersion.objects.get(pk=world.versions[2])
    for owner, pk in world.schools.items():
        urn = School.objects.get(pk=pk).urn
        url = reverse("portal:agreement", args=[urn, world.agreement_id, 2])

        def signed(urn: str = urn) -> int:
            return Signature.objects.filter(school__urn=urn, version=v2).count()

        for persona in PERSONAS:
            own = OWN_SCHOOL.get(persona) == owner
            if own and owner == "B":
                continue  # sealing is slow: A's DPO signing shows the form is good
            if persona == "anonymous":
                wanted = login_from(PORTAL_LOGIN, url)
            elif persona in OWN_SCHOOL:
                signature = redirect(f"/portal/schools/{urn}/signatures/", prefix=True)
                wanted = signature if own else NOT_FOUND
            else:  # staff and auditors are not the school's DPO
                wanted = FORBIDDEN
            writes.post(persona, f"sign v2 for {owner}", url, sign_form(v2), wanted, signed,
                        changes=own)  # fmt: skip


def check_reminders(writes: Writes, world: World, mailoutbox: list) -> None:
    """Sending reminders for version 2: staff only (the auditor is shown the page again)."""
    v2 = AgreementVersion.objects.get(pk=world.versions[2])
    signoff = reverse("admin:agreements_agreementversion_signoff", args=[v2.pk])
    changelist = reverse("admin:agreements_agreementversion_changelist")

    def reminders() -> tuple:
        sent = SignOffRequest.objects.filter(version=v2).values_list("reminders_sent", flat=True)
        return len(mailoutbox), sorted(sent)

    for persona in OUTSIDERS:
        writes.post(persona, "remind v2", signoff, {}, to_admin_login_from(signoff), reminders)
    writes.post("auditor", "remind v2", signoff, {}, OK, reminders)
    action = {"action": "send_reminders", "_selected_action": [v2.pk], "index": "0"}
    # A list action the auditor may not run: the list again, or "no action selected".
    writes.post("auditor", "remind v2 (list action)", changelist, action, None, reminders)
    writes.post("staff", "remind v2", signoff, {}, redirect(signoff), reminders, changes=True)


def check_school_edits(writes: Writes, world: World) -> None:
    """Editing and deleting a school: never an auditor's."""
    pk = world.schools["A"]

    def school_row() -> list:
        return list(School.objects.filter(pk=pk).values_list("name", "email"))

    for name, form in [("change", {"name": "Hacked", "email": "x@example.org"}),
                       ("delete", {"post": "yes"})]:  # fmt: skip
        url = reverse(f"admin:governance_school_{name}", args=[pk])
        for persona in OUTSIDERS:
            writes.post(persona, f"{name} school A", url, form, to_admin_login_from(url),
                        school_row)  # fmt: skip
        writes.post("auditor", f"{name} school A", url, form, FORBIDDEN, school_row)


def check_draft_edits(writes: Writes, world: World) -> None:
    """Publishing, editing and deleting the draft: staff only."""
    pk = world.versions[3]
    changelist = reverse("admin:agreements_agreementversion_changelist")

    def draft_row() -> list:
        rows = AgreementVersion.objects.filter(pk=pk).values_list("status", "purpose")
        return [(status, purpose[:30]) for status, purpose in rows]

    for name, form, staff_gets in [
        ("publish", {}, None),  # staff: build_world publishes version 2 this way
        ("change", {"purpose": "Changed by the wrong person."}, None),  # staff: a full form
        ("delete", {"post": "yes"}, redirect(changelist)),
    ]:
        url = reverse(f"admin:agreements_agreementversion_{name}", args=[pk])
        for persona in OUTSIDERS:
            writes.post(persona, f"{name} draft v3", url, form, to_admin_login_from(url),
                        draft_row)  # fmt: skip
        writes.post("auditor", f"{name} draft v3", url, form, FORBIDDEN, draft_row)
        if staff_gets:
            writes.post("staff", f"{name} draft v3", url, form, staff_gets, draft_row,
                        changes=True)  # fmt: skip
    bulk = {"action": "delete_selected", "_selected_action": [pk], "index": "0", "post": "yes"}
    writes.post("auditor", "delete draft v3 (list action)", changelist, bulk, None, draft_row)


def register_state(*models_: type[models.Model]) -> Callable[[], Any]:
    """The rows of ``models_`` and every school's contact details and publication."""

    def state() -> tuple:
        rows = tuple(tuple(m._default_manager.order_by("pk").values_list()) for m in models_)
        schools = School.objects.order_by("pk").values_list("dpo_name", "notices_published_at")
        versions = NoticeVersion.objects.count()
        return (*rows, tuple(schools), versions)

    return state


def system_form(name: str) -> dict[str, str]:
    return {"name": name, "kind": "cctv", "description": "Cameras at the gate.",
            "audience": "both", "supplier": ""}  # fmt: skip


def check_register_writes(writes: Writes, world: World) -> None:
    """A school's own register: its DPO and staff write; the other school's DPO finds nothing;
    auditors are refused; anonymous visitors are sent to sign in. A record of another school or
    of the organisation is found by no one under a school's URL."""
    urn = School.objects.get(pk=world.schools["A"]).urn
    systems = register_state(StorageSystem)
    mine, theirs, shared = (world.register[o]["systems"] for o in ("A", "B", "org"))
    writes_of_a = [
        ("add a system to A", reverse("portal:register_add", args=[urn, "systems"])),
        ("change A's system", reverse("portal:register_edit", args=[urn, "systems", mine])),
        ("delete A's system", reverse("portal:register_delete", args=[urn, "systems", mine])),
    ]
    for what, url in writes_of_a:
        for persona in PERSONAS:
            own = persona in ("dpo_a", "staff")
            refused = {"anonymous": login_from(PORTAL_LOGIN, url), "dpo_b": NOT_FOUND,
                       "auditor": FORBIDDEN}  # fmt: skip
            wanted = refused.get(persona, redirect("/portal/", prefix=True))
            writes.post(persona, what, url, system_form("Gate CCTV"), wanted, systems,
                        changes=own)  # fmt: skip
    for whose, pk in [("B's", theirs), ("the organisation's", shared)]:
        for name in ("edit", "delete"):
            url = reverse(f"portal:register_{name}", args=[urn, "systems", pk])
            for persona in PERSONAS:
                wanted = login_from(PORTAL_LOGIN, url) if persona == "anonymous" else NOT_FOUND
                writes.post(persona, f"{name} {whose} system under A", url,
                            system_form("Hacked"), wanted, systems)  # fmt: skip
    check_contacts_and_publishing(writes, urn)


def check_contacts_and_publishing(writes: Writes, urn: str) -> None:
    """Contact details and publishing: never an auditor's, nor another school's DPO's."""
    state = register_state()
    contacts = reverse("portal:register_contacts", args=[urn])
    publish = reverse("portal:publish", args=[urn])
    for what, url, data in [("change A's contacts", contacts, {"dpo_name": "Hacked"}),
                            ("publish A's notices", publish, {})]:  # fmt: skip
        for persona in ("anonymous", "dpo_b", "auditor"):
            wanted = {"anonymous": login_from(PORTAL_LOGIN, url), "dpo_b": NOT_FOUND,
                      "auditor": FORBIDDEN}[persona]  # fmt: skip
            writes.post(persona, what, url, data, wanted, state)
    writes.post("dpo_a", "change A's contacts", contacts, {"dpo_name": "New DPO"},
                redirect(reverse("portal:register", args=[urn]) + "#contacts"), state,
                changes=True)  # fmt: skip


def check_verifier(writes: Writes, world: World) -> None:
    """The public verifier answers everyone."""
    for persona in PERSONAS:
        response = writes.clients[persona].post(
            reverse("agreements:verify"), {"document": pdf_upload(world.signed_copy)}
        )
        writes.count += 1
        if response.status_code != 200 or b"Authentic and unaltered" not in response.content:
            writes.wrong.append((persona, "verify A's copy", "/agreements/verify/",
                                 "200, authentic", got(response)))  # fmt: skip


def test_writes_are_refused_to_the_wrong_persona(world: World, mailoutbox) -> None:
    """Signing, reminding, editing, publishing and deleting, as each persona that must not,
    change nothing; the persona that may, can (so the refusals are not a broken form). Each
    write is rolled back after it is checked."""
    writes = Writes(persona_clients(world))

    check_signing(writes, world)
    check_reminders(writes, world, mailoutbox)
    check_school_edits(writes, world)
    check_draft_edits(writes, world)
    check_register_writes(writes, world)
    check_verifier(writes, world)

    rows = [("persona", "write", "url", "expected", "got"), *writes.wrong]
    assert not writes.wrong, "writes wrongly answered:\n" + table(rows)
    assert writes.count >= 40, f"only {writes.count} writes checked"


def pdf_upload(data: bytes) -> Any:
    return SimpleUploadedFile("signed.pdf", data, content_type="application/pdf")
