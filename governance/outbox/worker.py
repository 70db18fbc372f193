"""What a Celery worker process does once, when it starts."""

import gc
import logging
from typing import Any

logger = logging.getLogger(__name__)


def warm_up(**kwargs: Any) -> None:
    """Load WeasyPrint, the fonts and the stylesheets once per process, before the first job,
    so the first document of a batch costs what the others do; then set everything loaded so
    far aside from the garbage collector.

    Laying out a notice makes millions of short-lived objects, so the collector runs hundreds
    of times a document, and each of its full collections walked every object the process had
    loaded (Django, the models, WeasyPrint's caches) as well as the document's. Timed on a demo
    notice, the collector's share of a render's CPU time falls from 20 % to 7 % (docs/pipeline.md).
    The frozen objects live as long as the process anyway.
    """
    from governance.pdf import html_to_pdf
    from notices.services import STYLESHEETS

    try:
        html_to_pdf("<html lang='en'><title>warm-up</title><p>Warm-up</p></html>",
                    stylesheets=STYLESHEETS)  # fmt: skip
    except Exception:  # a worker that cannot render still sends emails; jobs record the error
        logger.exception("Warming up the PDF renderer failed")
    gc.collect()
    gc.freeze()


def connect() -> None:
    from celery.signals import worker_process_init

    worker_process_init.connect(warm_up, weak=False, dispatch_uid="outbox_warm_up")
