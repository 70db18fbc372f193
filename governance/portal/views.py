"""The DPO portal: a school's Data Protection Officer sees their schools only.

Every view starts from ``School.objects.visible_to(request.user)``: another school's URN,
agreement or signature is a 404, never a 403 that would confirm it exists.
"""

import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any, TypedDict

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef, Q
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_GET, require_http_methods

from agreements.changes import describe_changes
from agreements.content import SECTIONS
from agreements.forms import SignatureForm
from agreements.models import AgreementVersion, Signature, SignOffRequest
from agreements.services import last_signed
from agreements.signing import (
    NotTheSchoolsDPO,
    SigningRefused,
    VersionChanged,
    declaration_text,
    sign_agreement,
)
from governance.downloads import private_pdf
from governance.models import DataFlow, School
from notices.content import Audience
from notices.gaps import notice_gaps
from notices.models import NoticeVersion

AUTH_AT = "portal_auth_at"


class Welcome(auth_views.PasswordResetConfirmView):
    """An invited person chooses their password through the one-time link, then signs in."""

    template_name = "portal/welcome.html"
    success_url = reverse_lazy("portal:login")

    def form_valid(self, form: Any) -> HttpResponse:
        messages.success(self.request, "Your password is set: sign in with it.")
        return super().form_valid(form)


def record_authentication(request: HttpRequest) -> None:
    """Note in the session when the person last proved who they are (password typed)."""
    request.session[AUTH_AT] = time.time()


def needs_password(request: HttpRequest) -> bool:
    """Return whether the person signed in longer ago than ``SIGNING_REAUTH_SECONDS``."""
    auth_at = request.session.get(AUTH_AT)
    return auth_at is None or time.time() - float(auth_at) > settings.SIGNING_REAUTH_SECONDS


def _school(request: HttpRequest, urn: str) -> School:
    schools = School.objects.visible_to(request.user).select_related("authority")
    return get_object_or_404(schools, urn=urn)


def _version(school: School, agreement_id: int, number: int) -> AgreementVersion:
    """Return an issued version the school was asked to sign, or signed; else 404."""
    versions = (
        AgreementVersion.objects.issued()
        .select_related("agreement__authority")
        .filter(agreement__id=agreement_id, number=number)
        .filter(Q(requests__school=school) | Q(signatures__school=school))
        .distinct()
    )
    return get_object_or_404(versions)


def _awaiting(schools: Any) -> Any:
    """Return the open sign-off requests of ``schools``: published versions not yet signed,
    with only what a list of them shows (a version's content and HTML are tens of kilobytes)."""
    signed = Signature.objects.filter(version=OuterRef("version"), school=OuterRef("school"))
    return (
        SignOffRequest.objects.filter(
            school__in=schools, version__status=AgreementVersion.Status.PUBLISHED
        )
        .filter(~Exists(signed))
        .select_related("version__agreement")
        .only(
            "school",
            "version__number",
            "version__published_at",
            "version__agreement__title",
        )
        .order_by("school__name", "version__agreement__title")
    )


class SchoolCard(TypedDict):
    """A school as the portal's home lists it (a dict: the template's first lookup finds
    each value, where a tuple's attributes cost a failed item lookup each)."""

    name: str
    urn: str
    url: str
    meta: str  # "URN … · nation · type"


class Awaiting(TypedDict):
    """An agreement version a school is asked to sign, as the portal's home lists it."""

    url: str
    label: str  # "<title>, version <number>"
    published: str


def _url_maker(name: str, *sentinels: object) -> Callable[..., str]:
    """Reverse ``name`` once and return a maker of its URLs, each a string format: a list's
    links then cost the same for 1 and 20 rows as the rest of the page (reverse() walks the
    resolver, ~57 µs a call). A sentinel must occur once in the reversed URL."""
    url = reverse(name, args=sentinels)
    for index, sentinel in enumerate(sentinels):
        if url.count(str(sentinel)) != 1:
            raise ValueError(f"{sentinel!r} is not one segment of {url!r}")
        url = url.replace(str(sentinel), f"{{{index}}}")
    return url.format


def _labels(choices: list[tuple[str, Any]]) -> dict[str, str]:
    return {value: str(label) for value, label in choices}


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """List the person's schools, with what awaits their signature.

    Two queries however many schools, of the columns the page shows only (an agreement
    version's content and HTML are tens of kilobytes); the cards' links and labels are made
    here, and a version's date written once however many schools await it."""
    nations, types = _labels(School.Nation.choices), _labels(School.Type.choices)
    school_url = _url_maker("portal:school", "9876543")
    agreement_url = _url_maker("portal:agreement", "9876543", 918273645, 918273646)
    schools = School.objects.visible_to(request.user).order_by("name")
    cards = {
        pk: SchoolCard(name=name, urn=urn, url=school_url(urn),
                       meta=f"URN {urn} · {nations.get(nation, nation)} · {types.get(kind, kind)}")
        for pk, name, urn, nation, kind in schools.values_list(
            "pk", "name", "urn", "nation", "school_type"
        )
    }  # fmt: skip
    published: dict[int, str] = {}
    awaiting: dict[int, list[Awaiting]] = defaultdict(list)
    shown = _awaiting(list(cards)).values_list(
        "school", "version", "version__agreement", "version__number",
        "version__published_at", "version__agreement__title",
    )  # fmt: skip
    for school_id, version_id, agreement_id, number, published_at, title in shown:
        if version_id not in published:
            published[version_id] = (
                date_format(timezone.localtime(published_at), "j F Y") if published_at else ""
            )
        url = agreement_url(cards[school_id]["urn"], agreement_id, number)
        label = f"{title}, version {number}"
        awaiting[school_id].append(Awaiting(url=url, label=label, published=published[version_id]))
    rows = [(card, awaiting.get(pk, [])) for pk, card in cards.items()]
    return render(request, "portal/home.html", {"rows": rows})


@require_GET
@login_required
def school_detail(request: HttpRequest, urn: str) -> HttpResponse:
    """Show what leaves the school, its agreements and its notices."""
    school = _school(request, urn)
    today = timezone.localdate()
    flows = list(
        DataFlow.objects.for_school(school, today)
        .with_details()
        .order_by("partner_service__name", "processor__name", "body__name", "purpose")
    )
    signatures = (
        Signature.objects.filter(school=school)
        .select_related("version__agreement")
        .order_by("version__agreement__title", "-version__number")
    )
    notices = [(Audience(a), NoticeVersion.objects.current_for(school, a)) for a in Audience.values]
    context = {
        "school": school,
        "today": today,
        "sections": [
            ("Authority services", [f for f in flows if f.partner_service_id]),
            ("Suppliers", [f for f in flows if f.processor_id]),
            ("Public bodies and other recipients", [f for f in flows if f.body_id]),
        ],
        "flow_count": len(flows),
        "awaiting": _awaiting([school]),
        "signatures": signatures,
        "notices": notices,
        "gaps": notice_gaps(school),
    }
    return render(request, "portal/school.html", context)


def _agreement_context(request: HttpRequest, school: School, version: AgreementVersion) -> dict:
    signature = Signature.objects.filter(version=version, school=school).first()
    previous = last_signed(school=school, agreement_id=version.agreement_id)
    compare_to = previous.version if previous and previous.version_id != version.pk else None
    in_force = version.agreement.versions.published().first()
    can_sign = (
        signature is None
        and version.status == AgreementVersion.Status.PUBLISHED
        and version.requests.filter(school=school).exists()
        and request.user.is_dpo_of(school.pk)  # type: ignore[union-attr]
    )
    return {
        "school": school,
        "version": version,
        "in_force": in_force,
        "signature": signature,
        "compare_to": compare_to,
        "changes": describe_changes(compare_to.content, version.content or {})
        if compare_to
        else None,
        "can_sign": can_sign,
        "sections": SECTIONS,
    }


def _signature_form(request: HttpRequest, school: School, version: AgreementVersion,
                    data: Any = None) -> SignatureForm:  # fmt: skip
    return SignatureForm(
        data,
        declaration=declaration_text(version, school),
        user=request.user,
        needs_password=needs_password(request),
        initial={
            "document_sha256": version.pdf_sha256,
            "full_name": request.user.get_full_name(),  # type: ignore[union-attr]
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def agreement_detail(
    request: HttpRequest, urn: str, agreement_id: int, number: int
) -> HttpResponse:
    """Read a version, see what changed since the one last signed, and sign it."""
    school = _school(request, urn)
    version = _version(school, agreement_id, number)
    context = _agreement_context(request, school, version)
    if request.method == "GET":
        form = _signature_form(request, school, version) if context["can_sign"] else None
        return render(request, "portal/agreement.html", {**context, "form": form})
    form = _signature_form(request, school, version, request.POST)
    if not form.is_valid():
        return render(request, "portal/agreement.html", {**context, "form": form}, status=400)
    if form.needs_password:
        record_authentication(request)
    try:
        result = sign_agreement(
            version=version,
            school=school,
            user=request.user,
            full_name=form.cleaned_data["full_name"],
            position=form.cleaned_data["position"],
            declaration_ticked=form.cleaned_data["declaration"],
            shown_sha256=form.cleaned_data["document_sha256"],
            ip_address=get_client_ip_address(request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )
    except VersionChanged as error:
        context = _agreement_context(request, school, version)
        return render(
            request, "portal/agreement.html", {**context, "form": None, "refusal": str(error)},
            status=409,
        )  # fmt: skip
    except SigningRefused as error:
        return render(
            request, "portal/agreement.html", {**context, "form": form, "refusal": str(error)},
            status=403 if isinstance(error, NotTheSchoolsDPO) else 400,
        )  # fmt: skip
    if result.created:
        messages.success(request, f"Signed. {school.name}'s signed copy is ready to download.")
    else:
        messages.info(request, f"{school.name} had already signed this version.")
    return redirect("portal:signature", urn=school.urn, pk=result.signature.pk)


@require_GET
@login_required
def agreement_pdf(request: HttpRequest, urn: str, agreement_id: int, number: int) -> FileResponse:
    """Return the version's PDF, exactly as published."""
    version = _version(_school(request, urn), agreement_id, number)
    return private_pdf(request, version.pdf, version.download_name)


def _signature(request: HttpRequest, urn: str, pk: int) -> Signature:
    school = _school(request, urn)
    signatures = Signature.objects.select_related("version__agreement__authority", "school")
    return get_object_or_404(signatures, pk=pk, school=school)


@require_GET
@login_required
def signature_detail(request: HttpRequest, urn: str, pk: int) -> HttpResponse:
    """Show the sign-off certificate: the evidence recorded, and the signed copy."""
    signature = _signature(request, urn, pk)
    return render(
        request, "portal/signature.html", {"signature": signature, "school": signature.school}
    )


@require_GET
@login_required
def signed_pdf(request: HttpRequest, urn: str, pk: int) -> FileResponse:
    """Download the sealed signed copy."""
    signature = _signature(request, urn, pk)
    return private_pdf(request, signature.signed_pdf, signature.download_name, attachment=True)
