"""Schools from GIAS: the "all establishment data" CSV, byte for byte as GIAS writes it
(``tests.governance.gias_files``), previewed (``read_plan``) and applied (``apply_plan``,
``manage.py import_gias``) against the demo register.

The demo world is loaded once for the module with ``load_demo()``; each test's writes roll back.
"""

import datetime
import io
import re
import zipfile
from collections.abc import Iterator

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from governance import gias
from governance.demo import load_demo
from governance.gias import GiasFileError, ImportRefused, apply_plan, read_plan
from governance.models import Authority, School
from notices import dependencies as notice_dependencies
from tests.factories import UserFactory
from tests.governance.gias_files import (
    ALL_ROWS,
    AVON_MEADOW,
    BIRMINGHAM_SCHOOL,
    CLOSED_SCHOOL,
    COMMUNITY_PRIMARY,
    HEADER_135,
    HEADER_139,
    INDEPENDENT_SCHOOL,
    MAT,
    MAT_ACADEMY,
    OPEN_PREDECESSOR,
    PRU,
    SPECIAL_SCHOOL,
    SUCCESSOR_ACADEMY,
    gias_csv,
    line_of,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_world")]

WARWICKSHIRE = "Warwickshire County Council"
# The fields GIAS fills on a school; everything else is the register's own.
GIAS_FIELDS = (
    "dfe_number", "name", "phase", "school_type", "trust_name", "status", "open_date",
    "close_date", "address", "postcode", "phone", "website", "headteacher",
)  # fmt: skip
# What the register holds after importing ALL_ROWS (no-break spaces read as spaces).
EXPECTED = {
    "125601": {
        "authority": WARWICKSHIRE, "dfe_number": "937/2001",
        "name": "Queen\u2019s Park Community Primary School", "phase": "primary",
        "school_type": "maintained", "trust_name": "", "status": "open", "open_date": None,
        "close_date": None, "address": "Park Lane\nAttleborough\nNuneaton",
        "postcode": "CV11 9ZZ", "phone": "02476 000201",
        "website": "http://www.queenspark.warwickshire.sch.uk",
        "headteacher": "Mrs Jane O\u2019Neill",
    },
    "137602": {
        "authority": WARWICKSHIRE, "dfe_number": "937/4001", "name": "Arden Valley Academy",
        "phase": "secondary", "school_type": "trust_member",
        "trust_name": "Avon Valley Learning Trust", "status": "open",
        "open_date": datetime.date(2011, 9, 1), "close_date": None,
        "address": "Kenilworth Road\nWarwick", "postcode": "CV34 9ZZ", "phone": "01926 000202",
        "website": "https://www.ardenvalley.org.uk", "headteacher": "Mr Tom Baker",
    },
    "136603": {
        "authority": WARWICKSHIRE, "dfe_number": "937/5401", "name": "Abbey Grange School",
        "phase": "secondary", "school_type": "academy",
        "trust_name": "Abbey Grange School Academy Trust", "status": "open",
        "open_date": datetime.date(2011, 4, 1), "close_date": None,
        "address": "Abbey Street\nKenilworth", "postcode": "CV8 9ZZ", "phone": "01926 000203",
        "website": "http://www.abbeygrange.org.uk", "headteacher": "Dr Priya Shah",
    },
    "125604": {
        "authority": WARWICKSHIRE, "dfe_number": "937/7001", "name": "Brookfield School",
        "phase": "special", "school_type": "maintained", "trust_name": "", "status": "open",
        "open_date": None, "close_date": None,
        "address": "Brook Lane\nCubbington\nLeamington Spa", "postcode": "CV32 9ZZ",
        "phone": "01926 000204", "website": "", "headteacher": "Ms Alison Reid",
    },
    "131606": {
        "authority": WARWICKSHIRE, "dfe_number": "937/1106",
        "name": "Riverbank Pupil Referral Unit", "phase": "alternative",
        "school_type": "maintained", "trust_name": "", "status": "open",
        "open_date": datetime.date(2007, 9, 1), "close_date": None,
        "address": "Mill Street\nUnit 4\nBedworth", "postcode": "CV12 9ZZ",
        "phone": "02476 000206", "website": "http://www.riverbank.warwickshire.sch.uk",
        "headteacher": "Sam Jones",
    },
    "148605": {
        "authority": WARWICKSHIRE, "dfe_number": "937/2005",
        "name": "Oakley Wood Primary Academy", "phase": "primary",
        "school_type": "trust_member", "trust_name": "Avon Valley Learning Trust",
        "status": "open", "open_date": datetime.date(2024, 9, 1), "close_date": None,
        "address": "Oakley Wood Road\nBishop\u2019s Tachbrook\nLeamington Spa",
        "postcode": "CV33 9ZZ", "phone": "01926 000205",
        "website": "https://www.oakleywood.avonvalley.org.uk", "headteacher": "Mr Peter Hall",
    },
}  # fmt: skip
CREATED = set(EXPECTED)
# Skipped from ALL_ROWS: the closed school not in the register, Birmingham's, the independent.
SKIPPED = {"125605", "103506", "125607"}
# A right single quote's UTF-8 bytes read as Windows-1252, a stray "A circumflex", U+FFFD.
MOJIBAKE = ("\u00e2\u20ac", "\u00c2", "\ufffd")


@pytest.fixture(scope="module")
def demo_world(django_db_setup, django_db_blocker) -> Iterator[None]:
    """The demo world (`load_demo()`), loaded once for the module and rolled back after it;
    each test's own writes roll back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo()
        notice_dependencies._pending.state = None  # the world stands as if committed
        with django_db_blocker.block():
            yield
        transaction.set_rollback(True)


def register(urns) -> dict[str, dict[str, object]]:
    """What the register holds from GIAS for ``urns``; no-break spaces read as spaces."""
    found = {}
    for school in School.objects.filter(urn__in=urns).select_related("authority"):
        values = {name: getattr(school, name) for name in GIAS_FIELDS}
        found[school.urn] = {
            "authority": school.authority.name,
            **{k: v.replace("\xa0", " ") if isinstance(v, str) else v for k, v in values.items()},
        }
    return found


def urns(changes) -> set[str]:
    return {change.urn for change in changes}


def everything() -> list[tuple]:
    """Every school as it stands, every field."""
    return list(School.objects.order_by("urn").values_list())


def refused(data: bytes, **kwargs) -> gias.Plan:
    """Apply ``data``, which must be refused with nothing changed; return the refused plan."""
    before = everything()
    with pytest.raises(ImportRefused) as refusal:
        apply_plan(data, **kwargs)
    assert everything() == before
    return refusal.value.plan


def is_plain(message: str) -> bool:
    """A message for a person: no Python exception text, no byte reprs."""
    jargon = ("Traceback", "codec", "Error:", "\\x", "b'", 'b"', "errno")
    return bool(message.strip()) and not any(word in message for word in jargon)


# -- the fixtures are GIAS's format -----------------------------------------------------------


def test_fixture_files_are_written_as_gias_writes_them() -> None:
    data = gias_csv(ALL_ROWS)
    lines = data.split(b"\r\n")

    assert not data.endswith((b"\r\n", b"\n"))
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert lines[0].startswith(b'"URN","LA (code)","LA (name)","EstablishmentNumber",')
    assert len(lines[0].split(b",")) == 135
    assert lines[1].startswith(b'103506,"330","Birmingham","2006","Lozells Lane Primary School",')
    assert b"Queen\x92s Park" in data  # a right single quote is Windows-1252's 0x92
    assert b"Arden Valley\xa0Academy" in data  # a no-break space
    assert b"\xe2\x80\x99" not in data  # not UTF-8
    assert b',"Primary",4,11,' in data  # bare ages
    older = gias_csv(ALL_ROWS, "139")
    assert len(older.split(b"\r\n")[0].split(b",")) == 139
    assert HEADER_139[:5] != HEADER_135[:5]
    assert older.split(b"\r\n")[0] != lines[0]


# -- the mapping ----------------------------------------------------------------------------


@pytest.mark.parametrize("layout", ["135", "139"])
def test_each_layout_imports_the_same_schools(layout: str) -> None:
    staff = UserFactory(username="gias-staff", is_staff=True)

    plan = apply_plan(gias_csv(ALL_ROWS, layout), user=staff)

    assert plan.ok
    assert urns(plan.created) == CREATED
    assert (plan.updated, plan.closed) == ([], [])
    assert {s.urn for s in plan.skipped} == SKIPPED
    assert register(CREATED | SKIPPED) == EXPECTED


def test_both_layouts_give_identical_rows() -> None:
    with transaction.atomic():
        apply_plan(gias_csv(ALL_ROWS, "135"))
        newer = list(School.objects.filter(urn__in=CREATED).order_by("urn").values())
        transaction.set_rollback(True)
    apply_plan(gias_csv(ALL_ROWS, "139"))
    older = list(School.objects.filter(urn__in=CREATED).order_by("urn").values())

    ignore = {"id"}
    assert [{k: v for k, v in r.items() if k not in ignore} for r in older] == [
        {k: v for k, v in r.items() if k not in ignore} for r in newer
    ]
    assert len(older) == len(CREATED)


def test_preview_lists_what_would_be_created_and_changes_nothing() -> None:
    before = everything()
    data = gias_csv([COMMUNITY_PRIMARY, MAT_ACADEMY])

    plan = read_plan(data)

    assert everything() == before
    assert plan.ok
    assert [(c.line, c.urn, c.name) for c in plan.created] == [
        (2, "125601", "Queen\u2019s Park Community Primary School"),
        (3, "137602", plan.created[1].name),
    ]
    assert plan.created[0].fields["dfe_number"] == (None, "937/2001")
    assert plan.created[0].fields["name"] == (None, "Queen\u2019s Park Community Primary School")
    assert all(old is None for old, _ in plan.created[1].fields.values())


def test_academy_and_maintained_types_map_to_the_register_types() -> None:
    maintained = {
        "Community school": "Primary", "Voluntary aided school": "Primary",
        "Voluntary controlled school": "Primary", "Foundation school": "Secondary",
        "Community special school": "Not applicable",
        "Foundation special school": "Not applicable", "Pupil referral unit": "",
        "Local authority nursery school": "Not applicable",
    }  # fmt: skip
    academies = {
        "Academy converter": "Primary", "Academy sponsor led": "Secondary",
        "Free schools": "All-through", "Academy special converter": "Not applicable",
        "Academy special sponsor led": "Not applicable", "Free schools special": "",
        "Academy alternative provision converter": "Not applicable",
        "Academy alternative provision sponsor led": "",
        "Free schools alternative provision": "Not applicable", "Studio schools": "Secondary",
        "University technical college": "Secondary", "Academy 16-19 converter": "16 plus",
        "Academy 16 to 19 sponsor led": "16 plus", "Free schools 16 to 19": "16 plus",
    }  # fmt: skip
    rows, expected = [], {}
    for n, (kind, phase) in enumerate([*maintained.items(), *academies.items()]):
        academy = kind in academies
        multi = academy and n % 2 == 0
        row = {
            **COMMUNITY_PRIMARY, "URN": 140100 + n, "EstablishmentNumber": str(3100 + n),
            "EstablishmentName": f"{kind.title()} {n}", "TypeOfEstablishment (name)": kind,
            "PhaseOfEducation (name)": phase,
        }  # fmt: skip
        if academy:
            single = {"TrustSchoolFlag (name)": "Supported by a single-academy trust",
                      "Trusts (name)": f"Trust {n}"}  # fmt: skip
            row.update(MAT if multi else single)
        rows.append(row)
        school_type = "trust_member" if multi else "academy" if academy else "maintained"
        expected[str(140100 + n)] = (school_type, row.get("Trusts (name)", "") if academy else "")

    plan = apply_plan(gias_csv(rows))

    assert plan.ok, plan.errors
    got = {s.urn: (s.school_type, s.trust_name) for s in School.objects.filter(urn__in=expected)}
    assert got == expected


def test_phases_map_and_are_derived_from_the_type_when_gias_has_none() -> None:
    cases = [
        ("Community school", "Nursery", "nursery"),
        ("Community school", "Primary", "primary"),
        ("Community school", "Middle deemed primary", "middle"),
        ("Community school", "Middle deemed secondary", "middle"),
        ("Community school", "Secondary", "secondary"),
        ("Community school", "16 plus", "secondary"),
        ("Community school", "All-through", "all_through"),
        ("Community special school", "Not applicable", "special"),
        ("Foundation special school", "", "special"),
        ("Pupil referral unit", "", "alternative"),
        ("Pupil referral unit", "Not applicable", "alternative"),
        ("Local authority nursery school", "Not applicable", "nursery"),
        ("Local authority nursery school", "", "nursery"),
    ]
    rows = [
        {**COMMUNITY_PRIMARY, "URN": 140200 + n, "EstablishmentNumber": str(3200 + n),
         "TypeOfEstablishment (name)": kind, "PhaseOfEducation (name)": phase}
        for n, (kind, phase, _) in enumerate(cases)
    ]  # fmt: skip

    plan = apply_plan(gias_csv(rows))

    assert plan.ok, plan.errors
    got = dict(School.objects.filter(urn__in=[str(r["URN"]) for r in rows]).values_list(
        "urn", "phase"))  # fmt: skip
    assert got == {str(140200 + n): phase for n, (_, _, phase) in enumerate(cases)}


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("Open", "open"),
        ("Proposed to open", "proposed_to_open"),
        ("Open, but proposed to close", "proposed_to_close"),
    ],
)
def test_status_comes_from_gias(name: str, status: str) -> None:
    row = {**COMMUNITY_PRIMARY, "EstablishmentStatus (name)": name, "OpenDate": "01-09-2026"}

    apply_plan(gias_csv([row]))

    school = School.objects.get(urn="125601")
    assert (school.status, school.open_date) == (status, datetime.date(2026, 9, 1))


def test_a_new_school_joins_the_organisation_serving_any_of_its_la_codes() -> None:
    Authority.objects.filter(name=WARWICKSHIRE).update(la_codes="937, 938")
    row = {**COMMUNITY_PRIMARY, "LA (code)": "938", "LA (name)": "West Sussex"}

    plan = apply_plan(gias_csv([row]))

    assert urns(plan.created) == {"125601"}
    school = School.objects.get(urn="125601")
    assert (school.authority.name, school.dfe_number) == (WARWICKSHIRE, "938/2001")


# -- what is skipped ------------------------------------------------------------------------


def test_other_las_and_independent_schools_are_skipped_not_errors() -> None:
    data = gias_csv([BIRMINGHAM_SCHOOL, COMMUNITY_PRIMARY, INDEPENDENT_SCHOOL])

    plan = apply_plan(data)

    assert plan.ok
    assert urns(plan.created) == {"125601"}
    assert [(s.line, s.urn, s.name) for s in plan.skipped] == [
        (2, "103506", "Lozells Lane Primary School"),
        (4, "125607", "Warwick Hill Preparatory School"),
    ]
    assert all(s.reason.strip() for s in plan.skipped)
    assert not School.objects.filter(urn__in=["103506", "125607"]).exists()


@pytest.mark.parametrize(
    "kind",
    ["Other independent school", "Further education", "Welsh establishment",
     "Higher education institutions"],
)  # fmt: skip
def test_types_the_service_does_not_serve_are_skipped(kind: str) -> None:
    row = {**COMMUNITY_PRIMARY, "TypeOfEstablishment (name)": kind,
           "PhaseOfEducation (name)": "Not applicable"}  # fmt: skip

    plan = apply_plan(gias_csv([row]))

    assert plan.ok
    assert [(s.urn, bool(s.reason)) for s in plan.skipped] == [("125601", True)]
    assert not School.objects.filter(urn="125601").exists()


def test_a_closed_school_not_in_the_register_is_skipped() -> None:
    plan = apply_plan(gias_csv([CLOSED_SCHOOL]))

    assert plan.ok
    assert (plan.created, plan.closed) == ([], [])
    assert [s.urn for s in plan.skipped] == ["125605"]
    assert not School.objects.filter(urn="125605").exists()


# -- bad rows -------------------------------------------------------------------------------

BAD_ROWS = {
    "urn not digits": ("URN", {"URN": "13160X"}),
    "no name": ("EstablishmentName", {"EstablishmentName": ""}),
    "unknown type": ("TypeOfEstablishment (name)", {"TypeOfEstablishment (name)": "Space camp"}),
    "iso date": ("OpenDate", {"OpenDate": "2007-09-01"}),
    "impossible date": ("OpenDate", {"OpenDate": "31-02-2007"}),
    "close date": ("CloseDate", {"EstablishmentStatus (name)": "Open, but proposed to close",
                                 "CloseDate": "2025/08/31"}),
    "no phase to derive": ("PhaseOfEducation (name)", {"TypeOfEstablishment (name)":
                                                       "Community school"}),
    "unknown phase": ("PhaseOfEducation (name)", {"PhaseOfEducation (name)": "Tertiary"}),
    "unknown status": ("EstablishmentStatus (name)", {"EstablishmentStatus (name)": "Shut"}),
}  # fmt: skip


@pytest.mark.parametrize("case", BAD_ROWS, ids=list(BAD_ROWS))
def test_a_bad_row_applies_nothing_and_says_where(case: str) -> None:
    column, override = BAD_ROWS[case]
    bad = {**PRU, **override}  # PRU: empty phase, so the type decides it
    data = gias_csv([COMMUNITY_PRIMARY, MAT_ACADEMY, bad, SPECIAL_SCHOOL])

    plan = refused(data)

    assert [(p.line, p.column, p.urn) for p in plan.errors] == [(4, column, str(bad["URN"]))]
    assert plan.errors[0].reason.strip()
    assert not plan.ok
    assert not School.objects.filter(urn__in=["125601", "137602", "125604"]).exists()
    preview = read_plan(data)
    assert [(p.line, p.column) for p in preview.errors] == [(4, column)]


@pytest.mark.parametrize("layout", ["135", "139"])
def test_the_line_is_the_records_first_physical_line(layout: str) -> None:
    """A quoted value holding a line break makes its record two lines long."""
    long_record = {**COMMUNITY_PRIMARY, "SiteName": "Main site\r\nNursery annexe"}
    bad = {**PRU, "OpenDate": "2007-09-01"}
    data = gias_csv([long_record, MAT_ACADEMY, bad], layout)
    assert line_of(data, bad["URN"]) == 5

    plan = refused(data)

    assert [(p.line, p.column) for p in plan.errors] == [(5, "OpenDate")]


def test_every_bad_row_is_reported_at_once() -> None:
    rows = [
        {**COMMUNITY_PRIMARY, "EstablishmentName": ""},
        MAT_ACADEMY,
        {**PRU, "OpenDate": "31-02-2007"},
    ]

    plan = refused(gias_csv(rows))

    assert [(p.line, p.column) for p in plan.errors] == [
        (2, "EstablishmentName"),
        (4, "OpenDate"),
    ]


# -- re-importing, updating, closing --------------------------------------------------------


def test_importing_the_same_file_again_changes_nothing() -> None:
    data = gias_csv(ALL_ROWS)
    apply_plan(data)
    after_first = everything()

    again = read_plan(data)

    assert (again.created, again.updated, again.closed, again.errors) == ([], [], [], [])
    assert set(again.unchanged) == CREATED
    assert apply_plan(data).unchanged == again.unchanged
    assert everything() == after_first


def test_the_other_layout_of_the_same_data_changes_nothing_either() -> None:
    apply_plan(gias_csv(ALL_ROWS, "139"))

    again = read_plan(gias_csv(ALL_ROWS, "135"))

    assert (again.created, again.updated, again.closed) == ([], [], [])
    assert set(again.unchanged) == CREATED


def test_a_change_in_gias_updates_only_what_gias_knows() -> None:
    school = School.objects.get(urn="999101")
    own = ("dpo_name", "dpo_email", "dp_lead_name", "mis", "email", "notices_published_at",
           "authority_id")  # fmt: skip
    kept = {f: getattr(school, f) for f in own}
    subscriptions = list(school.subscriptions.values_list("pk", flat=True))
    assert read_plan(gias_csv([AVON_MEADOW])).unchanged == ["999101"]
    row = {**AVON_MEADOW, "TelephoneNum": "01789 555101", "HeadFirstName": "Ruth"}

    plan = apply_plan(gias_csv([row]))

    assert (plan.created, plan.closed) == ([], [])
    assert [(c.line, c.urn) for c in plan.updated] == [(2, "999101")]
    assert plan.updated[0].fields == {
        "phone": ("01789 000101", "01789 555101"),
        "headteacher": ("Mrs R. Patel", "Mrs Ruth Patel"),
    }
    school.refresh_from_db()
    assert (school.phone, school.headteacher) == ("01789 555101", "Mrs Ruth Patel")
    assert {f: getattr(school, f) for f in kept} == kept
    assert list(school.subscriptions.values_list("pk", flat=True)) == subscriptions


def test_a_closed_row_closes_the_registers_school_and_keeps_its_history() -> None:
    school = School.objects.get(urn="999101")
    subscriptions = school.subscriptions.count()
    row = {**AVON_MEADOW, "EstablishmentStatus (name)": "Closed", "CloseDate": "31-08-2025",
           "ReasonEstablishmentClosed (name)": "Academy converter"}  # fmt: skip

    plan = apply_plan(gias_csv([row]))

    assert plan.updated == []
    assert [(c.line, c.urn, c.name) for c in plan.closed] == [
        (2, "999101", "Avon Meadow Primary School")
    ]
    assert plan.closed[0].fields["status"] == ("open", "closed")
    assert plan.closed[0].fields["close_date"] == (None, datetime.date(2025, 8, 31))
    school.refresh_from_db()
    assert (school.status, school.close_date) == ("closed", datetime.date(2025, 8, 31))
    assert (school.dpo_name, school.subscriptions.count()) == (
        "Schools Data Protection Officer Service",
        subscriptions,
    )
    again = read_plan(gias_csv([row]))
    assert (again.closed, again.updated, again.unchanged) == ([], [], ["999101"])


@pytest.mark.parametrize("successor_first", [False, True], ids=["by URN", "successor first"])
def test_the_closed_schools_academy_shares_its_dfe_number(successor_first: bool) -> None:
    apply_plan(gias_csv([OPEN_PREDECESSOR]))
    rows = [CLOSED_SCHOOL, SUCCESSOR_ACADEMY]
    if successor_first:
        rows.reverse()

    plan = apply_plan(gias_csv(rows))

    assert plan.ok
    assert urns(plan.closed) == {"125605"}
    assert urns(plan.created) == {"148605"}
    assert plan.updated == []
    got = School.objects.filter(dfe_number="937/2005").order_by("urn")
    assert [(s.urn, s.status, s.school_type, s.close_date, s.open_date) for s in got] == [
        ("125605", "closed", "maintained", datetime.date(2024, 8, 31), None),
        ("148605", "open", "trust_member", None, datetime.date(2024, 9, 1)),
    ]
    assert read_plan(gias_csv(rows)).unchanged


def test_a_conversion_in_progress_imports_then_completes() -> None:
    """GIAS lists the academy "Proposed to open" with its predecessor's DfE number while the
    predecessor is "Open, but proposed to close": both import; next month the one closes and
    the other opens."""
    apply_plan(gias_csv([OPEN_PREDECESSOR]))
    closing = {**OPEN_PREDECESSOR, "EstablishmentStatus (name)": "Open, but proposed to close"}
    proposed = {**SUCCESSOR_ACADEMY, "EstablishmentStatus (name)": "Proposed to open"}

    during = apply_plan(gias_csv([closing, proposed]))
    after = apply_plan(gias_csv([CLOSED_SCHOOL, SUCCESSOR_ACADEMY]))

    assert (urns(during.updated), urns(during.created)) == ({"125605"}, {"148605"})
    assert (urns(after.closed), urns(after.updated)) == ({"125605"}, {"148605"})
    statuses = dict(School.objects.filter(dfe_number="937/2005").values_list("urn", "status"))
    assert statuses == {"125605": "closed", "148605": "open"}


def test_a_second_open_school_with_the_same_dfe_number_is_a_bad_row() -> None:
    """The academy arrives but the file does not close its predecessor: an error, not a crash."""
    apply_plan(gias_csv([OPEN_PREDECESSOR]))

    plan = refused(gias_csv([COMMUNITY_PRIMARY, SUCCESSOR_ACADEMY]))

    assert [(p.line, p.urn) for p in plan.errors] == [(3, "148605")]


# -- encoding -------------------------------------------------------------------------------


def test_windows_1252_names_arrive_as_written() -> None:
    apply_plan(gias_csv([COMMUNITY_PRIMARY, MAT_ACADEMY, OPEN_PREDECESSOR]))

    primary = School.objects.get(urn="125601")
    assert primary.name == "Queen\u2019s Park Community Primary School"
    assert primary.headteacher == "Mrs Jane O\u2019Neill"
    academy = School.objects.get(urn="137602")
    assert academy.name in ("Arden Valley Academy", "Arden Valley\xa0Academy")
    assert academy.address.split("\n")[0] in ("Kenilworth Road", "Kenilworth\xa0Road")
    assert "Bishop\u2019s Tachbrook" in School.objects.get(urn="125605").address
    texts = [v for s in School.objects.filter(urn__in=["125601", "137602", "125605"])
             for v in (s.name, s.address, s.headteacher)]  # fmt: skip
    assert not [t for t in texts if any(bad in t for bad in MOJIBAKE)]


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"], ids=["utf-8", "utf-8 with BOM"])
def test_a_file_resaved_as_utf8_by_a_spreadsheet_is_read_without_mojibake(bom: bytes) -> None:
    data = bom + gias_csv([COMMUNITY_PRIMARY]).decode("cp1252").encode("utf-8")

    apply_plan(data)

    assert School.objects.get(urn="125601").name == "Queen\u2019s Park Community Primary School"


def test_a_byte_windows_1252_does_not_define_is_refused_naming_its_line() -> None:
    data = gias_csv([COMMUNITY_PRIMARY, MAT_ACADEMY]).replace(b"Arden Valley", b"Arden\x81Valley")

    with pytest.raises(GiasFileError) as error:
        read_plan(data)

    assert re.search(r"\bline 3\b", str(error.value), re.IGNORECASE)
    assert is_plain(str(error.value))


# -- files that are not GIAS CSV ------------------------------------------------------------


def _xlsx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as book:
        book.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        book.writestr("xl/worksheets/sheet1.xml", "<worksheet><sheetData/></worksheet>")
    return buffer.getvalue()


NOT_GIAS = {
    "utf-16": lambda: gias_csv([COMMUNITY_PRIMARY]).decode("cp1252").encode("utf-16"),
    "utf-16 without BOM": lambda: gias_csv([COMMUNITY_PRIMARY]).decode("cp1252").encode(
        "utf-16-le"),
    "xlsx": _xlsx,
    "pdf": lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
    "empty": lambda: b"",
    "blank lines": lambda: b"\r\n\r\n",
}  # fmt: skip


@pytest.mark.parametrize("kind", NOT_GIAS, ids=list(NOT_GIAS))
def test_a_file_that_is_not_gias_csv_is_refused_plainly(kind: str) -> None:
    data = NOT_GIAS[kind]()
    before = everything()

    with pytest.raises(GiasFileError) as preview:
        read_plan(data)
    with pytest.raises(GiasFileError):
        apply_plan(data)

    assert is_plain(str(preview.value)), str(preview.value)
    assert everything() == before


@pytest.mark.parametrize(
    "column", ["URN", "LA (code)", "EstablishmentName", "TypeOfEstablishment (name)"]
)
def test_a_layout_missing_a_column_the_import_reads_is_refused_naming_it(column: str) -> None:
    data = gias_csv([COMMUNITY_PRIMARY], without=[column])

    with pytest.raises(GiasFileError) as error:
        read_plan(data)

    assert column in str(error.value)
    assert is_plain(str(error.value))


def test_a_file_larger_than_the_limit_is_refused() -> None:
    data = gias_csv([COMMUNITY_PRIMARY]) + b" " * gias.MAX_BYTES

    with pytest.raises(GiasFileError) as error:
        read_plan(data)

    assert is_plain(str(error.value))
    assert not School.objects.filter(urn="125601").exists()


# -- the preview's digest -------------------------------------------------------------------


def test_the_previewed_digest_applies() -> None:
    data = gias_csv([COMMUNITY_PRIMARY, AVON_MEADOW])
    preview = read_plan(data)
    assert read_plan(data).digest == preview.digest

    plan = apply_plan(data, expected_digest=preview.digest)

    assert urns(plan.created) == {"125601"}
    assert School.objects.filter(urn="125601").exists()


def test_a_digest_that_is_not_the_plans_is_refused() -> None:
    data = gias_csv([COMMUNITY_PRIMARY])

    plan = refused(data, expected_digest="0" * 64)

    assert plan.ok
    assert urns(plan.created) == {"125601"}


def test_a_register_changed_since_the_preview_refuses_the_apply() -> None:
    data = gias_csv([{**AVON_MEADOW, "TelephoneNum": "01789 555101"}, COMMUNITY_PRIMARY])
    preview = read_plan(data)
    assert urns(preview.updated) == {"999101"}
    School.objects.filter(urn="999101").update(phone="01789 555101")  # someone got there first

    plan = refused(data, expected_digest=preview.digest)

    assert plan.digest != preview.digest
    assert plan.updated == []
    assert not School.objects.filter(urn="125601").exists()


def test_a_school_edited_since_the_preview_refuses_the_apply() -> None:
    """The preview showed "phone: A -> B"; someone has since set C: applying would now be
    "C -> B", which nobody saw, so it is refused rather than overwriting their edit."""
    data = gias_csv([{**AVON_MEADOW, "TelephoneNum": "01789 555101"}])
    preview = read_plan(data)
    assert preview.updated[0].fields == {"phone": ("01789 000101", "01789 555101")}
    School.objects.filter(urn="999101").update(phone="01789 777777")

    refused(data, expected_digest=preview.digest)

    assert School.objects.get(urn="999101").phone == "01789 777777"


def test_digests_differ_when_what_would_change_differs() -> None:
    one = read_plan(gias_csv([COMMUNITY_PRIMARY]))
    other = read_plan(gias_csv([{**COMMUNITY_PRIMARY, "TelephoneNum": "02476 999999"}]))

    assert one.digest != other.digest


# -- manage.py import_gias ------------------------------------------------------------------


def run_command(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_gias", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_previews_without_changing_anything(tmp_path) -> None:
    path = tmp_path / "edubasealldata20241202.csv"
    path.write_bytes(gias_csv(ALL_ROWS))
    before = everything()

    out, _ = run_command(str(path))

    assert everything() == before
    assert "125601" in out or "Queen\u2019s Park Community Primary School" in out
    assert "137602" in out or "Arden Valley" in out


def test_the_command_applies_with_apply(tmp_path) -> None:
    path = tmp_path / "edubasealldata20241202.csv"
    path.write_bytes(gias_csv(ALL_ROWS, "139"))

    run_command(str(path), "--apply")

    assert register(CREATED | SKIPPED) == EXPECTED


@pytest.mark.parametrize("flags", [[], ["--apply"]], ids=["preview", "apply"])
def test_the_command_prints_each_bad_row_and_applies_nothing(tmp_path, flags) -> None:
    rows = [COMMUNITY_PRIMARY, {**MAT_ACADEMY, "OpenDate": "2011-09-01"},
            {**PRU, "EstablishmentName": ""}]  # fmt: skip
    data = gias_csv(rows)
    path = tmp_path / "edubasealldata20241202.csv"
    path.write_bytes(data)
    problems = read_plan(data).errors
    before = everything()
    out, err = io.StringIO(), io.StringIO()

    with pytest.raises(CommandError) as failure:
        call_command("import_gias", str(path), *flags, stdout=out, stderr=err)

    assert everything() == before
    printed = "\n".join([out.getvalue(), err.getvalue(), str(failure.value)])
    for problem, line, column in zip(problems, (3, 4), ("OpenDate", "EstablishmentName"),
                                     strict=True):  # fmt: skip
        assert (problem.line, problem.column) == (line, column)
        said = [text for text in printed.splitlines() if problem.reason in text]
        assert said, f"the reason {problem.reason!r} is not printed"
        assert re.search(rf"\b{line}\b", said[0]), said[0]
        assert column in said[0], said[0]


def test_the_command_refuses_a_file_that_is_not_csv(tmp_path) -> None:
    path = tmp_path / "edubasealldata20241202.xlsx"
    path.write_bytes(_xlsx())

    with pytest.raises(CommandError) as failure:
        run_command(str(path), "--apply")

    assert is_plain(str(failure.value).replace(str(path), "FILE"))


# -- the whole of England's file ------------------------------------------------------------

# Rows the England-wide file holds that matter to no organisation here, in the states GIAS has
# them: another LA's school whatever its data, and closed schools never in the register (old
# closures often lack an address or a phase; a closed academy may have no trust any more).
IRRELEVANT = {
    "other LA, bad date": {**BIRMINGHAM_SCHOOL, "OpenDate": "1999-09-01"},
    "other LA, no postcode": {**BIRMINGHAM_SCHOOL, "Postcode": ""},
    "other LA, city technology college": {
        **BIRMINGHAM_SCHOOL,
        "TypeOfEstablishment (name)": "City technology college",
    },
    "other LA, academy secure 16 to 19": {
        **BIRMINGHAM_SCHOOL,
        "TypeOfEstablishment (name)": "Academy secure 16 to 19",
    },
    "closed, no address": {**CLOSED_SCHOOL, "Street": "", "Town": "", "Postcode": ""},
    "closed, phase not applicable": {**CLOSED_SCHOOL, "PhaseOfEducation (name)": "Not applicable"},
    "closed academy, no trust": {
        **SUCCESSOR_ACADEMY,
        "EstablishmentStatus (name)": "Closed",
        "CloseDate": "31-12-2019",
        "TrustSchoolFlag (name)": "Not applicable",
        "Trusts (name)": "",
    },
}


@pytest.mark.parametrize("case", IRRELEVANT, ids=list(IRRELEVANT))
def test_rows_no_organisation_would_keep_are_skipped_not_errors(case: str) -> None:
    """One odd row elsewhere in England must not block Warwickshire's import."""
    row = IRRELEVANT[case]

    plan = apply_plan(gias_csv([COMMUNITY_PRIMARY, row]))

    assert plan.errors == []
    assert [s.urn for s in plan.skipped] == [str(row["URN"])]
    assert urns(plan.created) == {"125601"}


@pytest.mark.parametrize(
    ("column", "override"),
    [
        ("SchoolWebsite", {"SchoolWebsite": "www.queens park.sch.uk"}),
        ("EstablishmentName", {"EstablishmentName": "Queen\u2019s Park " * 20}),
        ("TelephoneNum", {"TelephoneNum": "02476 000201 / 02476 000202 / 02476 000203 (ext 4)"}),
    ],
    ids=["website", "name too long", "phone too long"],
)
def test_a_value_the_register_cannot_hold_is_reported_by_its_gias_column(column, override):
    row = {**COMMUNITY_PRIMARY, **override}

    plan = refused(gias_csv([MAT_ACADEMY, row]))

    assert [(p.line, p.column, p.urn) for p in plan.errors] == [(3, column, "125601")]


def test_an_england_sized_file_imports_its_few_warwickshire_rows() -> None:
    elsewhere = [
        {**BIRMINGHAM_SCHOOL, "URN": 200000 + n, "EstablishmentNumber": str(1000 + n % 9000)}
        for n in range(40_000)
    ]
    data = gias_csv([*elsewhere, COMMUNITY_PRIMARY, MAT_ACADEMY])

    plan = apply_plan(data)

    assert urns(plan.created) == {"125601", "137602"}
    assert len(plan.skipped) == 40_000
