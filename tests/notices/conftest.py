from unittest import mock

import pytest

from governance.demo import load_demo
from notices.tasks import render_school_notices


@pytest.fixture
def committed_demo(db, django_capture_on_commit_callbacks):
    """The demo world as if its transaction had committed (its refreshes queued and done with),
    so a test's own edits queue only what they cause."""
    with (
        mock.patch.object(render_school_notices, "delay"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        load_demo()
