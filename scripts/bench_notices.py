"""Benchmark notice rendering: the product's pipeline against bare WeasyPrint, in one process.

Runs on a throwaway SQLite database (never yours): migrates, loads the demo registry, adds N
demo-like schools, renders both notices of each through the pipeline and, interleaved, the same
HTML through bare WeasyPrint. Prints medians, throughput, sizes, memory, and how many schools
one processor edit re-renders.

    python scripts/bench_notices.py --schools 120
"""

import argparse
import gc
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


def setup(workdir: str) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/bench.sqlite3"
    os.environ["MEDIA_ROOT"] = f"{workdir}/media"
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("SECRET_KEY", "bench-only")
    # Publishing emails each school's DPO: keep them in memory, out of the results.
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ["DJANGO_SETTINGS_MODULE"] = "governance.settings"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def clone_schools(count: int, *, authority: str = "") -> list:
    """Create ``count`` schools like the demo ones (of ``authority`` only, if named), without
    rendering anything yet."""
    from unittest import mock

    with mock.patch("notices.dependencies._enqueue"):
        return _clone_schools(count, authority)


def _clone_schools(count: int, authority: str) -> list:
    from django.utils import timezone

    from governance.demo import load_demo
    from governance.models import School, Subscription

    load_demo()
    demo = School.objects.prefetch_related("subscriptions").order_by("urn")
    templates = list(demo.filter(authority__name=authority) if authority else demo)
    schools = []
    for i in range(count):
        source = templates[i % len(templates)]
        subs = list(source.subscriptions.all())
        school = School.objects.get(pk=source.pk)
        school.pk = None
        school.urn = f"{800000 + i}"
        school.dfe_number = f"{source.dfe_number[:3]}/{5000 + i}"
        school.name = f"{source.name} {i}"
        school.notices_published_at = timezone.now()  # a bench school is live, not a draft
        school.save()
        Subscription.objects.bulk_create(
            Subscription(school=school, offering_id=s.offering_id, start_date=s.start_date,
                         end_date=s.end_date) for s in subs
        )  # fmt: skip
        schools.append(school)
    return schools


def bare_weasyprint(html: str) -> bytes:
    from django.contrib.staticfiles import finders
    from weasyprint import CSS, HTML

    css = CSS(filename=finders.find("notices/notice-print.css"))
    return HTML(string=html, base_url=str(ROOT)).write_pdf(
        stylesheets=[css], pdf_variant="pdf/ua-1"
    )


def measure_memory(schools: list, warmup: int = 30) -> dict:
    """Render through the pipeline alone and read RSS after a warm-up, while native caches
    fill (bare WeasyPrint builds a FontConfiguration per call, so it must not run here)."""
    from notices.content import Audience
    from notices.services import refresh_notice

    start_rss, docs = 0.0, 0
    for index, school in enumerate(schools):
        if index == warmup:
            gc.collect()
            start_rss, docs = rss_mb(), 0
        for audience in Audience.values:
            refresh_notice(school=school, audience=audience)
            docs += 1
    gc.collect()
    return {"rss": (start_rss, rss_mb()), "docs": docs}


def measure_speed(schools: list) -> dict:
    """Render each notice through the pipeline and, right after, its HTML through bare
    WeasyPrint, so both see the same machine load."""
    from django.template.loader import render_to_string

    from notices.content import Audience
    from notices.services import notice_context, refresh_notice

    pipeline: list[float] = []
    bare: list[float] = []
    sizes: list[int] = []
    for school in schools:
        for audience in Audience.values:
            t0 = time.perf_counter()
            version = refresh_notice(school=school, audience=audience).version
            pipeline.append(time.perf_counter() - t0)
            sizes.append(version.pdf_size or 0)
            html = _document(version, render_to_string, notice_context)
            t0 = time.perf_counter()
            bare_weasyprint(html)
            bare.append(time.perf_counter() - t0)
    return {"pipeline": pipeline, "bare": bare, "sizes": sizes}


def _document(version, render_to_string, notice_context) -> str:
    context = notice_context(version)
    return render_to_string("notices/notice_pdf.html", {**context, "body": version.html})


def propagation() -> tuple[int, int, int]:
    """Edit one processor; return (schools queued, schools subscribing, new versions)."""
    from unittest import mock

    from django.db import transaction

    from governance.models import Subscription
    from notices.models import NoticeVersion
    from processors.models import Processor

    redstor = Processor.objects.get(name="Redstor")
    subscribers = set(
        Subscription.objects.current()
        .filter(offering__flows__processor=redstor)
        .values_list("school_id", flat=True)
    )
    from governance.outbox.models import Job
    from governance.outbox.services import run

    before = NoticeVersion.objects.count()
    with mock.patch("governance.outbox.services.send_jobs") as send, transaction.atomic():
        redstor.data_location = "UK (benchmark edit)"
        redstor.save()
    sent = [job_id for call in send.call_args_list for job_id in call.args[0]]
    queued = set(Job.objects.filter(pk__in=sent).values_list("school_id", flat=True))
    for job_id in sent:
        run(job_id)
    return len(queued), len(subscribers), NoticeVersion.objects.count() - before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=120)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        setup(workdir)
        schools = clone_schools(max(args.schools, 30))
        split = len(schools) * 2 // 3
        memory = measure_memory(schools[:split], warmup=split * 3 // 8)
        speed = measure_speed(schools[split:])
        queued, subscribers, new_versions = propagation()
    p_ms = statistics.median(speed["pipeline"]) * 1000
    b_ms = statistics.median(speed["bare"]) * 1000
    start, end = memory["rss"]
    from weasyprint.text.ffi import harfbuzz_subset

    print(f"PDFs timed (pipeline, then bare): {len(speed['pipeline'])} each")
    print(f"median ms per PDF, pipeline:      {p_ms:.0f}")
    print(f"median ms per PDF, bare WeasyPrint:{b_ms:.0f}")
    print(f"overhead ratio pipeline/bare:     {p_ms / b_ms:.3f} (goal <= 1.05)")
    print(
        f"PDFs per second (pipeline):       {len(speed['pipeline']) / sum(speed['pipeline']):.2f}"
    )
    sizes = speed["sizes"]
    print(f"PDF size median / max KB:         {statistics.median(sizes) / 1024:.0f} / "
          f"{max(sizes) / 1024:.0f} (goal < 60)")  # fmt: skip
    print(
        f"memory RSS after warm-up / end:   {start:.1f} / {end:.1f} MB over {memory['docs']} PDFs"
    )
    print(f"memory growth per 1,000 PDFs:     {(end - start) / memory['docs'] * 1000:.1f} MB "
          "(goal < 10)")  # fmt: skip
    print(f"one processor edit (Redstor):     {queued} schools queued, {subscribers} subscribe, "
          f"{new_versions} new versions")  # fmt: skip
    print(f"harfbuzz-subset available:        {bool(harfbuzz_subset)}")


if __name__ == "__main__":
    main()
