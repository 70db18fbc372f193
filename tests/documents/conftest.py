"""Every demo document, rendered once for the package: each published school's two notices
(PDF, the HTML WeasyPrint laid out, and the public web page), the demo agreement as published
and a copy of it signed for a Warwickshire school.

Rendering is the slow part, so it happens once, in a transaction rolled back as soon as the
documents are read into memory: the tests then check bytes and strings, never the database.
"""

import hashlib
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse

from governance import pdf as governance_pdf
from governance.demo import DRAFT_SCHOOLS, load_demo, world
from governance.demo.wolverhampton import WOLVERHAMPTON
from governance.demo.wrexham import WREXHAM
from governance.pdf import FittedPDF
from tests.conftest import held_settings
from tests.documents.checks import Margins, margins_from_css

# The demo's schools whose notices are published (the drafts issue nothing), and the one that
# counter-signs the agreement: Avon Meadow Primary School, a Warwickshire maintained school.
PUBLISHED_URNS = sorted(
    {s["urn"] for s in (*world.SCHOOLS, *WREXHAM.schools, *WOLVERHAMPTON.schools)} - DRAFT_SCHOOLS
)
AUDIENCES = ("pupils", "workforce")
SIGNING_URN = "999101"


@dataclass
class Rendered:
    """A PDF and the whole HTML document WeasyPrint laid out for it."""

    pdf: bytes
    html: str
    margins: Margins
    title: str


@dataclass
class DemoDocuments:
    notices: dict[tuple[str, str], Rendered] = field(default_factory=dict)  # (urn, audience)
    web_pages: dict[tuple[str, str], str] = field(default_factory=dict)  # the public page
    agreement: Rendered | None = None
    signed_copy: Rendered | None = None
    schools: dict[str, str] = field(default_factory=dict)  # urn: name


class RecordedRenders:
    """Wrap ``governance.pdf.fitted_pdf`` (which ``html_to_pdf`` calls) wherever it was
    imported, keeping each HTML document with the PDF made from it."""

    def __init__(self) -> None:
        self.renders: list[tuple[str, bytes, list[str]]] = []

    def wrap(self, original: Callable[..., FittedPDF]) -> Callable[..., FittedPDF]:
        def recording(html: str, *, stylesheets: list[str], **kwargs) -> FittedPDF:
            fitted = original(html, stylesheets=stylesheets, **kwargs)
            self.renders.append((html, fitted.pdf, list(stylesheets)))
            return fitted

        return recording

    def by_digest(self) -> dict[str, tuple[str, list[str]]]:
        return {hashlib.sha256(pdf).hexdigest(): (html, css) for html, pdf, css in self.renders}


def margins_for(stylesheets: list[str]) -> Margins:
    """The page margins the document's print stylesheets set (their @page rules)."""
    texts = []
    for name in stylesheets:
        found = finders.find(name)
        assert found, f"no static file {name}"
        texts.append(Path(str(found)).read_text(encoding="utf-8"))
    return margins_from_css(*texts)


def _source(digests: dict[str, tuple[str, list[str]]], pdf: bytes, what: str):
    """The HTML and stylesheets ``pdf`` was rendered from."""
    found = digests.get(hashlib.sha256(pdf).hexdigest())
    assert found is not None, f"the PDF of {what} is not one html_to_pdf returned"
    return found


def read(file) -> bytes:
    with file.open("rb") as handle:
        return handle.read()


@pytest.fixture(scope="package")
def demo_documents(django_db_setup, django_db_blocker, tmp_path_factory, _dev_seal_dir):
    """Load the demo, render every document, read them into memory; roll everything back."""
    recorder = RecordedRenders()
    original = governance_pdf.fitted_pdf
    with (
        pytest.MonkeyPatch.context() as patch,
        held_settings(tmp_path_factory.mktemp("documents-media"), _dev_seal_dir),
        override_settings(
            CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
        ),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        _in_process(patch)
        recording = recorder.wrap(original)
        for module in list(sys.modules.values()):
            if getattr(module, "fitted_pdf", None) is original:
                patch.setattr(module, "fitted_pdf", recording)
        documents = _render_all(recorder)
        transaction.set_rollback(True)
    return documents


def _in_process(patch: pytest.MonkeyPatch) -> None:
    """As the suite's autouse fixtures do: background jobs in process, never the shared Redis."""
    from governance.celery import app
    from governance.outbox import services

    patch.setitem(app.conf, "task_always_eager", True)
    patch.setattr(services._broker, "down_until", 0.0)


def _render_all(recorder: RecordedRenders) -> DemoDocuments:
    from governance.models import School
    from notices.models import NoticeVersion
    from notices.services import refresh_school_notices
    from tests.factories import dpo_of, publish_demo_agreement, sign

    load_demo()
    documents = DemoDocuments()
    for school in School.objects.order_by("urn"):
        documents.schools[school.urn] = school.name
        refresh_school_notices(school=school)
    digests = recorder.by_digest()
    client = Client()
    for version in NoticeVersion.objects.filter(status="rendered").select_related("school"):
        current = NoticeVersion.objects.current_for(version.school, version.audience)
        if current is None or current.pk != version.pk:
            continue
        pdf = read(version.pdf)
        html, css = _source(digests, pdf, f"{version}")
        key = (version.school.urn, version.audience)
        documents.notices[key] = Rendered(
            pdf=pdf, html=html, margins=margins_for(css), title=version.download_name
        )
        url = reverse("notices:detail", kwargs={"urn": key[0], "audience": key[1]})
        response = client.get(url)
        assert response.status_code == 200, f"{url} answered {response.status_code}"
        documents.web_pages[key] = response.content.decode()

    version = publish_demo_agreement()
    pdf = read(version.pdf)
    html, css = _source(recorder.by_digest(), pdf, "the agreement")
    documents.agreement = Rendered(pdf=pdf, html=html, margins=margins_for(css), title="agreement")

    school = School.objects.get(urn=SIGNING_URN)
    before = len(recorder.renders)
    result = sign(version, school, dpo_of(school))
    signed = read(result.signature.signed_pdf)
    made = recorder.renders[before:]
    if made and 'class="toc"' in made[-1][0]:
        html, css = made[-1][0], made[-1][2]  # the whole copy laid out again
    else:
        # The sign-off page(s) laid out on their own and put after the pages signed: the
        # copy's words are the agreement's and the sign-off's.
        html = "\n".join([documents.agreement.html, *(h for h, _, _ in made)])
        css = made[-1][2] if made else css
    documents.signed_copy = Rendered(
        pdf=signed, html=html, margins=margins_for(css), title=f"signed for {school.name}"
    )
    return documents
