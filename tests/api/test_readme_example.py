"""The README's "set up an organisation through the API" script runs as written, against a
live server with the demo world, and the notices it prints are issued and public."""

import os
import re
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from governance.demo import load_demo
from governance.models import DataFlow, School
from notices.models import NoticeVersion
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_block(heading: str, language: str) -> str:
    text = README.read_text()
    section = text[text.index(heading) :]
    return re.search(rf"```{language}\n(.*?)```", section, re.S).group(1)


def test_the_readme_script_sets_up_an_organisation_and_prints_its_notices(
    live_server, tmp_path, client
) -> None:
    load_demo()
    UserFactory(username="admin", is_staff=True, is_superuser=True)
    out = StringIO()
    call_command("issue_api_token", "admin", "--name", "Onboarding script", stdout=out)
    script = tmp_path / "onboard.py"
    script.write_text(readme_block("#### Set up an organisation through the API", "python"))
    env = {**os.environ, "API": f"{live_server.url}/api/v1", "API_TOKEN": out.getvalue().strip()}

    done = subprocess.run(
        [sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=120
    )

    assert done.returncode == 0, done.stdout + done.stderr
    school = School.objects.get(urn="149001")
    flow = DataFlow.objects.get(authority=school.authority, processor__name="Arbor Education")
    assert [c.title for c in flow.data_objects.all()] == ["Pupil attendance"]
    printed = done.stdout.splitlines()
    assert [line.split()[0] for line in printed] == ["pupils", "workforce"]
    pupils = NoticeVersion.objects.current_for(school, "pupils")
    assert f"/schools/149001/privacy/pupils/v{pupils.number}/" in printed[0]
    assert "Arbor Education" in pupils.html
    page = client.get(f"/schools/149001/privacy/pupils/v{pupils.number}/")
    assert page.status_code == 200
    assert "Pupil attendance" in page.content.decode()
