"""What changed between two versions, said in sentences: in the admin's preview before
publishing, in the portal before a school signs again, and for a first version in one line."""

import copy
import re

import pytest
from django.test import Client
from django.urls import reverse

from agreements.changes import describe_changes
from agreements.services import publish_problems, publish_version, save_draft
from tests.agreements.conftest import NEW_PURPOSE, next_draft

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("world")]


def sentences(old, new) -> list[str]:
    return [sentence for section in describe_changes(old, new) for sentence in section.sentences]


@pytest.fixture
def content(world) -> dict:
    return copy.deepcopy(world.version(2).content)


def test_a_first_version_is_summed_up_in_one_sentence(world) -> None:
    content = world.version(1).content

    [section] = describe_changes(None, content)

    assert section.heading == "First version"
    [sentence] = section.sentences
    assert sentence.startswith("First version: 4 schools and 8 services of Warwickshire County")
    assert "18 data objects, 3 of them special category data" in sentence
    assert "·" not in sentence


def test_the_same_words_are_no_change(content) -> None:
    assert describe_changes(content, copy.deepcopy(content)) == []


def test_a_suppliers_new_data_location_is_one_sentence(content) -> None:
    new = copy.deepcopy(content)
    groupcall = next(p for p in new["processors"] if p["name"] == "Groupcall")
    groupcall["location"] = "UK"

    assert sentences(content, new) == [
        "Where Groupcall stores information changed from “not stated” to “UK”."
    ]


def test_a_service_that_becomes_a_party_is_named(content) -> None:
    old = copy.deepcopy(content)
    old["services"] = [s for s in old["services"] if s["name"] != "Priority Families"]

    lines = sentences(old, content)

    assert "Added Priority Families as a party." in lines
    assert any(
        line.startswith("Priority Families now receives data to “identify families")
        for line in lines
    )


def test_a_reworded_clause_shows_only_the_words_that_changed(content) -> None:
    new = copy.deepcopy(content)
    new["security"][1] = new["security"][1].replace("secure servers", "encrypted secure servers")

    [section] = describe_changes(content, new)
    [change] = section.changes

    assert (section.key, change.text) == ("security", "The security clause was reworded.")
    assert ("added", "encrypted") in change.wording.diff
    unchanged = [words for op, words in change.wording.diff if op == "same"]
    assert all(len(run.split()) <= 13 for run in unchanged)  # long runs shortened with "…"
    assert "…" in " ".join(unchanged)


def test_a_rewritten_clause_shows_the_old_and_new_wording(world) -> None:
    changes = describe_changes(world.version(1).content, world.version(2).content)
    [section] = [s for s in changes if s.key == "purpose"]
    [change] = section.changes

    assert change.text == "The purpose clause was reworded."
    assert change.wording.after == NEW_PURPOSE
    assert change.wording.diff == ()  # too different to show inline: both in full


def test_officers_schools_and_frequencies_changes_read_as_sentences(content) -> None:
    new = copy.deepcopy(content)
    new["officers"][0]["email"] = "admissions@warwickshire.gov.uk"
    new["schedule"] = [s for s in new["schedule"] if s["urn"] != "999103"]
    new["exchange"]["frequencies"][1]["label"] = "Weekly"

    lines = sentences(content, new)

    assert (
        "The email address of John Edwards, officer for Admissions Service, changed from "
        "“johnedwards@warwickshire.gov.uk” to “admissions@warwickshire.gov.uk”."
    ) in lines
    assert "Kineton Brook Primary School (URN 999103) is no longer a party." in lines
    moved = re.compile(r"Information to “\w.*” is now exchanged weekly instead of daily\.")
    assert any(moved.fullmatch(line) for line in lines)


def test_contents_frozen_by_older_code_are_read_on_what_they_say(content) -> None:
    """Wording the code once used for roles, relationships and statutes is not a change."""
    old = copy.deepcopy(content)
    for service in old["services"]:
        service["relationship"] = "Separate controller (shares under the agreement)"
        service["gateway"] = service["gateway"].replace("sections ", "ss.")
    for processor in old["processors"]:
        processor["role"] = "Processor (acts on instructions, Art 28 contract)"
    for service in old["services"]:
        service.pop("label")  # a key newer code adds

    assert describe_changes(old, content) == []


# The admin's preview


def test_the_preview_of_a_first_version_is_one_statement(world, staff_client: Client) -> None:
    page = staff_client.get(reverse("admin:agreements_agreementversion_preview", args=[world.v1]))

    html = page.content.decode()
    changes = html[html.index("What changes") : html.index("The agreement</h2>")]
    assert "First version: 4 schools" in changes
    assert changes.count("<li>") == 1
    assert "·" not in changes


def test_the_preview_of_a_later_version_says_what_changed(world, staff_client: Client) -> None:
    page = staff_client.get(reverse("admin:agreements_agreementversion_preview", args=[world.v2]))

    html = page.content.decode()
    assert "What changes since version 1" in html
    assert "The purpose clause was reworded." in html
    assert "<del>" in html
    assert "<ins>" in html
    assert "The purpose is shorter." in html  # the summary, as schools will read it


# A summary of changes is required from version 2 on


def test_a_second_version_without_a_summary_of_changes_is_refused(world, staff) -> None:
    draft = next_draft(world.version(2).agreement, summary="  \n ")

    problems = publish_problems(draft)

    assert (
        "Write the summary of changes: say what changed since version 2 and why. Every school "
        "reads it before it is asked to sign again."
    ) in problems
    draft.change_summary = "Groupcall now stores data in the UK."
    save_draft(version=draft)
    assert publish_problems(draft) == []
    assert publish_version(version=draft, user=staff).number == 3


def test_the_preview_and_the_publish_page_refuse_a_version_without_a_summary(
    world, staff_client: Client
) -> None:
    draft = next_draft(world.version(2).agreement, summary="")

    preview = staff_client.get(
        reverse("admin:agreements_agreementversion_preview", args=[draft.pk])
    )
    published = staff_client.post(
        reverse("admin:agreements_agreementversion_publish", args=[draft.pk]), follow=True
    )

    assert "Write the summary of changes" in preview.content.decode()
    assert 'value="Publish version 3"' not in preview.content.decode()
    assert "Not published: Write the summary of changes" in published.content.decode()
    draft.refresh_from_db()
    assert draft.is_draft


def test_a_first_version_needs_no_summary_of_changes(world) -> None:
    from agreements.models import Agreement
    from agreements.services import start_draft
    from governance.demo.agreement import CLAUSES

    first = Agreement.objects.create(
        authority=world.version(2).agreement.authority, title="Another"
    )
    draft = start_draft(agreement=first, defaults=CLAUSES)

    assert not any("summary of changes" in p for p in publish_problems(draft))
