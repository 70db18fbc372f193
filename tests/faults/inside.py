"""What the fault tests do inside Django: each function runs in its own
``manage.py shell`` process against the fault database (harness.FaultWorld.inside), reads its
arguments from FAULTS_CALL and prints its answer as one JSON line after RESULT_MARKER.

Nothing here runs in the pytest process, which never imports Django models for the fault
database: the workers, beat and these scripts are the only clients of that database.
"""

import json
import os
import sys
import time
from typing import Any

RESULT_MARKER = "FAULTS-RESULT "
ADMIN_USERNAME = "faults-admin"
# The lawful basis every notice of the demo world relies on (both audiences, both nations):
# staff editing its plain words in the admin changes every school's documents.
EVERY_NOTICE_BASIS = "Art 6(1)(c)"
# The poison: a lawful basis of a kind the code does not know. UK GDPR Article 8 (a child's
# consent to online services) is real law, and the database accepts any kind (no check
# constraint), but notices.content._bases_explained looks the kind up in
# LawfulBasis.Kind.choices and raises KeyError: not transient, so no retry.
POISON_KIND = "art8"
POISON_CODE = "Art 8(1)"


def call() -> None:
    """Run the function FAULTS_CALL names with its arguments; print its JSON answer."""
    request = json.loads(os.environ["FAULTS_CALL"])
    answer = globals()[request["name"]](**request.get("args", {}))
    sys.stdout.write(RESULT_MARKER + json.dumps(answer, default=str) + "\n")
    sys.stdout.flush()


def build_world(*, clones: int) -> dict[str, Any]:
    """The demo world plus ``clones`` published copies of its published schools, and a
    superuser; no job queued (the harness renders version 1 of every document itself)."""
    from unittest import mock

    from django.utils import timezone

    from governance.demo import load_demo
    from governance.models import School, Subscription, User

    with mock.patch("notices.dependencies._enqueue", return_value=[]):
        load_demo()
        sources = list(
            School.objects.filter(notices_published_at__isnull=False)
            .prefetch_related("subscriptions")
            .order_by("urn")
        )
        for i in range(clones):
            source = sources[i % len(sources)]
            subscriptions = list(source.subscriptions.all())
            school = School.objects.get(pk=source.pk)
            school.pk = None
            school.urn = f"{880000 + i}"
            school.dfe_number = f"{source.dfe_number[:3]}/{8800 + i}"
            school.name = f"{source.name} (copy {i + 1})"
            school.notices_published_at = timezone.now()
            school.save()
            Subscription.objects.bulk_create(
                Subscription(
                    school=school,
                    offering_id=s.offering_id,
                    start_date=s.start_date,
                    end_date=s.end_date,
                )
                for s in subscriptions
            )
    User.objects.create_superuser(ADMIN_USERNAME, f"{ADMIN_USERNAME}@example.org", None)
    published = School.objects.filter(notices_published_at__isnull=False).order_by("urn")
    return {"published_urns": list(published.values_list("urn", flat=True))}


def expected_hashes() -> dict[str, Any]:
    """The content hash each published school's notices would have if built now, by
    "school_id:audience"; a document whose content cannot be built gives its error."""
    from governance.models import School
    from notices.content import Audience, build_notice_content, content_hash

    answer: dict[str, Any] = {}
    schools = School.objects.filter(notices_published_at__isnull=False).select_related("authority")
    for school in schools:
        for audience in Audience.values:
            try:
                digest = content_hash(build_notice_content(school, audience))
            except Exception as error:
                answer[f"{school.pk}:{audience}"] = {"error": f"{type(error).__name__}: {error}"}
            else:
                answer[f"{school.pk}:{audience}"] = {"hash": digest}
    return answer


def change_every_school(
    *, tag: str, phone: str, poison_school_id: int | None = None
) -> dict[str, Any]:
    """Change what every published school's notices show (its phone number, to ``phone``)
    and queue one batch re-rendering them, in one transaction, as a bulk registry edit does;
    with ``poison_school_id``, give that school a purpose on a lawful basis of an unknown
    kind in the same transaction."""
    from django.db import transaction

    from governance.models import LawfulBasis, Purpose, School
    from notices.dependencies import holding_refresh, queue_notice_batch

    started = time.monotonic()
    with transaction.atomic():
        if poison_school_id is not None:
            with holding_refresh():  # the batch below covers the school
                school = School.objects.get(pk=poison_school_id)
                basis = LawfulBasis.objects.create(
                    kind=POISON_KIND,
                    code=POISON_CODE,
                    title="A child's consent to online services",
                    plain_text="A child aged 13 or over can consent to online services.",
                )
                purpose = Purpose.objects.create(
                    authority_id=school.authority_id,
                    school=school,
                    audience="both",
                    description="to let pupils and staff use online learning services",
                )
                purpose.lawful_bases.add(basis)
        published = School.objects.filter(notices_published_at__isnull=False)
        published.update(phone=phone)
        batch = queue_notice_batch(label=f"fault test: {tag}")
    committed = time.monotonic() - started
    # The registry is as the documents must end: what their content hashes must be (built
    # here, while the workers render, to spare the harness a process).
    return {
        "batch": batch.pk,
        "jobs": batch.jobs.count(),
        "seconds": round(committed, 2),
        "hashes": expected_hashes(),
    }


def admin_edit(*, text: str) -> dict[str, Any]:
    """Sign in to the admin as staff and change the plain words of the lawful basis every
    notice relies on, as a browser does (GET the change page, POST it back); time the POST."""
    from django.db.models import Max
    from django.test import Client, override_settings
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from governance.models import LawfulBasis, User
    from governance.outbox.models import Job
    from tests.admin_pages import page_data

    setup_test_environment()  # the test Client's view of the page's context
    plain_storage = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    last_job = Job.objects.aggregate(last=Max("pk"))["last"] or 0
    basis = LawfulBasis.objects.get(code=EVERY_NOTICE_BASIS)
    url = reverse("admin:governance_lawfulbasis_change", args=[basis.pk])
    with override_settings(STORAGES=plain_storage):
        client = Client()
        client.force_login(User.objects.get(username=ADMIN_USERNAME))
        started = time.monotonic()
        page = client.get(url)
        get_seconds = time.monotonic() - started
        data = page_data(page)
        data["plain_text"] = text
        started = time.monotonic()
        response = client.post(url, data)
        post_seconds = time.monotonic() - started
    jobs = Job.objects.filter(pk__gt=last_job)
    return {
        "get_status": page.status_code,
        "get_seconds": round(get_seconds, 2),
        "status": response.status_code,
        "location": response.get("Location", ""),
        "seconds": round(post_seconds, 2),
        "jobs": jobs.count(),
        "unsent": jobs.filter(sent_at=None).count(),
        "kinds": sorted(set(jobs.values_list("kind", flat=True))),
    }


def publish_agreement() -> dict[str, Any]:
    """Publish the demo agreement's draft as staff (agreements.services.publish_version);
    return how long it took and the email jobs it wrote, one per party school."""
    from agreements.content import party_schools
    from agreements.models import AgreementVersion
    from agreements.services import publish_version
    from governance.models import User
    from governance.outbox.models import Job

    draft = AgreementVersion.objects.select_related("agreement__authority").get(
        status=AgreementVersion.Status.DRAFT
    )
    parties = sorted(party_schools(draft.agreement.authority).values_list("pk", flat=True))
    started = time.monotonic()
    version = publish_version(version=draft, user=User.objects.get(username=ADMIN_USERNAME))
    seconds = time.monotonic() - started
    jobs = Job.objects.filter(kind=Job.Kind.AGREEMENT_EMAIL, agreement_version=version)
    return {
        "version": version.pk,
        "status": version.status,
        "seconds": round(seconds, 2),
        "parties": parties,
        "jobs": jobs.count(),
        "unsent": jobs.filter(sent_at=None).count(),
    }
