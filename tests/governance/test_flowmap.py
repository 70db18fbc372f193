"""The data-flow map: an SVG laid out by Graphviz that names every recipient of the school,
grouped by kind, with the categories on each arrow; the school's DPO and staff only."""

import shutil
import xml.etree.ElementTree as ET

import pytest
from django.test import Client
from django.urls import reverse

from governance import flowmap
from governance.models import DataFlow, School
from tests.factories import DataFlowFactory, ProcessorFactory, UserFactory, dpo_of

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("demo_for_module"),
    pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz (dot) is not installed"),
]
SVG = "{http://www.w3.org/2000/svg}"


def texts(svg: str) -> list[str]:
    return [t.text or "" for t in ET.fromstring(svg).iter(f"{SVG}text")]


def test_the_map_names_every_recipient_of_the_school_in_its_group() -> None:
    avon = School.objects.get(name="Avon Meadow Primary School")
    recipients = set()
    for flow in DataFlow.objects.for_school(avon).with_details():
        recipients.add(str(flow.partner_service or flow.processor or flow.body))

    words = texts(flowmap.svg(avon))

    assert recipients
    assert recipients <= set(words)
    assert {"Authority services", "Suppliers"} <= set(words)
    assert "What leaves Avon Meadow Primary School" in words
    assert "weekly" in " ".join(words) or "daily" in " ".join(words)


def test_a_map_with_thirty_recipients_stays_one_picture() -> None:
    avon = School.objects.get(name="Avon Meadow Primary School")
    for n in range(30):
        DataFlowFactory(authority=avon.authority, school=avon,
                        processor=ProcessorFactory(name=f"App {n:02d} Ltd"))  # fmt: skip

    svg = flowmap.svg(avon)

    words = set(texts(svg))
    assert {f"App {n:02d} Ltd" for n in range(30)} <= words
    # Left to right, the recipients stack: the picture grows down, not sideways, and its
    # text keeps its size (a phone scrolls down a tall map; nothing shrinks to fit a width).
    width = float(ET.fromstring(svg).get("width", "0pt").removesuffix("pt"))
    assert width < 1000
    assert 'font-size="11.00"' in svg


def test_the_map_is_the_schools_dpo_and_staffs() -> None:
    avon = School.objects.get(name="Avon Meadow Primary School")
    victoria = School.objects.get(name="Victoria CP School")
    dpo, staff = Client(), Client()
    dpo.force_login(dpo_of(avon, username="map-dpo"))
    staff.force_login(UserFactory(username="map-staff", is_staff=True, is_superuser=True))

    mine = dpo.get(reverse("portal:flow_map", args=[avon.urn]))

    assert mine.status_code == 200
    assert mine["Content-Type"].startswith("image/svg+xml")
    assert b"<script" not in mine.content
    assert dpo.get(reverse("portal:flow_map", args=[victoria.urn])).status_code == 404
    assert staff.get(reverse("portal:flow_map", args=[victoria.urn])).status_code == 200
    assert (
        reverse("portal:flow_map", args=[avon.urn])
        in dpo.get(reverse("portal:school", args=[avon.urn])).content.decode()
    )
