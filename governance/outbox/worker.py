"""What a Celery worker process does once, when it starts."""

import logging
from typing import Any

logger = logging.getLogger(__name__)


def warm_up(**kwargs: Any) -> None:
    """Load WeasyPrint, the fonts and the stylesheets once per process, before the first job,
    so the first document of a batch costs what the others do."""
    from governance.pdf import html_to_pdf
    from notices.services import STYLESHEETS

    try:
        html_to_pdf("<html lang='en'><title>warm-up</title><p>Warm-up</p></html>",
                    stylesheets=STYLESHEETS)  # fmt: skip
    except Exception:  # a worker that cannot render still sends emails; jobs record the error
        logger.exception("Warming up the PDF renderer failed")


def connect() -> None:
    from celery.signals import worker_process_init

    worker_process_init.connect(warm_up, weak=False, dispatch_uid="outbox_warm_up")
