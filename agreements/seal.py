"""Seal signed agreements with the authority's certificate (PAdES B-T) and verify sealed PDFs.

The certificate comes from configuration (``SEAL_PKCS12_PATH`` and ``SEAL_PKCS12_PASSWORD``).
With none configured, a development PKI (a root, a seal certificate and a timestamping
certificate) is generated on first use under ``SEAL_DEV_DIR``: fine for a laptop, never for
production, and the README says so. The timestamp comes from ``SEAL_TIMESTAMP_URL`` (an
RFC 3161 service) or, without one, from the development timestamping certificate in process.
"""

import asyncio
import concurrent.futures
import datetime
import functools
import io
import logging
import os
import shutil
import tempfile
from collections.abc import Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from asn1crypto import cms, core
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import general, signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes
from pyhanko.sign.timestamps.api import TimeStamper
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko.sign.timestamps.requests_client import HTTPTimeStamper
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

T = TypeVar("T")

SEAL_FIELD = "AuthoritySeal"
SEAL_DIGEST = "sha256"

logger = logging.getLogger(__name__)

# The verifier's answers for a file it cannot vouch for: fixed, plain words. What a library
# said about a damaged file goes to the log, never to the page.
NOT_A_PDF = "This file is not a PDF."
DAMAGED = "This file is damaged or not a sealed PDF."
NO_SEAL = "This PDF carries no seal of this service."
SEAL_DAMAGED = "The seal is damaged and cannot be checked."


@dataclass(frozen=True)
class SealIdentity:
    """What seals: the signer, its trust anchors and the timestamp source."""

    signer: signers.SimpleSigner
    trust_roots: tuple[asn1_x509.Certificate, ...]
    timestamper: TimeStamper
    is_development: bool
    # The room a seal's signature needs in the PDF, by digest algorithm (``_container_size``).
    sizes: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    @property
    def subject(self) -> str:
        return _common_name(self.signer.signing_cert)


@dataclass(frozen=True)
class SealCheck:
    """The outcome of checking a PDF's seal. ``ok`` only when every test passed."""

    ok: bool
    reason: str
    signer: str = ""
    signed_at: datetime.datetime | None = None
    timestamped_at: datetime.datetime | None = None


def _common_name(cert: asn1_x509.Certificate) -> str:
    """Return the certificate's common name (its whole subject if it has none)."""
    name = cert.subject.native.get("common_name")
    return str(name) if name else str(cert.subject.human_friendly)


def _run(coro: Coroutine[Any, Any, T]) -> T:
    """Run pyHanko's coroutine to completion, also from a thread that has a running loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


# -- keys loaded once --------------------------------------------------------------------------
#
# pyHanko's SimpleSigner and DummyTimeStamper parse their private key again for every signature,
# and loading an RSA key checks it: tens of ms, three times a seal as pyHanko makes one (the
# signature, the dry run that sizes it, the timestamp). These parse it once per process.


def _private_key(info: asn1_keys.PrivateKeyInfo) -> PrivateKeyTypes:
    return serialization.load_der_private_key(info.dump(), password=None)


class LoadedKeySigner(signers.SimpleSigner):
    """A ``SimpleSigner`` whose private key is parsed once, not at every signature."""

    @functools.cached_property
    def private_key(self) -> PrivateKeyTypes:
        return _private_key(self.signing_key)

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
        try:
            algorithm = mechanism.signature_algo
        except ValueError:
            algorithm = mechanism["algorithm"].native
        key = self.private_key
        digest = get_pyca_cryptography_hash(digest_algorithm)
        if algorithm == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPrivateKey):
            return key.sign(data, PKCS1v15(), digest)
        if algorithm == "ecdsa" and isinstance(key, ec.EllipticCurvePrivateKey):
            return key.sign(data, ec.ECDSA(digest))
        return super().sign_raw(data, digest_algorithm)  # PSS, EdDSA...: pyHanko's own way

    @classmethod
    def from_signer(cls, signer: signers.SimpleSigner) -> "LoadedKeySigner":
        if signer.signing_cert is None:
            raise ImproperlyConfigured("SEAL_PKCS12_PATH: the file holds no certificate")
        return cls(
            signing_cert=signer.signing_cert,
            signing_key=signer.signing_key,
            cert_registry=signer.cert_registry,
            signature_mechanism=signer.signature_mechanism,
        )


class LoadedKeyTimeStamper(DummyTimeStamper):
    """The development timestamping authority, its private key parsed once."""

    @functools.cached_property
    def private_key(self) -> rsa.RSAPrivateKey:
        key = _private_key(self.tsa_key)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ImproperlyConfigured("The development timestamping key must be an RSA key.")
        return key

    def _sign_tst_info(
        self, tst_info_data: bytes, md_algorithm: str, dt: datetime.datetime
    ) -> tuple[bytes, cms.CMSAttributes]:
        # DummyTimeStamper._sign_tst_info, with the key parsed once.
        digest = hashes.Hash(get_pyca_cryptography_hash(md_algorithm))
        digest.update(tst_info_data)
        signed_attrs = cms.CMSAttributes(
            [
                general.simple_cms_attribute("content_type", "tst_info"),
                general.simple_cms_attribute(
                    "signing_time", cms.Time({"utc_time": core.UTCTime(dt)})
                ),
                general.simple_cms_attribute(
                    "signing_certificate", general.as_signing_certificate(self.tsa_cert)
                ),
                general.simple_cms_attribute("message_digest", digest.finalize()),
            ]
        )
        signature = self.private_key.sign(
            signed_attrs.dump(), PKCS1v15(), get_pyca_cryptography_hash(md_algorithm.upper())
        )
        return signature, signed_attrs


# -- development PKI ---------------------------------------------------------------------------


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "GB"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Data sharing governance (development)"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _certificate(
    subject: str,
    key: rsa.RSAPrivateKey,
    issuer: tuple[x509.Certificate, rsa.RSAPrivateKey] | None,
    *,
    ca: bool = False,
    timestamping: bool = False,
) -> x509.Certificate:
    now = datetime.datetime.now(datetime.UTC)
    issuer_name = issuer[0].subject if issuer else _name(subject)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=3650 if ca else 1825))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=not ca,
                content_commitment=not ca and not timestamping,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=ca,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    )
    if timestamping:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True
        )
    return builder.sign(issuer[1] if issuer else key, hashes.SHA256())


def _pem_key(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _generate_development_pki(directory: Path) -> None:
    """Write a root, a seal and a timestamping certificate with their keys to ``directory``.

    Written to a temporary folder and renamed into place, so two processes starting at once
    never read half a PKI: the second rename fails and its copy is discarded.
    """
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".dev-seal-", dir=directory.parent))
    root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    root = _certificate("Development root (not for production)", root_key, None, ca=True)
    files: dict[str, bytes] = {"root.pem": root.public_bytes(serialization.Encoding.PEM)}
    for name, subject, timestamping in (
        ("seal", "Document seal (development, not for production)", False),
        ("tsa", "Timestamping (development, not for production)", True),
    ):
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        cert = _certificate(subject, key, (root, root_key), timestamping=timestamping)
        files[f"{name}.pem"] = cert.public_bytes(serialization.Encoding.PEM)
        files[f"{name}.key"] = _pem_key(key)
    for filename, data in files.items():
        path = staging / filename
        path.write_bytes(data)
        path.chmod(0o600)
    try:
        os.rename(staging, directory)
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)


def _load_cert(path: Path) -> asn1_x509.Certificate:
    der = x509.load_pem_x509_certificate(path.read_bytes()).public_bytes(serialization.Encoding.DER)
    return asn1_x509.Certificate.load(der)


def _load_key(path: Path) -> asn1_keys.PrivateKeyInfo:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    der = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return asn1_keys.PrivateKeyInfo.load(der)


def _development_identity() -> SealIdentity:
    directory = Path(settings.SEAL_DEV_DIR)
    if not (directory / "seal.key").exists():
        _generate_development_pki(directory)
    root = _load_cert(directory / "root.pem")
    seal_cert = _load_cert(directory / "seal.pem")
    signer = LoadedKeySigner(
        signing_cert=seal_cert,
        signing_key=_load_key(directory / "seal.key"),
        cert_registry=SimpleCertificateStore.from_certs([root, seal_cert]),
    )
    timestamper: TimeStamper
    if settings.SEAL_TIMESTAMP_URL:
        timestamper = HTTPTimeStamper(settings.SEAL_TIMESTAMP_URL, timeout=10)
    else:
        timestamper = LoadedKeyTimeStamper(
            tsa_cert=_load_cert(directory / "tsa.pem"),
            tsa_key=_load_key(directory / "tsa.key"),
            certs_to_embed=SimpleCertificateStore.from_certs([root]),
        )
    return SealIdentity(signer, (root, *_extra_roots()), timestamper, is_development=True)


# -- configured identity -----------------------------------------------------------------------


def _extra_roots() -> tuple[asn1_x509.Certificate, ...]:
    """Return the trust anchors named by ``SEAL_TRUST_ROOTS`` (a PEM bundle), if any."""
    if not settings.SEAL_TRUST_ROOTS:
        return ()
    data = Path(settings.SEAL_TRUST_ROOTS).read_bytes()
    certs = x509.load_pem_x509_certificates(data)
    return tuple(
        asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in certs
    )


def _configured_identity() -> SealIdentity:
    path = Path(settings.SEAL_PKCS12_PATH)
    if not path.is_file():
        raise ImproperlyConfigured(f"SEAL_PKCS12_PATH: no file at {path}")
    passphrase = settings.SEAL_PKCS12_PASSWORD.encode() if settings.SEAL_PKCS12_PASSWORD else None
    loaded = signers.SimpleSigner.load_pkcs12(str(path), passphrase=passphrase)
    if loaded is None:
        raise ImproperlyConfigured(
            "SEAL_PKCS12_PATH: could not read the certificate and key (check SEAL_PKCS12_PASSWORD)"
        )
    signer = LoadedKeySigner.from_signer(loaded)
    chain = [c for c in signer.cert_registry if c.ca] or [signer.signing_cert]
    if not settings.SEAL_TIMESTAMP_URL:
        raise ImproperlyConfigured(
            "SEAL_TIMESTAMP_URL must name an RFC 3161 service when a seal certificate is set"
        )
    timestamper = HTTPTimeStamper(settings.SEAL_TIMESTAMP_URL, timeout=10)
    return SealIdentity(signer, (*chain, *_extra_roots()), timestamper, is_development=False)


@functools.cache
def seal_identity() -> SealIdentity:
    """Return this process's sealing identity: the configured one, or the development one."""
    if settings.SEAL_PKCS12_PATH:
        return _configured_identity()
    return _development_identity()


def _validation_context(identity: SealIdentity) -> ValidationContext:
    return ValidationContext(
        trust_roots=list(identity.trust_roots), allow_fetching=False, revocation_mode="soft-fail"
    )


# -- seal and verify ---------------------------------------------------------------------------


def seal_pdf(pdf: bytes, *, reason: str, location: str = "") -> bytes:
    """Return ``pdf`` sealed with the authority's certificate and a trusted timestamp."""
    return seal_writer(
        IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False), reason=reason, location=location
    )


def seal_writer(writer: IncrementalPdfFileWriter, *, reason: str, location: str = "") -> bytes:
    """Return the file ``writer`` makes, its pending update sealed with it: the seal's
    signature covers the whole file, the original bytes and every change the writer holds."""
    identity = seal_identity()
    meta = signers.PdfSignatureMetadata(
        field_name=SEAL_FIELD,
        md_algorithm=SEAL_DIGEST,
        subfilter=SigSeedSubFilter.PADES,
        reason=reason,
        location=location or None,
        name=identity.subject,
    )
    pdf_signer = signers.PdfSigner(meta, signer=identity.signer, timestamper=identity.timestamper)
    return _run(_sign(identity, pdf_signer, writer))


async def _sign(
    identity: SealIdentity, pdf_signer: signers.PdfSigner, writer: IncrementalPdfFileWriter
) -> bytes:
    reserved = identity.sizes.get(SEAL_DIGEST)
    if reserved is None:
        reserved = identity.sizes[SEAL_DIGEST] = await _container_size(identity)
    output = await pdf_signer.async_sign_pdf(writer, bytes_reserved=reserved, output=io.BytesIO())
    return bytes(output.getvalue())


async def _container_size(identity: SealIdentity) -> int:
    """Return the room to leave in a PDF for a seal's signature, timestamp included.

    pyHanko's own estimate (``PdfSigningSession.estimate_signature_container_size``), made
    once per identity rather than with a dry-run signature before every seal: sign a dummy
    digest, double the size (the signature is written in hexadecimal) and add half again.
    Its parts do not change from one seal to the next: the same certificates, a signature of
    the key's size, and a timestamp pyHanko itself sizes once per timestamper.
    """
    dummy = await identity.signer.async_sign(
        hashes.Hash(get_pyca_cryptography_hash(SEAL_DIGEST)).finalize(),
        SEAL_DIGEST,
        dry_run=True,
        use_pades=True,
        timestamper=identity.timestamper,
        signed_attr_settings=PdfCMSSignedAttributes(
            signing_time=datetime.datetime.now(datetime.UTC)
        ),
    )
    size = len(dummy.dump()) * 2
    return size + 2 * (size // 4)


def check_seal(data: bytes) -> SealCheck:
    """Check that ``data`` is a PDF sealed by us, intact, timestamped, and unchanged since.

    Never raises for bad input: a file that is not a PDF, has no seal, or was altered gets
    ``ok=False`` with one of a few fixed reasons in plain words. Anyone may upload anything,
    and a damaged file makes pyHanko (and zlib, asn1crypto... beneath it) raise almost any
    exception, so every failure to read or validate is a verdict, with the detail logged.
    """
    if not data.startswith(b"%PDF-"):
        return SealCheck(False, NOT_A_PDF)
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        seals = [s for s in reader.embedded_signatures if s.field_name == SEAL_FIELD]
    except Exception as error:
        logger.info("Verifier: unreadable PDF: %s: %s", type(error).__name__, error)
        return SealCheck(False, DAMAGED)
    if not seals:
        return SealCheck(False, NO_SEAL)
    identity = seal_identity()
    context = _validation_context(identity)
    try:
        status = _run(
            # Any revision after the seal is refused below (coverage), so pyHanko's slow
            # analysis of what such a revision changed is skipped: a public upload must not
            # be able to tie up a worker.
            async_validate_pdf_signature(
                seals[-1],
                signer_validation_context=context,
                ts_validation_context=context,
                skip_diff=True,
            )
        )
        return _verdict(status)
    except Exception as error:
        logger.info("Verifier: seal cannot be validated: %s: %s", type(error).__name__, error)
        return SealCheck(False, SEAL_DAMAGED)


def _verdict(status: Any) -> SealCheck:
    signer = _common_name(status.signing_cert) if status.signing_cert else ""
    timestamp = status.timestamp_validity
    facts = {
        "signer": signer,
        "signed_at": status.signer_reported_dt,
        "timestamped_at": timestamp.timestamp if timestamp else None,
    }
    if not status.intact or not status.valid:
        return SealCheck(False, "The document was altered after it was sealed.", **facts)
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        return SealCheck(False, "Something was added to the document after it was sealed.", **facts)
    if not status.trusted:
        return SealCheck(False, "The seal was not made with this service's certificate.", **facts)
    if timestamp is None or not (timestamp.intact and timestamp.valid and timestamp.trusted):
        return SealCheck(False, "The seal has no valid trusted timestamp.", **facts)
    return SealCheck(True, "The seal is intact, trusted and timestamped.", **facts)
