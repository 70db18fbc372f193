from unittest import mock

import pytest

from governance.demo import load_demo
from governance.outbox.models import Job


@pytest.fixture
def committed_demo(db, django_capture_on_commit_callbacks):
    """The demo world as if its transaction had committed (its render jobs written, sent and
    done with), so a test's own edits queue only what they cause."""
    with (
        mock.patch("governance.outbox.services.send_jobs"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        load_demo()
    Job.objects.update(status=Job.Status.DONE)
