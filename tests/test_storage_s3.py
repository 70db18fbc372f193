"""Generated documents move through Django's storage API: files under MEDIA_ROOT by default,
objects in an S3-compatible bucket when S3_BUCKET is set, with nothing else changed.

The bucket here is moto's S3 server, on 127.0.0.1 and a free port, started and stopped by the
module. The storage is the one governance/settings.py builds from the S3_* variables: a
school's notices are issued, the demo agreement is published and signed for Avon Meadow, and
every document must then be an object in the bucket (and nothing a file), served byte for byte
through the views that check rights, never through a link to the bucket itself.
"""

import logging
import runpy
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage, storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from moto.server import ThreadedMotoServer
from storages.backends.s3 import S3Storage

from agreements.models import AgreementVersion, Signature
from governance.demo import load_demo
from governance.models import AccessEvent, School
from notices.models import NoticeVersion
from notices.services import refresh_school_notices
from tests.factories import dpo_of, publish_demo_agreement, sign

pytestmark = pytest.mark.django_db

AVON, ARDEN = "999101", "999102"
BUCKET = "governance-documents"
PREFIX = "test-env"
SETTINGS_FILE = str(Path(__file__).resolve().parent.parent / "governance" / "settings.py")
KEYS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


def settings_from(monkeypatch, **env: str) -> dict[str, Any]:
    """Run governance/settings.py afresh with the variables ``env`` (other S3_* unset)."""
    for name in [
        "MEDIA_ROOT", "S3_BUCKET", "S3_ENDPOINT_URL", "S3_REGION", "S3_ACCESS_KEY_ID",
        "S3_SECRET_ACCESS_KEY", "S3_PREFIX", "S3_ADDRESSING_STYLE", "S3_URL_EXPIRE_SECONDS",
    ]:  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(SETTINGS_FILE)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# -- the switch ------------------------------------------------------------------------------


def test_without_s3_settings_documents_are_files_under_media_root(monkeypatch, tmp_path) -> None:
    built = settings_from(monkeypatch, MEDIA_ROOT=str(tmp_path))

    assert built["STORAGES"]["default"] == {
        "BACKEND": "django.core.files.storage.FileSystemStorage"
    }
    with override_settings(MEDIA_ROOT=built["MEDIA_ROOT"], STORAGES=built["STORAGES"]):
        assert isinstance(storages["default"], FileSystemStorage)
        assert Path(storages["default"].location) == tmp_path
    # Every generated document's field uses the configured default storage, so the setting
    # alone moves them all (no field names a storage of its own).
    for model, field in [
        (NoticeVersion, "pdf"),
        (AgreementVersion, "pdf"),
        (Signature, "signed_pdf"),
    ]:
        assert model._meta.get_field(field).storage is default_storage


def test_s3_bucket_switches_every_document_to_the_object_store(monkeypatch) -> None:
    built = settings_from(
        monkeypatch,
        S3_BUCKET="docs",
        S3_ENDPOINT_URL="http://minio:9000",
        S3_REGION="eu-west-2",
        S3_PREFIX="/prod/",
        S3_ADDRESSING_STYLE="path",
    )
    storage = built["STORAGES"]["default"]
    options = storage["OPTIONS"]

    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert (options["bucket_name"], options["endpoint_url"], options["region_name"]) == (
        "docs", "http://minio:9000", "eu-west-2",
    )  # fmt: skip
    assert options["location"] == "prod"
    assert options["file_overwrite"] is False  # an issued document is never replaced
    assert options["default_acl"] is None  # never a public-read ACL
    assert options["querystring_auth"] is True
    assert options["querystring_expire"] == 60
    assert options["client_config"].s3 == {"addressing_style": "path"}
    # Credentials left unset fall back to boto3's own chain (AWS_* variables, a role).
    assert options["access_key"] is None
    assert options["secret_key"] is None
    # The static files are untouched: WhiteNoise still serves them from the image.
    assert "whitenoise" in built["STORAGES"]["staticfiles"]["BACKEND"]


@pytest.mark.parametrize(
    ("name", "value"),
    [("S3_ADDRESSING_STYLE", "sideways"), ("S3_ENDPOINT_URL", "ftp://minio"),
     ("S3_URL_EXPIRE_SECONDS", "0")],
)  # fmt: skip
def test_malformed_s3_settings_stop_the_process(monkeypatch, name, value) -> None:
    with pytest.raises(ImproperlyConfigured, match=name):
        settings_from(monkeypatch, S3_BUCKET="docs", **{name: value})


# -- against an S3-compatible server -----------------------------------------------------------


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """Moto's S3 server on loopback, for this module only."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture(scope="module")
def bucket(s3_endpoint) -> Any:
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1", **KEYS)
    client.create_bucket(Bucket=BUCKET)
    return client


@pytest.fixture(scope="module")
def media_root(tmp_path_factory):
    return tmp_path_factory.mktemp("media-never-written")


@pytest.fixture(scope="module")
def _s3_settings(s3_endpoint, bucket, media_root, _dev_seal_dir) -> Iterator[None]:
    """The storage governance/settings.py builds from S3_* variables, held for the module."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        built = settings_from(
            monkeypatch,
            S3_BUCKET=BUCKET,
            S3_ENDPOINT_URL=s3_endpoint,
            S3_REGION="us-east-1",
            S3_ACCESS_KEY_ID=KEYS["aws_access_key_id"],
            S3_SECRET_ACCESS_KEY=KEYS["aws_secret_access_key"],
            S3_PREFIX=PREFIX,
            S3_ADDRESSING_STYLE="path",
        )
    with override_settings(
        MEDIA_ROOT=media_root,
        STORAGES={
            "default": built["STORAGES"]["default"],
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
        SEAL_DEV_DIR=_dev_seal_dir,
        SEAL_PKCS12_PATH="",
        SEAL_TIMESTAMP_URL="",
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    ):
        yield


@pytest.fixture(autouse=True)
def _private_files(request) -> None:
    """Override the per-test media folder: the module's S3 tests check theirs stays empty."""
    if "world" in request.fixturenames:
        request.getfixturevalue("_s3_settings")


@dataclass(frozen=True)
class World:
    version: int
    signature: int
    notices: tuple[int, ...]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, _s3_settings) -> Iterator[World]:
    """Avon Meadow's notices issued, the demo agreement published and signed for Avon Meadow,
    all with the S3 storage: in a transaction rolled back after the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo()
        avon = School.objects.get(urn=AVON)
        results = refresh_school_notices(school=avon)
        version = publish_demo_agreement()
        signature = sign(version, avon, dpo_of(avon, username="avon-dpo")).signature
        with django_db_blocker.block():
            yield World(version.pk, signature.pk, tuple(r.version.pk for r in results))
        transaction.set_rollback(True)


def stored(bucket, name: str) -> bytes:
    return bucket.get_object(Bucket=BUCKET, Key=f"{PREFIX}/{name}")["Body"].read()


def body(response) -> bytes:
    return b"".join(response.streaming_content)  # read to the end, which closes the file


def portal_client(username: str) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def private_urls(world: World) -> dict[str, str]:
    version = AgreementVersion.objects.get(pk=world.version)
    signature = Signature.objects.get(pk=world.signature)
    return {
        "agreement": reverse(
            "portal:agreement_pdf",
            kwargs={"urn": AVON, "agreement_id": version.agreement_id, "number": version.number},
        ),
        "signed": reverse("portal:signed_pdf", kwargs={"urn": AVON, "pk": signature.pk}),
    }


def test_every_document_is_an_object_in_the_bucket_and_none_a_file(
    world, bucket, media_root
) -> None:
    version = AgreementVersion.objects.get(pk=world.version)
    signature = Signature.objects.get(pk=world.signature)
    notices = NoticeVersion.objects.filter(pk__in=world.notices)
    listed = bucket.list_objects_v2(Bucket=BUCKET, Prefix=f"{PREFIX}/")

    keys = {entry["Key"] for entry in listed.get("Contents", [])}
    folder = f"agreements/{version.agreement_id}/v{version.number}/"
    assert keys == {
        f"{PREFIX}/notices/{AVON}/pupils-v1.pdf",
        f"{PREFIX}/notices/{AVON}/workforce-v1.pdf",
        f"{PREFIX}/{version.pdf.name}",
        f"{PREFIX}/{signature.signed_pdf.name}",
    }
    assert {n.pdf.name for n in notices} == {
        f"notices/{AVON}/{a}-v1.pdf" for a in ("pupils", "workforce")
    }
    assert version.pdf.name == f"{folder}{version.download_name}"
    assert signature.signed_pdf.name.startswith(f"{folder}signed/avon-meadow-primary-school-")
    for key in keys:
        head = bucket.head_object(Bucket=BUCKET, Key=key)
        assert head["ContentType"] == "application/pdf"
        assert bucket.get_object(Bucket=BUCKET, Key=key)["Body"].read(5) == b"%PDF-"
    assert [p for p in media_root.rglob("*") if p.is_file()] == []


def test_the_bucket_and_its_objects_are_private(world, bucket) -> None:
    public = {
        "http://acs.amazonaws.com/groups/global/AllUsers",
        "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
    }

    def grantees(grants: list[dict]) -> set[str]:
        return {g["Grantee"].get("URI", g["Grantee"].get("ID", "")) for g in grants}

    assert not grantees(bucket.get_bucket_acl(Bucket=BUCKET)["Grants"]) & public
    for entry in bucket.list_objects_v2(Bucket=BUCKET)["Contents"]:
        assert (
            not grantees(bucket.get_object_acl(Bucket=BUCKET, Key=entry["Key"])["Grants"]) & public
        )
    with pytest.raises(bucket.exceptions.ClientError, match="NoSuchBucketPolicy"):
        bucket.get_bucket_policy(Bucket=BUCKET)


def test_public_notice_pdf_is_streamed_from_the_bucket(world, bucket, client) -> None:
    notice = NoticeVersion.objects.get(pk__in=world.notices, audience="pupils")

    response = client.get(f"/schools/{AVON}/privacy/pupils.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert body(response) == stored(bucket, notice.pdf.name)


def test_portal_streams_the_private_documents_from_the_bucket(world, bucket) -> None:
    version = AgreementVersion.objects.get(pk=world.version)
    signature = Signature.objects.get(pk=world.signature)
    urls = private_urls(world)
    client = portal_client("avon-dpo")
    before = AccessEvent.objects.filter(kind=AccessEvent.Kind.DOWNLOAD).count()

    agreement = client.get(urls["agreement"])
    signed = client.get(urls["signed"])

    assert (agreement.status_code, signed.status_code) == (200, 200)
    assert body(agreement) == stored(bucket, version.pdf.name)
    assert body(signed) == stored(bucket, signature.signed_pdf.name)
    for response in (agreement, signed):
        assert response["Cache-Control"] == "private, no-store"
    downloads = AccessEvent.objects.filter(kind=AccessEvent.Kind.DOWNLOAD)
    assert downloads.count() == before + 2  # each download recorded, as from the disk


def test_staff_downloads_in_the_admin_are_streamed_from_the_bucket(
    world, bucket, staff_client
) -> None:
    version = AgreementVersion.objects.get(pk=world.version)
    signature = Signature.objects.get(pk=world.signature)

    agreement = staff_client.get(
        reverse("admin:agreements_agreementversion_pdf", args=[version.pk])
    )
    signed = staff_client.get(reverse("admin:agreements_signature_pdf", args=[signature.pk]))

    assert body(agreement) == stored(bucket, version.pdf.name)
    assert body(signed) == stored(bucket, signature.signed_pdf.name)
    # The signature's page links to that view, not to the stored file's own URL.
    page = staff_client.get(reverse("admin:agreements_signature_change", args=[signature.pk]))
    assert reverse("admin:agreements_signature_pdf", args=[signature.pk]) in page.content.decode()


def test_verifier_verifies_a_signed_copy_read_from_the_bucket(world, bucket, client) -> None:
    signature = Signature.objects.get(pk=world.signature)
    with default_storage.open(signature.signed_pdf.name, "rb") as handle:
        copy = handle.read()
    assert copy == stored(bucket, signature.signed_pdf.name)

    page = client.post(
        "/agreements/verify/", {"document": SimpleUploadedFile("copy.pdf", copy)}
    ).content.decode()

    assert "Authentic and unaltered" in page
    assert "Avon Meadow" in page


def test_a_dpo_of_another_school_gets_404_for_the_private_documents(world) -> None:
    arden = School.objects.get(urn=ARDEN)
    dpo_of(arden, username="arden-dpo")
    client = portal_client("arden-dpo")

    for url in private_urls(world).values():
        assert client.get(url).status_code == 404, url


def test_no_response_sends_anyone_to_the_bucket(world, s3_endpoint, client, staff_client) -> None:
    version = AgreementVersion.objects.get(pk=world.version)
    signature = Signature.objects.get(pk=world.signature)
    dpo = portal_client("avon-dpo")
    pages = [
        (client, f"/schools/{AVON}/privacy/pupils.pdf"),
        (client, f"/schools/{AVON}/privacy/workforce/v1.pdf"),
        (client, f"/schools/{AVON}/privacy/"),
        (client, f"/schools/{AVON}/privacy/pupils/"),
        *((dpo, url) for url in private_urls(world).values()),
        (dpo, reverse("portal:signature", kwargs={"urn": AVON, "pk": signature.pk})),
        (dpo, reverse("portal:school", kwargs={"urn": AVON})),
        (staff_client, reverse("admin:agreements_signature_change", args=[signature.pk])),
        (staff_client, reverse("admin:agreements_agreementversion_change", args=[version.pk])),
        (staff_client, reverse("admin:agreements_signature_pdf", args=[signature.pk])),
    ]
    host = s3_endpoint.removeprefix("http://")

    for who, url in pages:
        response = who.get(url)
        assert response.status_code == 200, url
        assert not response.has_header("Location"), url
        seen = str(dict(response.headers))
        seen += (
            body(response).decode("latin-1") if response.streaming else response.content.decode()
        )
        for bucket_sign in (host, BUCKET, "X-Amz-"):
            assert bucket_sign not in seen, url


def test_a_url_asked_of_the_storage_is_signed_and_short_lived(world) -> None:
    signature = Signature.objects.get(pk=world.signature)

    url = storages["default"].url(signature.signed_pdf.name)
    query = parse_qs(urlsplit(url).query)

    assert isinstance(storages["default"], S3Storage)
    assert query["X-Amz-Expires"] == ["60"]
    assert query["X-Amz-Signature"][0]


def test_a_name_already_taken_is_never_overwritten(world, bucket) -> None:
    signature = Signature.objects.get(pk=world.signature)
    original = stored(bucket, signature.signed_pdf.name)

    name = default_storage.save(signature.signed_pdf.name, ContentFile(b"%PDF-1.7 forged"))

    assert name != signature.signed_pdf.name
    assert stored(bucket, signature.signed_pdf.name) == original
    default_storage.delete(name)
    assert not default_storage.exists(name)
