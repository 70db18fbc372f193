"""A school's signature: its evidence, the sealed signed copy (the agreement, a sign-off page,
the exact PDF shown embedded), the seal that betrays any change, and the public verifier."""

import datetime
import hashlib
import io
import re
from html import unescape
from pathlib import Path
from unittest import mock

import pytest
from asn1crypto import keys as asn1_keys
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.timestamps.requests_client import HTTPTimeStamper
from pyhanko.sign.validation import async_validate_pdf_signature, validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pypdf import PdfReader

from agreements import seal as seal_module
from agreements.models import AgreementVersion, Signature, SignOffEvent
from agreements.seal import LoadedKeySigner, check_seal, seal_identity, seal_pdf
from agreements.services import render_signoff_pdf
from agreements.signed_copy import IndexedReader, SignedCopy, _flat_keys, page_count
from agreements.signing import (
    NotTheSchoolsDPO,
    SigningRefused,
    VersionChanged,
    declaration_text,
    verify_signed_copy,
)
from tests.agreements.conftest import ARDEN, AVON, STOUR, school
from tests.factories import SchoolFactory, dpo_of, sign

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("world")]

VERIFY_URL = "/agreements/verify/"


def read(file) -> bytes:
    with file.open("rb") as handle:
        return handle.read()


def arden_copy(world) -> bytes:
    return read(world.signature(world.arden_v2_signature).signed_pdf)


def tampered(data: bytes) -> bytes:
    """Change one byte of the header's binary comment: signed, but harmless to a PDF reader."""
    position = data.index(b"\n%", 5) + 2
    return data[:position] + bytes([data[position] ^ 0x01]) + data[position + 1 :]


def upload(client: Client, data: bytes, name: str = "signed.pdf"):
    return client.post(VERIFY_URL, {"document": SimpleUploadedFile(name, data)})


# Evidence


def test_signature_records_the_evidence(world) -> None:
    signature = world.signature(world.arden_v2_signature)
    version = world.version(2)
    arden = school(ARDEN)

    assert signature.signer.username == "arden-dpo"
    assert (signature.full_name, signature.position) == ("Lee Grant", "Data Protection Officer")
    assert signature.declaration == declaration_text(version, arden)
    assert (signature.ip_address, signature.user_agent) == ("192.0.2.10", "pytest")
    assert signature.document_sha256 == version.pdf_sha256
    assert signature.signed_pdf_sha256 == hashlib.sha256(arden_copy(world)).hexdigest()
    assert version.published_at < signature.signed_at <= datetime.datetime.now(datetime.UTC)


def test_declaration_names_the_school_its_controller_the_version_and_its_fingerprint(
    world,
) -> None:
    version, arden = world.version(2), school(ARDEN)

    words = declaration_text(version, arden)

    for fact in (arden.name, arden.urn, arden.controller_name, version.agreement.title,
                 "version 2", version.pdf_sha256):  # fmt: skip
        assert fact in words


# The signed copy and its seal


def test_signed_copy_passes_the_services_seal_check(world) -> None:
    check = check_seal(arden_copy(world))

    assert check.ok, check.reason
    assert check.signer == "Document seal (development, not for production)"
    assert check.timestamped_at is not None


def test_signed_copy_validates_with_pyhanko_against_the_development_root(world, settings) -> None:
    root = load_cert_from_pemder(str(Path(settings.SEAL_DEV_DIR) / "root.pem"))
    context = ValidationContext(trust_roots=[root], allow_fetching=False)
    reader = PdfFileReader(io.BytesIO(arden_copy(world)))

    [embedded] = reader.embedded_signatures
    status = validate_pdf_signature(embedded, context, ts_validation_context=context)

    assert status.intact
    assert status.valid
    assert status.trusted
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert status.timestamp_validity is not None
    assert status.timestamp_validity.intact
    assert status.timestamp_validity.trusted


def agreement_words(pages, version: AgreementVersion) -> str:
    """The words of an agreement's sections without the cover, the contents or what a page
    break repeats (running header, page number, a table's header row)."""
    furniture = re.compile(r"\d+\.|•|Page \d+ of \d+")
    lines = [line.strip() for page in pages for line in page.extract_text().splitlines()]
    text = " ".join(" ".join(line.split()) for line in lines if not furniture.fullmatch(line))
    text = " ".join(text[text.index("1. Parties to this agreement") :].split())
    repeated = [f"{version.agreement.authority.name} {version.agreement.title}"]
    for head in re.findall(r"<thead>(.*?)</thead>", version.html, re.S):
        repeated.append(" ".join(unescape(c) for c in re.findall(r"<th[^>]*>(.*?)</th>", head)))
    for words in repeated:
        text = text.replace(f" {words} ", " ")
    return text


def test_signed_copy_ends_with_the_sign_off_page(world) -> None:
    reader = PdfReader(io.BytesIO(arden_copy(world)))
    version = world.version(2)

    last = " ".join(reader.pages[-1].extract_text().split())
    assert last.startswith("Sign-off")
    assert "Lee Grant" in last
    assert "Arden Heath Academy (URN 999102)" in last
    assert version.pdf_sha256 in last.replace(" ", "")
    # Before it, the agreement's pages exactly as published (test_documents checks page by
    # page); the agreement's words carry no sign-off.
    shown = PdfReader(io.BytesIO(read(version.pdf))).pages
    assert len(reader.pages) == len(shown) + 1
    assert agreement_words(reader.pages[:-1], version) == agreement_words(shown, version)
    assert "Sign-off" not in agreement_words(reader.pages[:-1], version)


def test_signed_copy_embeds_the_exact_pdf_the_signer_was_shown(world) -> None:
    signature = world.signature(world.arden_v2_signature)
    reader = PdfReader(io.BytesIO(arden_copy(world)))

    embedded = [data for files in reader.attachments.values() for data in files]

    assert len(embedded) == 1
    assert hashlib.sha256(embedded[0]).hexdigest() == signature.document_sha256
    assert embedded[0] == read(world.version(2).pdf)


def test_changing_one_byte_breaks_the_seal(world) -> None:
    altered = tampered(arden_copy(world))

    check = check_seal(altered)
    verdict = verify_signed_copy(altered)

    assert not check.ok
    assert check.reason == "The document was altered after it was sealed."
    assert not verdict.authentic
    assert verdict.signature is None


def test_a_revision_added_after_sealing_is_refused_quickly(world) -> None:
    """Anyone may upload to the verifier: an appended revision must not tie it up for long."""
    writer = IncrementalPdfFileWriter(io.BytesIO(arden_copy(world)))
    writer.root["/Lang"] = generic.pdf_string("fr")
    writer.update_root()
    revised = io.BytesIO()
    writer.write(revised)

    # pyHanko's analysis of what a revision changed takes 10+ s on such a file; the verdict
    # refuses any revision anyway, so the check must skip it (no timing: machines are noisy).
    with mock.patch(
        "agreements.seal.async_validate_pdf_signature", wraps=async_validate_pdf_signature
    ) as validate:
        verdict = verify_signed_copy(revised.getvalue())

    assert not verdict.authentic
    assert verdict.reason == "Something was added to the document after it was sealed."
    assert validate.call_args.kwargs["skip_diff"] is True


def test_bytes_appended_after_sealing_are_detected(world) -> None:
    assert not check_seal(arden_copy(world) + b"\n%% appended\n").ok


def test_an_authentic_copy_is_recognised_with_what_it_is(world) -> None:
    verdict = verify_signed_copy(arden_copy(world))

    assert verdict.authentic
    assert verdict.signature.pk == world.arden_v2_signature


def test_the_unsealed_version_pdf_is_not_a_signed_copy(world) -> None:
    verdict = verify_signed_copy(read(world.version(2).pdf))

    assert not verdict.authentic
    assert verdict.reason == "This PDF carries no seal of this service."


def test_a_sealed_pdf_that_was_never_issued_here_is_not_a_signed_copy(world) -> None:
    sealed = seal_pdf(read(world.version(2).pdf), reason="Not a signature")

    verdict = verify_signed_copy(sealed)

    assert check_seal(sealed).ok
    assert not verdict.authentic
    assert "not a signed copy on record here" in verdict.reason


# The public verifier


def test_verifier_names_the_school_and_version_of_an_authentic_copy(world, client) -> None:
    page = upload(client, arden_copy(world))

    assert page.status_code == 200
    html = page.content.decode()
    assert "Authentic and unaltered" in html
    assert "Arden Heath Academy (URN 999102)" in html
    assert "version 2" in html
    assert "Lee Grant, Data Protection Officer" in html


def test_verifier_says_a_copy_of_a_superseded_version_is_authentic_but_superseded(
    world, client
) -> None:
    page = upload(client, read(world.signature(world.avon_v1_signature).signed_pdf))

    html = page.content.decode()
    assert "Authentic and unaltered" in html
    assert "Avon Meadow Primary School" in html
    assert "since been superseded" in html


def test_verifier_rejects_a_tampered_copy(world, client) -> None:
    page = upload(client, tampered(arden_copy(world)))

    assert page.status_code == 200
    html = page.content.decode()
    assert "Not an authentic signed copy" in html
    assert "altered after it was sealed" in html
    assert "Arden Heath Academy" not in html


def test_verifier_rejects_an_unsigned_pdf(world, client) -> None:
    page = upload(client, read(world.version(2).pdf))

    assert page.status_code == 200
    assert "Not an authentic signed copy" in page.content.decode()
    assert "carries no seal" in page.content.decode()


def test_verifier_refuses_a_file_that_is_not_a_pdf(client) -> None:
    page = upload(client, b"GIF89a not a pdf at all", name="picture.pdf")

    assert page.status_code == 400
    assert "not a PDF" in page.content.decode()


def test_verifier_asks_for_a_file_when_none_is_sent(client) -> None:
    page = client.post(VERIFY_URL, {})

    assert page.status_code == 400
    assert "Choose the PDF to check." in page.content.decode()


@pytest.mark.parametrize("over_by", [1, 100_000], ids=["one-byte-over", "far-over"])
def test_verifier_refuses_an_oversized_file(world, settings, over_by) -> None:
    data = arden_copy(world)
    settings.VERIFY_UPLOAD_MAX_BYTES = len(data) - over_by
    client = Client(raise_request_exception=False)

    page = upload(client, data)

    assert page.status_code == 400
    assert "larger than" in page.content.decode()
    assert "Authentic" not in page.content.decode()


def test_verifying_changes_nothing(world, client, settings) -> None:
    media = Path(settings.MEDIA_ROOT)
    files_before = sorted(media.rglob("*"))
    rows_before = [m.objects.count() for m in (Signature, SignOffEvent, AgreementVersion)]

    with CaptureQueriesContext(connection) as queries:
        for data in (arden_copy(world), tampered(arden_copy(world)), b"not a pdf"):
            upload(client, data)

    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []
    assert sorted(media.rglob("*")) == files_before
    assert [m.objects.count() for m in (Signature, SignOffEvent, AgreementVersion)] == rows_before


def test_verifier_page_offers_the_upload_form(client) -> None:
    page = client.get(VERIFY_URL)

    assert page.status_code == 200
    assert 'type="file"' in page.content.decode()


# Refusals, changing nothing


def test_signing_for_a_school_you_are_not_dpo_of_is_refused(world) -> None:
    avon_dpo = dpo_of(school(AVON), username="avon-dpo")

    with pytest.raises(NotTheSchoolsDPO):
        sign(world.version(2), school(STOUR), avon_dpo)

    assert not Signature.objects.filter(school__urn=STOUR).exists()


def test_signing_a_superseded_version_is_refused(world) -> None:
    stour = school(STOUR)

    with pytest.raises(VersionChanged, match="superseded by version 2"):
        sign(world.version(1), stour)

    assert not Signature.objects.filter(school=stour).exists()


def test_signing_a_document_other_than_the_one_shown_is_refused(world) -> None:
    stour = school(STOUR)

    with pytest.raises(VersionChanged, match="not the version in force"):
        sign(world.version(2), stour, shown_sha256=world.version(1).pdf_sha256)

    assert not Signature.objects.filter(school=stour).exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"full_name": "   "}, "Type your full name"),
        ({"position": ""}, "Type your full name and your position"),
        ({"declaration_ticked": False}, "Tick the declaration"),
    ],
    ids=["blank-name", "blank-position", "unticked"],
)
def test_signing_without_name_position_or_tick_is_refused(world, overrides, message) -> None:
    stour = school(STOUR)

    with pytest.raises(SigningRefused, match=message):
        sign(world.version(2), stour, **overrides)

    assert not Signature.objects.filter(school=stour).exists()


def test_a_school_not_asked_to_sign_cannot_sign(world) -> None:
    outsider = SchoolFactory()

    with pytest.raises(SigningRefused, match="not asked to sign"):
        sign(world.version(2), outsider)


def test_signing_again_returns_the_first_signature(world) -> None:
    arden = school(ARDEN)
    events = SignOffEvent.objects.count()

    result = sign(world.version(2), arden, dpo_of(arden, username="arden-dpo"), full_name="X")

    assert not result.created
    assert result.signature.pk == world.arden_v2_signature
    assert result.signature.full_name == "Lee Grant"
    assert Signature.objects.filter(version_id=world.v2, school=arden).count() == 1
    assert SignOffEvent.objects.count() == events


def test_a_signature_that_loses_a_race_keeps_the_winner_and_leaves_no_file(
    world, monkeypatch, settings
) -> None:
    """Two submissions at once (SQLite has no row locks): the second to save finds the first."""
    stour, version = school(STOUR), world.version(2)
    dpo = dpo_of(stour)
    events = SignOffEvent.objects.count()

    def sealed_while_another_submission_saved(version, evidence) -> bytes:
        Signature.objects.create(
            version=version, school=stour, signer=dpo, full_name="First Click", position="DPO",
            declaration=evidence["declaration"], signed_at=evidence["signed_at"],
            document_sha256=version.pdf_sha256, signed_pdf="winner.pdf",
            signed_pdf_sha256="e" * 64,
        )  # fmt: skip
        return b"%PDF-1.7 the loser's copy"

    monkeypatch.setattr("agreements.signing._signed_copy", sealed_while_another_submission_saved)

    result = sign(version, stour, dpo, full_name="Second Click")

    assert not result.created
    assert result.signature.full_name == "First Click"
    assert Signature.objects.filter(version=version, school=stour).count() == 1
    assert SignOffEvent.objects.count() == events
    signed_dir = Path(settings.MEDIA_ROOT) / "agreements" / str(world.agreement_id) / "v2"
    assert not list(signed_dir.rglob("stour-valley*"))


# A configured seal certificate


@pytest.fixture
def fresh_identity() -> object:
    seal_identity.cache_clear()
    yield
    seal_identity.cache_clear()


def write_pkcs12(path: Path, password: bytes) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Warwickshire CC document seal")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    encryption = serialization.BestAvailableEncryption(password)
    path.write_bytes(pkcs12.serialize_key_and_certificates(b"seal", key, cert, None, encryption))


@pytest.fixture
def configured_seal(settings, tmp_path, fresh_identity) -> Path:
    path = tmp_path / "seal.p12"
    write_pkcs12(path, b"s3cret")
    settings.SEAL_PKCS12_PATH = str(path)
    settings.SEAL_PKCS12_PASSWORD = "s3cret"
    settings.SEAL_TIMESTAMP_URL = "https://timestamp.example.invalid/tsa"
    return path


def test_a_configured_certificate_is_used_instead_of_the_development_one(configured_seal) -> None:
    identity = seal_identity()

    assert not identity.is_development
    assert identity.subject == "Warwickshire CC document seal"
    assert isinstance(identity.timestamper, HTTPTimeStamper)


def test_a_missing_certificate_file_is_a_configuration_error(configured_seal, settings) -> None:
    settings.SEAL_PKCS12_PATH = str(configured_seal.with_name("missing.p12"))

    with pytest.raises(ImproperlyConfigured, match="no file"):
        seal_identity()


def test_a_wrong_certificate_password_is_a_configuration_error(configured_seal, settings) -> None:
    settings.SEAL_PKCS12_PASSWORD = "wrong"

    with pytest.raises(ImproperlyConfigured, match="SEAL_PKCS12_PASSWORD"):
        seal_identity()


def test_a_configured_certificate_needs_a_timestamp_service(configured_seal, settings) -> None:
    settings.SEAL_TIMESTAMP_URL = ""

    with pytest.raises(ImproperlyConfigured, match="SEAL_TIMESTAMP_URL"):
        seal_identity()


# How the signed copy is built on the stored PDF (agreements.signed_copy)


def signoff_pdf(version: AgreementVersion, shown_pages: int) -> bytes:
    """A sign-off page for ``version``, laid out as signing lays it out."""
    stour = school(STOUR)
    evidence = {
        "school": stour.name, "school_urn": stour.urn, "controller": stour.controller_name,
        "signer_username": "stour-dpo", "full_name": "Sam Stour", "position": "DPO",
        "declaration": declaration_text(version, stour), "signed_at": version.published_at,
        "ip_address": "192.0.2.20", "user_agent": "pytest", "document_sha256": version.pdf_sha256,
        "content_sha256": version.content_hash, "reference": "test", "seal_subject": "Test seal",
        "development": True,
    }  # fmt: skip
    return render_signoff_pdf(version=version, signoff=evidence, shown_pages=shown_pages)


def built_copy(version: AgreementVersion) -> SignedCopy:
    shown = read(version.pdf)
    copy = SignedCopy(shown)
    copy.append_signoff(
        signoff_pdf(version, copy.page_count()),
        attachment_name="shown.pdf",
        attachment_description="The agreement as shown",
        title="Signed for Stour Valley",
    )
    return copy


def objects_by_revision(data: bytes) -> list[list[generic.PdfObject]]:
    reader = PdfFileReader(io.BytesIO(data))
    return [
        [reader.get_object(ref) for ref in reader.xrefs.explicit_refs_in_revision(revision)]
        for revision in range(reader.total_revisions)
    ]


def of_type(objects: list[generic.PdfObject], kind: str) -> list[generic.PdfObject]:
    return [
        o for o in objects if isinstance(o, generic.DictionaryObject) and o.get("/Type") == kind
    ]


def test_the_page_count_is_read_from_the_page_tree_as_pypdf_counts_it(world) -> None:
    shown = read(world.version(2).pdf)

    assert (
        SignedCopy(shown).page_count()
        == page_count(shown)
        == len(PdfReader(io.BytesIO(shown)).pages)
    )


def test_a_signed_copys_first_pages_are_the_stored_pdfs_page_objects(world) -> None:
    """Not only the same words and drawing (test_documents): the very objects, numbered as in
    the stored PDF, their contents and resources untouched by the update."""
    shown, signed = read(world.version(2).pdf), arden_copy(world)
    before, after = PdfReader(io.BytesIO(shown)), PdfReader(io.BytesIO(signed))
    [_, update] = objects_by_revision(signed)
    updated = {o.container_ref.idnum for o in update if o.container_ref is not None}

    count = len(before.pages)
    assert len(after.pages) == count + 1
    for old, new in zip(before.pages, after.pages[:count], strict=True):
        assert new.indirect_reference.idnum == old.indirect_reference.idnum
        for key in ("/Contents", "/Resources"):
            assert new.raw_get(key).idnum == old.raw_get(key).idnum
            assert new.raw_get(key).idnum not in updated


def test_a_signed_copy_is_the_stored_pdf_and_one_sealed_update(world) -> None:
    signed = arden_copy(world)
    reader = PdfFileReader(io.BytesIO(signed))
    [seal] = reader.embedded_signatures

    assert reader.total_revisions == 2
    assert seal.signed_revision == 1
    first, _, start, length = (int(n) for n in seal.sig_object["/ByteRange"])
    assert first == 0
    assert start + length == len(signed)


def test_the_update_copies_nothing_of_the_sign_offs_own_document(world) -> None:
    """The sign-off's pages and tags are copied, never its catalog, page tree, structure tree
    root or outline: the copy has one of each, the stored PDF's, updated."""
    stored, update = objects_by_revision(arden_copy(world))

    for kind in ("/Catalog", "/Pages", "/StructTreeRoot", "/Outlines"):
        originals = {o.container_ref.idnum for o in of_type(stored, kind)}
        assert {o.container_ref.idnum for o in of_type(update, kind)} <= originals, kind
    assert len(of_type(update, "/Page")) == 2  # the sign-off page, and page 1 (seal widget)
    assert len(of_type(update, "/StructElem")) > 10


def test_the_sign_off_keeps_the_pdf_ua_identification_and_language(world) -> None:
    reader = PdfReader(io.BytesIO(arden_copy(world)))

    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b'pdfuaid:part="1"' in xmp
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"
    assert reader.trailer["/Root"]["/MarkInfo"]["/Marked"]


def test_the_parent_tree_is_extended_from_its_stored_bytes_as_if_parsed(world, monkeypatch) -> None:
    """The agreement's parent tree (thousands of references) is copied, not parsed: the result
    is the one parsing it would give."""
    version = world.version(2)
    fast = built_copy(version)
    monkeypatch.setattr(IndexedReader, "stored_bytes", lambda self, ref: None)
    parsed = built_copy(version)

    trees = []
    for copy in (fast, parsed):
        tree = PdfReader(io.BytesIO(copy.write())).trailer["/Root"]["/StructTreeRoot"]
        nums = tree["/ParentTree"]["/Nums"]
        values = [nums[i + 1].get_object() for i in range(0, len(nums), 2)]
        trees.append(
            (
                [int(nums[i]) for i in range(0, len(nums), 2)],
                [[r.idnum for r in v] if isinstance(v, list) else v.indirect_reference.idnum
                 for v in values],
                int(tree["/ParentTreeNextKey"]),
            )
        )  # fmt: skip
    assert trees[0] == trees[1]
    assert trees[0][0] == list(range(len(trees[0][0])))


@pytest.mark.parametrize(
    ("body", "keys"),
    [
        (b"0 [1 0 R 2 0 R] 1 3 0 R 4 [ ]", [0, 1, 4]),
        (b"", []),
        (b"1 [1 0 R] 0 [2 0 R]", None),  # not in order
        (b"0 [1 0 R", None),  # cut short
        (b"0 1 0", None),  # not a reference
        (b"0 [1 R]", None),
        (b"0 [[1 0 R]]", None),  # not a flat list of references
    ],
)
def test_only_a_plain_flat_parent_tree_is_copied_from_its_bytes(body, keys) -> None:
    assert _flat_keys(body) == keys


def test_the_indexed_reader_reads_objects_as_pyhankos_reader_does(world) -> None:
    shown = read(world.version(2).pdf)
    ours, theirs = IndexedReader(io.BytesIO(shown)), PdfFileReader(io.BytesIO(shown), strict=False)
    refs = sorted(ours.xrefs.explicit_refs_in_revision(0), key=lambda r: r.idnum)

    assert len(refs) > 200
    for ref in refs[:: max(1, len(refs) // 80)]:
        mine, pyhanko = io.BytesIO(), io.BytesIO()
        ours.get_object(ref).write_to_stream(mine)
        theirs.get_object(ref).write_to_stream(pyhanko)
        assert mine.getvalue() == pyhanko.getvalue(), ref


def test_a_seal_reserves_room_once_per_identity_and_every_seal_verifies(world) -> None:
    shown = read(world.version(2).pdf)
    identity = seal_identity()
    identity.sizes.clear()

    with mock.patch("agreements.seal._container_size", wraps=seal_module._container_size) as size:
        first = seal_pdf(shown, reason="First")
        second = seal_pdf(shown, reason="Second")

    assert size.call_count == 1
    assert identity.sizes["sha256"] > 2000
    assert check_seal(first).ok
    assert check_seal(second).ok


@pytest.mark.parametrize("curve", [None, ec.SECP256R1()], ids=["rsa", "ecdsa"])
def test_a_signer_parses_its_key_once_and_signs_as_pyhankos_does(curve, tmp_path) -> None:
    if curve is None:
        signer = seal_identity().signer
    else:
        key = ec.generate_private_key(curve)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "EC seal")])
        now = datetime.datetime.now(datetime.UTC)
        cert = (
            x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(1)
            .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
            .sign(key, hashes.SHA256())
        )  # fmt: skip
        (tmp_path / "ec.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        der = key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        signer = LoadedKeySigner(
            signing_cert=load_cert_from_pemder(str(tmp_path / "ec.pem")),
            signing_key=asn1_keys.PrivateKeyInfo.load(der),
            cert_registry=SimpleCertificateStore(),
        )
    assert isinstance(signer, LoadedKeySigner)
    signer.private_key  # noqa: B018 (parsed now, once)

    with mock.patch("cryptography.hazmat.primitives.serialization.load_der_private_key") as load:
        signature = signer.sign_raw(b"the data", "sha256")
    load.assert_not_called()

    public = serialization.load_der_public_key(signer.signing_cert.public_key.dump())
    if curve is None:
        public.verify(signature, b"the data", padding.PKCS1v15(), hashes.SHA256())
    else:
        public.verify(signature, b"the data", ec.ECDSA(hashes.SHA256()))
