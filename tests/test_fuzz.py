"""No input makes a server error: a bounded, deterministic fuzz of every page and form.

Hypothesis draws requests (``derandomize=True``: the same ones on every run, no example
database written) against the world of the authorization matrix, built once for the module:
every URL of the URLconf as anonymous, a DPO and staff, with hostile parameters and query
strings; the admin's changelists with random search, ordering, page and filters; the admin's
add and change forms and the portal's register forms sent back with random values; sign-in at
both doors; the public verifier sent random bytes and mutated PDFs. Every request runs in a
savepoint rolled back after it, so each meets the same world. A response of 500, or an
exception escaping the view, fails the test with the request that caused it.
"""

import copy
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.admin.views.main import ORDER_VAR, PAGE_VAR, SEARCH_VAR
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils.http import urlencode
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from governance.models import School
from governance.portal.register import KINDS
from tests.admin_pages import browser_values, page_data
from tests.conftest import held_settings
from tests.test_authorization_matrix import (
    REGISTER_MODELS,
    World,
    build_world,
    persona_clients,
    quiet_axes,
    superuser_request,
    walk,
)

pytestmark = pytest.mark.django_db


def fuzz(examples: int) -> Callable:
    """Hypothesis, bounded and repeatable: ``examples`` requests, the same ones every run."""
    return settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# -- hostile values ----------------------------------------------------------------------------

# What a fuzzer, a careless script or an attacker sends: wrong types, NULs and other control
# characters, very long strings, markup, path tricks, numbers no column can hold.
SAMPLES = [
    "", " ", "0", "1", "-1", "2", "abc", "1.5", "1e3", "99999999999999999999", "-0", "None",
    "null", "true", "on", "\x00", "a\x00b", "%00", "\x01\x1b[2J", "\r\n", "\t", "x" * 300,
    "y" * 5000, "<script>alert(1)</script>", "' OR '1'='1", "../../etc/passwd", "%2e%2e/",
    "2025-13-45", "2025-01-01", "31/12/2025", "😀", "İı", "\u202e", "\ufeff", "governance.school:1",
    "governance.school:abc", "auth.user:1", "nope:1", "javascript:alert(1)", "http://",
    "https://example.org/" + "a" * 200, "a@b", "@", "[]", "{}", "-", "__", "pk", "id",
]  # fmt: skip
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
VALUE = st.one_of(
    st.sampled_from(SAMPLES),
    TEXT,
    st.integers(-(2**70), 2**70).map(str),
)
KEY = st.one_of(
    st.sampled_from(SAMPLES[:20]), st.from_regex(r"[a-z_]{1,12}(__[a-z]{2,8})?", fullmatch=True)
)
QUERY = st.dictionaries(KEY, VALUE, max_size=4)


# -- the world and the requests ----------------------------------------------------------------


@pytest.fixture(scope="module")
def _module_settings(tmp_path_factory, _dev_seal_dir) -> Iterator[None]:
    with held_settings(tmp_path_factory.mktemp("fuzz-media"), _dev_seal_dir):
        yield


@pytest.fixture(autouse=True)
def _private_files(_module_settings) -> None:
    """Override the per-test media folder: keep the module's, which holds the world's PDFs."""


@pytest.fixture(autouse=True)
def _quiet(caplog) -> None:
    """Keep the thousands of expected refusals out of a failure's report; errors still show."""
    caplog.set_level(logging.ERROR, logger="django.request")
    caplog.set_level(logging.ERROR, logger="django.security")
    caplog.set_level(logging.ERROR, logger="axes")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, _module_settings) -> Iterator[World]:
    """The authorization matrix's lean world, built once, rolled back after the module."""
    with django_db_blocker.unblock(), transaction.atomic(), quiet_axes():
        built = build_world(lean=True)
        with django_db_blocker.block():
            yield built
        transaction.set_rollback(True)


@pytest.fixture
def clients(world) -> dict[str, Client]:
    with quiet_axes():
        return persona_clients(world)


class ServerError(AssertionError):
    pass


def send(client: Client, method: str, url: str, data: Any = None, **extra: Any) -> Any:
    """Send one request in a savepoint rolled back after it (the client's cookies too, so a
    sign-out does not sign the persona out of the next request); fail on a server error,
    naming the request."""
    cookies = copy.deepcopy(client.cookies)
    shown = f"{method.upper()} {url} {data!r}"[:2000]
    try:
        with transaction.atomic():
            try:
                response = getattr(client, method)(url, data, **extra)
                if response.streaming:
                    b"".join(response.streaming_content)
            finally:
                transaction.set_rollback(True)
    except ServerError:
        raise
    except Exception as error:
        raise ServerError(f"{shown} raised {error!r}") from error
    finally:
        client.cookies = cookies
    if response.status_code == 500:
        raise ServerError(f"{shown} answered 500")
    return response


# -- every URL of the URLconf ------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    key: str
    route: str


def routes() -> list[Route]:
    """Every route of the URLconf that a path can be written for (the admin's catch-all and
    other regular expressions are visited by the matrix)."""
    return [Route(r.key, r.route) for r in walk() if "(?P<" not in r.route and "^" not in r.route]


def known_values(world: World) -> dict[str, list[str]]:
    """Values of the world that each URL parameter can take, so pages are found, not just
    refused; hostile values are drawn beside them."""
    schools = School.objects.filter(pk__in=world.schools.values())
    pks = {str(pk) for part in world.register.values() for pk in part.values()}
    pks |= {str(pk) for pk in [*world.signatures.values(), *world.versions.values()]}
    pks |= {str(pk) for pk in [*world.schools.values(), *world.users.values()]}
    return {
        "urn": [s.urn for s in schools],
        "audience": ["pupils", "workforce"],
        "number": ["1", "2", "3"],
        "agreement_id": [str(world.agreement_id)],
        "kind": list(KINDS),
        "pk": sorted(pks),
        "object_id": sorted(pks),
        "id": [str(pk) for pk in world.users.values()],
        "app_label": sorted({m._meta.app_label for m in admin.site._registry}),
        "content_type_id": ["1", "7"],
        "uidb64": ["MQ", "Mg"],
        "token": ["set-password", "abc-123"],
    }


PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


def reachable(persona: str, route: Route) -> bool:
    """Whether ``persona`` gets past the sign-in of ``route`` (the matrix checks the
    refusals; the fuzz is for the pages behind them)."""
    if persona == "staff":
        return True
    if route.key in ("portal:login", "portal:welcome", "admin:login"):
        return True
    if route.key.startswith("admin:") or route.route.startswith("admin/"):
        return False
    return persona != "anonymous" or not route.key.startswith("portal:")


@st.composite
def urls(draw: Any, all_routes: list[Route], known: dict[str, list[str]]) -> str:
    """A path of one of the routes, each parameter a known value or a hostile one, and
    perhaps a hostile query string."""
    route = draw(st.sampled_from(all_routes))

    def value(match: re.Match) -> str:
        converter, name = match[1] or "str", match[2]
        choices = known.get(name, [])
        if choices and draw(st.integers(0, 3)):
            chosen = draw(st.sampled_from(choices))
        elif converter == "int":
            chosen = str(draw(st.integers(0, 2**70)))
        else:
            chosen = draw(VALUE).replace("/", "") or "x"
        return re.sub(r"[\x00-\x20#?%]", lambda m: f"%{ord(m[0]):02X}", chosen)

    path = "/" + PARAM.sub(value, route.route)
    query = draw(QUERY) if draw(st.booleans()) else {}
    return f"{path}?{urlencode(query)}" if query else path


def test_every_url_answers_any_parameters(world, clients) -> None:
    known = known_values(world)
    by_persona = {
        persona: [route for route in routes() if reachable(persona, route)]
        for persona in ("anonymous", "dpo_a", "staff")
    }
    assert len(by_persona["staff"]) > 100, "the walk found too few URLs"

    @fuzz(600)
    @given(data=st.data(), persona=st.sampled_from(["anonymous", "dpo_a", "staff", "staff"]))
    def visit(data: Any, persona: str) -> None:
        send(clients[persona], "get", data.draw(urls(by_persona[persona], known)))

    visit()


# -- the admin's changelists -------------------------------------------------------------------


def changelist_keys(client: Client, url: str, model: Any) -> list[str]:
    """The parameters a changelist understands: its filters' and date hierarchy's, and lookups
    on the model's own fields."""
    response = client.get(url)
    keys: set[str] = set()
    for spec in response.context["cl"].filter_specs:
        keys.update(spec.expected_parameters())
    for field in model._meta.concrete_fields:
        keys.update([field.name, f"{field.name}__exact", f"{field.name}__in",
                     f"{field.name}__isnull", f"{field.name}__gte"])  # fmt: skip
    hierarchy = admin.site._registry[model].date_hierarchy
    if hierarchy:
        keys.update(f"{hierarchy}__{part}" for part in ("year", "month", "day"))
    keys.update(["obj", "method", "model", "event_model", "back", "_to_field", "_popup", "e"])
    return sorted(keys)


def test_admin_changelists_answer_any_search_ordering_page_and_filter(clients) -> None:
    staff = clients["staff"]
    lists = [(url, changelist_keys(staff, url, model)) for model, url in changelists()]

    @fuzz(350)
    @given(data=st.data(), index=st.integers(0, len(lists) - 1))
    def browse(data: Any, index: int) -> None:
        url, keys = lists[index]
        query: dict[str, str] = {}
        for key in data.draw(st.lists(st.sampled_from(keys), max_size=3)):
            query[key] = data.draw(VALUE)
        if data.draw(st.booleans()):
            query[SEARCH_VAR] = data.draw(VALUE)
        if data.draw(st.booleans()):
            query[ORDER_VAR] = data.draw(
                st.one_of(VALUE, st.from_regex(r"-?\d{1,2}(\.-?\d{1,2}){0,3}", fullmatch=True))
            )
        if data.draw(st.booleans()):
            query[PAGE_VAR] = data.draw(VALUE)
        send(staff, "get", f"{url}?{urlencode(query)}")

    browse()


def changelists() -> list[tuple[Any, str]]:
    return [
        (model, reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"))
        for model in admin.site._registry
    ]


# -- forms sent back with random values ----------------------------------------------------------


def mutate(data: Any, baseline: dict[str, Any], extra_keys: list[str]) -> dict[str, Any]:
    """``baseline`` (what a browser sends back) with some values replaced by hostile ones."""
    sent = dict(baseline)
    keys = sorted(baseline) + extra_keys
    for key in data.draw(st.lists(st.sampled_from(keys), min_size=1, max_size=4)):
        if data.draw(st.integers(0, 4)) == 0:
            sent.pop(key, None)
        elif isinstance(baseline.get(key), list) and data.draw(st.booleans()):
            sent[key] = data.draw(st.lists(VALUE, max_size=3))
        else:
            sent[key] = data.draw(VALUE)
    return sent


def admin_forms(client: Client, world: World) -> list[tuple[str, dict[str, Any]]]:
    """Every admin add page, and the change page of one row of each model (a school's first),
    with what a browser would send back from it."""
    found = []
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        prefix = f"admin:{opts.app_label}_{opts.model_name}"
        urls = []
        request = superuser_request()
        if model_admin.has_add_permission(request):
            urls.append(reverse(f"{prefix}_add"))
        row = model._default_manager.order_by("pk").first()
        if model is School:
            row = School.objects.get(pk=world.schools["A"])
        if row is not None and model_admin.has_change_permission(request, row):
            urls.append(reverse(f"{prefix}_change", args=[row.pk]))
        for url in urls:
            response = client.get(url)
            if response.status_code == 200 and "adminform" in response.context:
                found.append((url, page_data(response)))
    return found


def test_admin_forms_answer_any_values(world, clients) -> None:
    staff = clients["staff"]
    forms = admin_forms(staff, world)
    assert len(forms) > 20, "too few admin forms found"

    @fuzz(160)
    @given(data=st.data(), index=st.integers(0, len(forms) - 1))
    def submit(data: Any, index: int) -> None:
        url, baseline = forms[index]
        send(staff, "post", url, mutate(data, baseline, ["_save", "_continue", "_addanother"]))

    submit()


def portal_forms(client: Client, world: World) -> list[tuple[str, dict[str, Any]]]:
    """School A's register forms (add, change and delete each kind of record, its contacts),
    and the signature form of the agreement it is asked to sign, with what a browser sends.
    (Publishing takes no input: a POST only renders the notices.)"""
    urn = School.objects.get(pk=world.schools["A"]).urn
    urls = [reverse("portal:register_contacts", args=[urn])]
    for kind in REGISTER_MODELS:
        urls.append(reverse("portal:register_add", args=[urn, kind]))
        pk = world.register["A"][kind]
        urls.append(reverse("portal:register_edit", args=[urn, kind, pk]))
        urls.append(reverse("portal:register_delete", args=[urn, kind, pk]))
    urls.append(reverse("portal:agreement", args=[urn, world.agreement_id, 2]))
    found = []
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        form = response.context.get("form")
        found.append((url, browser_values(form) if form is not None else {}))
    return found


def test_portal_forms_answer_any_values(world, clients) -> None:
    dpo = clients["dpo_a"]
    forms = portal_forms(dpo, world)

    @fuzz(300)
    @given(data=st.data(), index=st.integers(0, len(forms) - 1))
    def submit(data: Any, index: int) -> None:
        url, baseline = forms[index]
        send(dpo, "post", url, mutate(data, baseline, ["password", "declaration"]))

    submit()


# -- signing in --------------------------------------------------------------------------------

# Usernames as long as a username can be (255); longer ones are below.
USERNAME = st.one_of(
    st.sampled_from(["m-dpo-a", "m-staff", "admin", *[s[:255] for s in SAMPLES]]),
    TEXT,
    st.text(st.characters(exclude_categories=("Cs",)), min_size=200, max_size=255),
)
PASSWORD = st.one_of(st.sampled_from(SAMPLES), TEXT)


def sign_in(client: Client, url: str, username: Any, password: Any) -> None:
    data = {"username": username, "password": password}
    send(client, "post", url, {k: v for k, v in data.items() if v is not None})


@pytest.mark.parametrize("url", ["/portal/login/", "/admin/login/"])
def test_sign_in_answers_any_username_and_password(url) -> None:
    client = Client()

    @fuzz(120)
    @given(username=st.one_of(st.none(), USERNAME),
           password=st.one_of(st.none(), PASSWORD))  # fmt: skip
    def attempt(username: str | None, password: str | None) -> None:
        sign_in(client, url, username, password)

    with quiet_axes():
        attempt()


@pytest.mark.parametrize("url", ["/portal/login/", "/admin/login/"])
def test_sign_in_answers_a_username_longer_than_any_account(url) -> None:
    client = Client()

    @fuzz(10)
    @given(username=st.text(st.characters(exclude_categories=("Cs",)), min_size=256,
                            max_size=2000))  # fmt: skip
    def attempt(username: str) -> None:
        sign_in(client, url, username, "guess")

    with quiet_axes():
        attempt()


# -- the public verifier ---------------------------------------------------------------------------


BYTES = st.binary(max_size=2000)
FILE_NAME = st.sampled_from(["copy.pdf", "copy", "../../x.pdf", "\x00.pdf", "a" * 300])


def upload(client: Client, content: bytes, name: str = "copy.pdf") -> None:
    document = SimpleUploadedFile(name, content, content_type="application/pdf")
    send(client, "post", reverse("agreements:verify"), {"document": document})


@pytest.fixture
def _no_verifier_rate_limit(settings) -> None:
    """The fuzz is one client sending hundreds of files: lift the per-address limit."""
    settings.VERIFY_RATE_LIMIT = 1_000_000


@pytest.mark.usefixtures("_no_verifier_rate_limit")
def test_the_verifier_answers_any_file() -> None:
    client = Client()

    @fuzz(60)
    @given(content=st.one_of(BYTES, BYTES.map(lambda b: b"%PDF-1.7\n" + b)), name=FILE_NAME)
    def check(content: bytes, name: str) -> None:
        upload(client, content, name)

    check()


@pytest.mark.usefixtures("_no_verifier_rate_limit")
def test_the_verifier_answers_a_mutated_signed_copy(world) -> None:
    client = Client()
    original = world.signed_copy

    @fuzz(60)
    @given(data=st.data())
    def check(data: Any) -> None:
        content = bytearray(original)
        for _ in range(data.draw(st.integers(1, 8))):
            at = data.draw(st.integers(0, len(content) - 1))
            how = data.draw(st.sampled_from(["flip", "cut", "insert"]))
            if how == "flip":
                content[at] ^= 1 << data.draw(st.integers(0, 7))
            elif how == "cut":
                del content[at : at + data.draw(st.integers(1, 4096))]
            else:
                content[at:at] = data.draw(st.binary(min_size=1, max_size=64))
            if not content:
                content = bytearray(b"%PDF")
        upload(client, bytes(content))

    check()


@pytest.mark.usefixtures("_no_verifier_rate_limit")
def test_the_mutations_start_from_an_authentic_copy(world) -> None:
    response = Client().post(
        reverse("agreements:verify"),
        {"document": SimpleUploadedFile("copy.pdf", world.signed_copy, "application/pdf")},
    )

    assert response.status_code == 200
    assert world.signed_copy.startswith(b"%PDF")


def test_a_filter_value_the_database_cannot_take_is_no_server_error(db) -> None:
    """Found by the changelist fuzz on PostgreSQL: ``?ip_address=+`` (an address PostgreSQL
    cannot read) answered 500 as the list was counted."""
    from django.test import Client

    from tests.factories import UserFactory

    client = Client()
    client.force_login(UserFactory(username="fuzz-staff", is_staff=True, is_superuser=True))

    for query in ("ip_address=+", "ip_address__gte=+", "ip_address__in=1.2.3.4,+"):
        response = client.get(f"/admin/governance/accessevent/?{query}")
        assert response.status_code in (200, 302), query
    assert client.get("/admin/governance/school/x/change/").status_code in (200, 302)
