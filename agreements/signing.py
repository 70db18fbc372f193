"""Counter-signing a published agreement version: evidence, signed copy, seal, log.

The signed copy is the PDF the signer was shown, byte for byte, followed by a sign-off page
carrying the evidence, with that PDF also embedded as a file; the whole is sealed (PAdES, with
a timestamp) by the authority's certificate. Nothing about it changes afterwards. Why it is
built on the stored bytes rather than laid out again: ``agreements.signed_copy``.
"""

import hashlib
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from agreements import ledger
from agreements.models import AgreementVersion, Signature, SignOffEvent, SignOffRequest
from agreements.seal import check_seal, seal_identity, seal_writer
from agreements.services import AgreementError, render_signoff_pdf
from agreements.signed_copy import SignedCopy
from governance.models import School


class SigningRefused(AgreementError):
    """The signature cannot be accepted as asked (not this school's DPO, bad input...)."""


class NotTheSchoolsDPO(SigningRefused):
    """The person signing is not a DPO of the school (HTTP 403)."""


class VersionChanged(AgreementError):
    """The document the signer read is no longer the version in force (HTTP 409)."""


@dataclass(frozen=True)
class SignResult:
    signature: Signature
    created: bool


def declaration_text(version: AgreementVersion, school: School) -> str:
    """Return the exact words a DPO ticks to sign ``version`` for ``school``."""
    return (
        f"I confirm that I am the Data Protection Officer of {school.name} (URN {school.urn}) "
        f"and authorised to sign for {school.controller_name}; that I have read version "
        f"{version.number} of “{version.agreement.title}” (PDF SHA-256 {version.pdf_sha256}); "
        f"and that {school.name} agrees to share data on the terms of that version."
    )


def _lock_request(*, version: AgreementVersion, school: School, user: Any) -> SignOffRequest:
    if not user.is_dpo_of(school.pk):
        raise NotTheSchoolsDPO(f"Only a Data Protection Officer of {school.name} can sign for it.")
    request = (
        SignOffRequest.objects.select_for_update()
        .filter(version_id=version.pk, school=school)
        .first()
    )
    if request is None:
        raise SigningRefused(f"{school.name} is not asked to sign this version.")
    return request


def _check_current(version: AgreementVersion, shown_sha256: str) -> None:
    if version.status == AgreementVersion.Status.SUPERSEDED:
        newer = version.agreement.versions.published().first()
        where = f" by version {newer.number}" if newer else ""
        raise VersionChanged(
            f"Version {version.number} has been superseded{where} while you were reading it. "
            "Nothing was signed: read the version in force and sign that one."
        )
    if version.status != AgreementVersion.Status.PUBLISHED:
        raise SigningRefused("This version is not published.")
    if shown_sha256 != version.pdf_sha256:
        raise VersionChanged(
            "The document you were shown is not the version in force (its fingerprint "
            "differs). Nothing was signed: reload the agreement, read it and sign again."
        )


@transaction.atomic
def sign_agreement(
    *,
    version: AgreementVersion,
    school: School,
    user: Any,
    full_name: str,
    position: str,
    declaration_ticked: bool,
    shown_sha256: str,
    ip_address: str | None,
    user_agent: str,
) -> SignResult:
    """Record ``school``'s counter-signature of ``version`` with its evidence and sealed copy.

    Signing twice keeps the first signature (``created`` is False). Refuses, changing nothing:
    a user who is not the school's DPO, a school not asked to sign, a superseded version or a
    different document than the one shown (``VersionChanged``), a blank name or position, an
    unticked declaration.
    """
    # Locks the school's request row: a second submission waits here, then finds the first.
    _lock_request(version=version, school=school, user=user)
    existing = Signature.objects.filter(version_id=version.pk, school=school).first()
    if existing is not None:
        return SignResult(existing, created=False)
    version = AgreementVersion.objects.select_related("agreement__authority").get(pk=version.pk)
    _check_current(version, shown_sha256)
    full_name, position = full_name.strip(), position.strip()
    if not full_name or not position:
        raise SigningRefused("Type your full name and your position.")
    if not declaration_ticked:
        raise SigningRefused("Tick the declaration to sign.")
    evidence = {
        "school": school.name,
        "school_urn": school.urn,
        "controller": school.controller_name,
        "signer_username": user.get_username(),
        "full_name": full_name,
        "position": position,
        "declaration": declaration_text(version, school),
        "signed_at": timezone.now(),
        "ip_address": ip_address or "",
        "user_agent": user_agent[:1000],
        "document_sha256": version.pdf_sha256,
        "content_sha256": version.content_hash,
        "reference": f"{version.agreement_id}-v{version.number}-{school.urn}",
    }
    sealed = _signed_copy(version, evidence)
    signature = Signature(
        version=version,
        school=school,
        signer=user,
        full_name=full_name,
        position=position,
        declaration=evidence["declaration"],
        signed_at=evidence["signed_at"],
        ip_address=ip_address or None,
        user_agent=evidence["user_agent"],
        document_sha256=version.pdf_sha256,
        signed_pdf_sha256=hashlib.sha256(sealed).hexdigest(),
    )
    name = f"{slugify(school.name)[:60]}-{evidence['reference']}.pdf"
    signature.signed_pdf.save(name, ContentFile(sealed), save=False)
    try:
        with transaction.atomic():
            signature.save()
            ledger.append_event(kind=SignOffEvent.Kind.SIGNED, payload=_log_payload(signature))
    except IntegrityError:
        # A simultaneous submission won the race (no row locks on SQLite): keep its signature.
        signature.signed_pdf.delete(save=False)
        existing = Signature.objects.filter(version_id=version.pk, school=school).first()
        if existing is None:
            raise
        return SignResult(existing, created=False)
    except Exception:
        signature.signed_pdf.delete(save=False)
        raise
    return SignResult(signature, created=True)


def _signed_copy(version: AgreementVersion, evidence: dict[str, Any]) -> bytes:
    """Return the sealed signed copy: the stored PDF shown, its sign-off page(s) after its
    last page, the PDF shown embedded as a file, all sealed (see ``agreements.signed_copy``).

    The stored PDF is opened once, lazily (its page count is read from its page tree), and
    the sign-off and the seal go in one incremental update of it.
    """
    with version.pdf.open("rb") as handle:
        shown = handle.read()
    identity = seal_identity()
    signoff = {**evidence, "seal_subject": identity.subject, "development": identity.is_development}
    copy = SignedCopy(shown)
    pages = render_signoff_pdf(version=version, signoff=signoff, shown_pages=copy.page_count())
    copy.append_signoff(
        pages,
        attachment_name=version.download_name,
        attachment_description=(
            f"The agreement exactly as shown to the signer (SHA-256 {version.pdf_sha256})"
        ),
        title=(
            f"{version.agreement.title} (version {version.number}): signed for {evidence['school']}"
        ),
    )
    sealed = seal_writer(
        copy.writer,
        reason=f"Counter-signed for {evidence['school']} by {evidence['full_name']}",
        location=version.agreement.authority.name,
    )
    return copy.check(sealed)


def _log_payload(signature: Signature) -> dict[str, Any]:
    version = signature.version
    return {
        "agreement_id": version.agreement_id,
        "version": version.number,
        "content_sha256": version.content_hash,
        "pdf_sha256": signature.document_sha256,
        "school": signature.school.urn,
        "signer": signature.signer.get_username(),
        "full_name": signature.full_name,
        "position": signature.position,
        "signed_at": signature.signed_at.isoformat(),
        "ip_address": signature.ip_address,
        "signed_pdf_sha256": signature.signed_pdf_sha256,
    }


@dataclass(frozen=True)
class Verification:
    """What an uploaded PDF turned out to be."""

    authentic: bool
    reason: str
    signature: Signature | None = None
    seal_signer: str = ""
    timestamped_at: Any = None


def verify_signed_copy(data: bytes) -> Verification:
    """Tell whether ``data`` is an authentic, unaltered signed copy issued here, and of what."""
    check = check_seal(data)
    if not check.ok:
        return Verification(False, check.reason, seal_signer=check.signer)
    digest = hashlib.sha256(data).hexdigest()
    signature = (
        Signature.objects.select_related("version__agreement", "school")
        .filter(signed_pdf_sha256=digest)
        .first()
    )
    if signature is None:
        return Verification(
            False,
            "The seal is valid, but this file is not a signed copy on record here.",
            seal_signer=check.signer,
            timestamped_at=check.timestamped_at,
        )
    return Verification(
        True,
        "This is an authentic signed copy, unaltered since it was sealed.",
        signature=signature,
        seal_signer=check.signer,
        timestamped_at=check.timestamped_at,
    )
