"""API tokens: staff issue a system its key in the admin (shown once, stored hashed), scoped
to a role no wider than its owner's; the API knows the caller by it (``request.auth`` is the
token), refuses it once revoked or expired (401), and counts each token's requests apart.

The authentication and throttle are tested through two small API views of this module's own
URLconf (``urlpatterns`` below), with REST_FRAMEWORK set as the project's settings set it; the
admin through the project's URLconf.
"""

import datetime
import hashlib
import re

import pytest
from django.contrib.admin.models import LogEntry
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import path, reverse
from django.utils import timezone
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.test import APIClient
from rest_framework.views import APIView

from governance.api.roles import api_role
from governance.models import ApiToken, User
from governance.urls import urlpatterns as project_urls
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

AUTHENTICATION = [
    "governance.api.authentication.TokenAuthentication",
    "rest_framework.authentication.SessionAuthentication",
]
THROTTLES = ["governance.api.throttling.CallerRateThrottle"]
KEY = re.compile(r"dsg_[A-Za-z0-9_-]{43}")
REFUSED = "Invalid or revoked token."
CHALLENGE = 'Bearer realm="api"'


# -- a tiny API of this module's own -----------------------------------------------------------


class WhoAmI(APIView):
    """Who the API takes the caller for."""

    permission_classes = [IsAuthenticated]

    def get(self, request: Request) -> Response:
        token = request.auth if isinstance(request.auth, ApiToken) else None
        return Response(
            {
                "username": request.user.username,
                "token": token.pk if token else None,
                "role": api_role(request),
            }
        )

    def post(self, request: Request) -> Response:
        return self.get(request)


class Ping(APIView):
    """Open to anyone (so anonymous callers reach the throttle)."""

    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        return Response({"pong": True})


# The project's own URLs stay (the middleware names some of them), with these two.
urlpatterns = [path("whoami/", WhoAmI.as_view()), path("ping/", Ping.as_view()), *project_urls]
OWN_URLS = pytest.mark.urls(__name__)


def rest_framework(settings, rate: str = "600/minute") -> None:
    """REST_FRAMEWORK as the project's settings set it, with the callers' ``rate``."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_AUTHENTICATION_CLASSES": AUTHENTICATION,
        "DEFAULT_THROTTLE_CLASSES": THROTTLES,
        "DEFAULT_THROTTLE_RATES": {"caller": rate},
    }


@pytest.fixture(autouse=True)
def _api_settings(settings, monkeypatch) -> None:
    """Every API view authenticates and throttles as the settings say. (DRF's views read the
    classes once, when defined, as at a real start-up: give them this test's.)"""
    rest_framework(settings)
    monkeypatch.setattr(
        APIView, "authentication_classes", api_settings.DEFAULT_AUTHENTICATION_CLASSES
    )
    monkeypatch.setattr(APIView, "throttle_classes", api_settings.DEFAULT_THROTTLE_CLASSES)


# -- people and tokens -------------------------------------------------------------------------


@pytest.fixture
def staff_user() -> User:
    return UserFactory(username="token-staff", is_staff=True, is_superuser=True)


@pytest.fixture
def auditor_user() -> User:
    return UserFactory(username="token-auditor", is_staff=True)


@pytest.fixture
def dpo_user() -> User:
    return UserFactory(username="token-dpo")


def issue(user: User, role: str | None = None, **options) -> tuple[ApiToken, str]:
    return ApiToken.issue(user=user, name="MIS export", role=role or user.role, **options)


def bearer(key: str, keyword: str = "Bearer") -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"{keyword} {key}")
    return client


def refused(response) -> bool:
    """A 401 with the token challenge and the one plain message."""
    return (
        response.status_code == 401
        and response["WWW-Authenticate"] == CHALLENGE
        and response.json() == {"detail": REFUSED}
    )


# -- issuing: the key shown once, stored hashed -------------------------------------------------


def test_a_key_is_returned_once_and_only_its_hash_is_stored(staff_user) -> None:
    token, key = issue(staff_user)

    assert KEY.fullmatch(key)
    row = ApiToken.objects.filter(pk=token.pk).values().get()
    assert row["key_hash"] == hashlib.sha256(key.encode()).hexdigest()
    assert row["prefix"] == key[4:12]
    assert not [name for name, value in row.items() if key in str(value)]
    events = token.events.values()  # the audit trail, kept on PostgreSQL only
    assert events.exists() == (connection.vendor == "postgresql")
    for event in events:
        assert "key_hash" not in event
        assert not [name for name, value in event.items() if key in str(value)]
    assert ApiToken.find(key) == token


def test_each_key_is_new(staff_user) -> None:
    keys = {issue(staff_user)[1] for _ in range(5)}

    assert len(keys) == 5


@pytest.mark.parametrize(
    ("owner", "role", "allowed"),
    [
        ("staff_user", "staff", True),
        ("staff_user", "auditor", True),
        ("staff_user", "dpo", False),
        ("auditor_user", "auditor", True),
        ("auditor_user", "staff", False),
        ("auditor_user", "dpo", False),
        ("dpo_user", "dpo", True),
        ("dpo_user", "staff", False),
        ("dpo_user", "auditor", False),
    ],
)
def test_a_token_narrows_its_owners_role_never_widens_it(request, owner, role, allowed) -> None:
    user = request.getfixturevalue(owner)

    if allowed:
        token, _ = issue(user, role)
        assert token.role == role
    else:
        with pytest.raises(ValidationError) as error:
            issue(user, role)
        assert list(error.value.message_dict) == ["role"]
        assert "never widen it" in error.value.message_dict["role"][0]
        assert not ApiToken.objects.exists()


def test_no_token_for_an_inactive_person_or_ending_in_the_past(staff_user) -> None:
    with pytest.raises(ValidationError) as error:
        issue(staff_user, expires_at=timezone.now() - datetime.timedelta(minutes=1))
    assert list(error.value.message_dict) == ["expires_at"]

    staff_user.is_active = False
    staff_user.save()
    with pytest.raises(ValidationError) as error:
        issue(staff_user)
    assert list(error.value.message_dict) == ["user"]


def test_revoking_twice_keeps_the_first_revocation(staff_user, auditor_user) -> None:
    token, _ = issue(staff_user)

    assert token.revoke(staff_user) is True
    first = token.revoked_at
    assert token.revoke(auditor_user) is False

    token.refresh_from_db()
    assert (token.revoked_at, token.revoked_by) == (first, staff_user)
    assert not token.is_usable


# -- authentication ----------------------------------------------------------------------------


@OWN_URLS
@pytest.mark.parametrize("keyword", ["Bearer", "Token", "bearer"])
def test_a_token_authenticates_as_its_owner(staff_user, keyword) -> None:
    token, key = issue(staff_user)

    response = bearer(key, keyword).get("/whoami/")

    assert response.status_code == 200
    assert response.json() == {"username": "token-staff", "token": token.pk, "role": "staff"}


@OWN_URLS
def test_the_tokens_role_is_the_callers(staff_user) -> None:
    _, key = issue(staff_user, "auditor")

    assert bearer(key).get("/whoami/").json()["role"] == "auditor"


@OWN_URLS
def test_no_header_leaves_the_session_to_authenticate(staff_user) -> None:
    client = APIClient()
    client.force_login(staff_user)

    response = client.get("/whoami/")

    assert response.status_code == 200
    assert response.json() == {"username": "token-staff", "token": None, "role": "staff"}


@OWN_URLS
def test_an_anonymous_call_gets_401_with_the_challenge() -> None:
    response = APIClient().get("/whoami/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == CHALLENGE


@OWN_URLS
def test_a_revoked_token_gets_401(staff_user) -> None:
    token, key = issue(staff_user)
    assert bearer(key).get("/whoami/").status_code == 200

    token.revoke(staff_user)

    assert refused(bearer(key).get("/whoami/"))


@OWN_URLS
def test_an_expired_token_gets_401(staff_user) -> None:
    token, key = issue(staff_user, expires_at=timezone.now() + datetime.timedelta(days=1))
    assert bearer(key).get("/whoami/").status_code == 200

    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now())

    assert refused(bearer(key).get("/whoami/"))


@OWN_URLS
def test_the_token_of_an_inactive_person_gets_401(staff_user) -> None:
    _, key = issue(staff_user)
    staff_user.is_active = False
    staff_user.save()

    assert refused(bearer(key).get("/whoami/"))


@OWN_URLS
def test_a_token_wider_than_its_owner_now_is_gets_401(staff_user) -> None:
    """A staff member's staff token stops working when they become an auditor."""
    _, key = issue(staff_user, "staff")
    staff_user.set_role("auditor")
    staff_user.save()

    assert refused(bearer(key).get("/whoami/"))


@OWN_URLS
@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer ",
        "Bearer dsg_ two words",
        "Bearer dsg_short",
        "Bearer not-a-key-at-all-0123456789012345678901234567890123",
        "Token dsg_" + "é" * 43,
        "Bearer dsg_" + "A" * 42 + "!",
    ],
)
def test_a_malformed_token_gets_401(staff_user, header) -> None:
    issue(staff_user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)

    assert refused(client.get("/whoami/"))


@OWN_URLS
def test_an_unknown_token_gets_401_even_with_a_known_prefix(staff_user) -> None:
    _, key = issue(staff_user)
    other = key[:12] + ("A" if key[12] != "A" else "B") + key[13:]

    assert refused(bearer(other).get("/whoami/"))
    assert refused(bearer("dsg_" + "x" * 43).get("/whoami/"))


@OWN_URLS
def test_another_scheme_is_left_to_the_other_authentication(staff_user) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Basic dXNlcjpwYXNz")

    response = client.get("/whoami/")

    assert response.status_code == 401
    assert response.json() != {"detail": REFUSED}


@OWN_URLS
def test_a_token_needs_no_csrf_token_a_session_does(staff_user) -> None:
    _, key = issue(staff_user)
    with_token = APIClient(enforce_csrf_checks=True)
    with_token.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    with_session = APIClient(enforce_csrf_checks=True)
    with_session.force_login(staff_user)

    assert with_token.post("/whoami/").status_code == 200
    assert with_session.post("/whoami/").status_code == 403


@OWN_URLS
def test_last_used_is_written_at_most_once_a_minute(staff_user, django_assert_num_queries) -> None:
    token, key = issue(staff_user)
    client = bearer(key)

    client.get("/whoami/")
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None

    with django_assert_num_queries(1):  # finding the token; no write
        client.get("/whoami/")
    token.refresh_from_db()
    assert token.last_used_at == first

    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - datetime.timedelta(minutes=2))
    client.get("/whoami/")
    token.refresh_from_db()
    assert token.last_used_at > first


# -- throttling --------------------------------------------------------------------------------


@OWN_URLS
def test_each_token_is_counted_apart_and_refused_past_the_rate(settings, staff_user) -> None:
    rest_framework(settings, rate="2/minute")
    _, first = issue(staff_user)
    _, second = issue(staff_user, "auditor")

    answers = [bearer(first).get("/whoami/").status_code for _ in range(3)]
    assert answers == [200, 200, 429]
    refusal = bearer(first).get("/whoami/")
    assert refusal.status_code == 429
    assert int(refusal["Retry-After"]) > 0

    assert bearer(second).get("/whoami/").status_code == 200
    session = APIClient()
    session.force_login(staff_user)
    assert session.get("/whoami/").status_code == 200  # the person's browser: its own count


@OWN_URLS
def test_a_session_caller_is_counted_by_person(settings, staff_user, auditor_user) -> None:
    rest_framework(settings, rate="1/minute")
    browsers = [APIClient(), APIClient()]
    for browser in browsers:
        browser.force_login(staff_user)
    other = APIClient()
    other.force_login(auditor_user)

    assert browsers[0].get("/whoami/").status_code == 200
    assert browsers[1].get("/whoami/").status_code == 429  # same person, another browser
    assert other.get("/whoami/").status_code == 200


@OWN_URLS
def test_an_anonymous_caller_is_counted_by_address(settings) -> None:
    rest_framework(settings, rate="2/minute")
    client = APIClient()

    here = [client.get("/ping/", REMOTE_ADDR="192.0.2.7").status_code for _ in range(2)]
    assert here == [200, 200]
    # Naming itself another address in X-Forwarded-For (no proxy trusted) changes nothing.
    spoofed = client.get("/ping/", REMOTE_ADDR="192.0.2.7", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert spoofed.status_code == 429
    assert client.get("/ping/", REMOTE_ADDR="192.0.2.8").status_code == 200


# -- the registry API itself -------------------------------------------------------------------


def test_the_registry_api_knows_a_token_and_its_scope(staff_user) -> None:
    """Through the project's own URLconf: a token reads; an auditor's token cannot write;
    revoked, it is refused."""
    token, key = issue(staff_user, "auditor")
    url = "/api/v1/organisations/"

    assert bearer(key).get(url).status_code == 200
    assert bearer(key).post(url, {"name": "Nope"}, format="json").status_code == 403
    token.revoke(staff_user)
    assert refused(bearer(key).get(url))


# -- the admin ---------------------------------------------------------------------------------

ADD = "admin:governance_apitoken_add"
CHANGELIST = "admin:governance_apitoken_changelist"


def change_url(token: ApiToken) -> str:
    return reverse("admin:governance_apitoken_change", args=[token.pk])


def add_form(user: User, role: str, **changes) -> dict[str, str]:
    return {"user": str(user.pk), "name": "Reporting warehouse", "role": role,
            "expires_at_0": "", "expires_at_1": "", **changes}  # fmt: skip


@pytest.fixture
def auditor_client(auditor_user) -> Client:
    client = Client()
    client.force_login(auditor_user)
    return client


def test_the_admin_issues_a_token_and_shows_its_key_once(staff_client, staff, auditor_user):
    response = staff_client.post(reverse(ADD), add_form(auditor_user, "auditor"), follow=True)

    assert response.status_code == 200
    page = response.content.decode()
    keys = KEY.findall(page)
    assert len(set(keys)) == 1
    assert "Copy it now: it is not shown again." in page
    token = ApiToken.objects.get()
    assert (token.user, token.role, token.created_by) == (auditor_user, "auditor", staff)
    assert ApiToken.find(keys[0]) == token
    row = ApiToken.objects.filter(pk=token.pk).values().get()
    assert not [name for name, value in row.items() if keys[0] in str(value)]
    assert not LogEntry.objects.filter(change_message__contains=keys[0]).exists()
    assert not LogEntry.objects.filter(object_repr__contains=keys[0]).exists()
    # Never again: not in the list, not on the token's page.
    for url in (reverse(CHANGELIST), change_url(token)):
        again = staff_client.get(url).content.decode()
        assert keys[0] not in again
        assert token.key_hash not in again
        assert f"dsg_{token.prefix}" in again


def test_the_admin_refuses_a_token_wider_than_its_owner(staff_client, dpo_user) -> None:
    response = staff_client.post(reverse(ADD), add_form(dpo_user, "staff"))

    assert response.status_code == 200
    assert "never widen it" in str(response.context["adminform"].form.errors["role"])
    assert not ApiToken.objects.exists()


def test_the_change_page_shows_everything_read_only(staff_client, staff_user) -> None:
    token, key = issue(staff_user)

    page = staff_client.get(change_url(token))

    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert not page.context["adminform"].form.fields  # nothing to edit
    content = page.content.decode()
    assert key not in content
    assert token.key_hash not in content
    assert 'name="_revoke"' in content


def test_the_revoke_action_revokes(staff_client, staff, staff_user) -> None:
    tokens = [issue(staff_user)[0] for _ in range(2)]
    kept = issue(staff_user)[0]

    response = staff_client.post(
        reverse(CHANGELIST),
        {"action": "revoke_tokens", "_selected_action": [t.pk for t in tokens]},
        follow=True,
    )

    assert response.status_code == 200
    assert "Revoked 2 token(s)" in response.content.decode()
    for token in tokens:
        token.refresh_from_db()
        assert token.revoked_by == staff
        assert token.revoked_at is not None
    kept.refresh_from_db()
    assert kept.revoked_at is None


def test_the_change_pages_button_revokes(staff_client, staff, staff_user) -> None:
    token, _ = issue(staff_user)

    response = staff_client.post(change_url(token), {"_revoke": "1"})

    assert response.status_code == 302
    assert response["Location"] == change_url(token)
    token.refresh_from_db()
    assert token.revoked_by == staff
    assert 'name="_revoke"' not in staff_client.get(change_url(token)).content.decode()


def test_tokens_are_never_deleted(staff_client, staff_user) -> None:
    token, _ = issue(staff_user)
    delete = reverse("admin:governance_apitoken_delete", args=[token.pk])

    assert staff_client.post(delete, {"post": "yes"}).status_code == 403
    listing = staff_client.get(reverse(CHANGELIST))
    assert "delete_selected" not in dict(listing.context["action_form"].fields["action"].choices)
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_an_auditor_sees_tokens_but_cannot_add_or_revoke(auditor_client, staff_user) -> None:
    token, _ = issue(staff_user)

    listing = auditor_client.get(reverse(CHANGELIST))
    assert listing.status_code == 200
    assert listing.context.get("action_form") is None  # no action offered
    page = auditor_client.get(change_url(token))
    assert page.status_code == 200
    assert 'name="_revoke"' not in page.content.decode()

    assert auditor_client.get(reverse(ADD)).status_code == 403
    assert auditor_client.post(reverse(ADD), add_form(staff_user, "staff")).status_code == 403
    assert auditor_client.post(change_url(token), {"_revoke": "1"}).status_code == 403
    auditor_client.post(
        reverse(CHANGELIST), {"action": "revoke_tokens", "_selected_action": [token.pk]}
    )
    assert ApiToken.objects.filter(pk=token.pk).get().revoked_at is None
    assert ApiToken.objects.count() == 1


def test_the_list_searches_and_filters(staff_client, staff_user, dpo_user) -> None:
    staff_token, staff_key = issue(staff_user)
    dpo_token, _ = issue(dpo_user)
    dpo_token.revoke(staff_user)

    def listed(**query) -> set[int]:
        response = staff_client.get(reverse(CHANGELIST), query)
        assert response.status_code == 200
        return {row.pk for row in response.context["cl"].result_list}

    assert listed(q="token-dpo") == {dpo_token.pk}
    assert listed(q=staff_token.prefix) == {staff_token.pk}
    assert listed(q=staff_key) == {staff_token.pk}  # a key pasted whole finds its token
    assert listed(role="dpo") == {dpo_token.pk}
    assert listed(revoked="yes") == {dpo_token.pk}
    assert listed(revoked="no") == {staff_token.pk}


def test_revoking_a_token_that_does_not_exist_is_not_found(staff_client) -> None:
    url = reverse("admin:governance_apitoken_change", args=[999999])

    assert staff_client.post(url, {"_revoke": "1"}).status_code == 404


def test_the_add_page_offers_active_people_with_their_roles(staff_client, dpo_user) -> None:
    UserFactory(username="token-left", is_active=False)

    page = staff_client.get(reverse(ADD))

    field = page.context["adminform"].form.fields["user"]
    labels = [label for value, label in field.choices if value]
    assert "token-dpo (School DPO (the portal, for their schools))" in labels
    assert not [label for label in labels if label.startswith("token-left")]


def test_a_token_issued_from_the_shell_prints_its_key_once_and_refuses_bad_requests() -> None:
    from io import StringIO

    from django.core.management import CommandError, call_command

    owner = UserFactory(username="shell-staff", is_staff=True, is_superuser=True)
    out = StringIO()
    call_command("issue_api_token", "shell-staff", "--name", "Nightly", "--role", "auditor",
                 "--expires-in-days", "7", stdout=out, stderr=StringIO())  # fmt: skip
    key = out.getvalue().strip()
    token = ApiToken.find(key)
    assert (token.user, token.role, token.name) == (owner, "auditor", "Nightly")
    assert token.expires_at is not None
    assert token.key_hash != key
    assert key not in str(token.__dict__)

    with pytest.raises(CommandError, match="No person"):
        call_command("issue_api_token", "nobody", "--name", "x")
    with pytest.raises(CommandError, match="Only a DPO's token can sign"):
        call_command("issue_api_token", "shell-staff", "--name", "x", "--signing")
    UserFactory(username="shell-dpo")
    with pytest.raises(CommandError, match="must expire within 30 days"):
        call_command("issue_api_token", "shell-dpo", "--name", "x", "--signing")
    assert ApiToken.objects.filter(user__username__in=["shell-staff", "shell-dpo"]).count() == 1
