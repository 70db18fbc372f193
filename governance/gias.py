"""Schools from Get Information about Schools (GIAS): the "all establishment data" CSV, or an
extract of it for an authority.

The real file is Windows-1252, has a quoted header of 135 columns (older downloads 139),
quotes every value but some bare integers, writes dates as dd-mm-yyyy, ends lines with CRLF
and has no newline after the last record. Columns are read by header name, so both layouts
give the same result. A file re-saved as UTF-8 (by a spreadsheet) is read too.

``read_plan`` compares the file with the register and changes nothing: what would be created,
updated, closed, left unchanged or skipped, and every bad row with its line and column.
``apply_plan`` applies a plan without errors in one transaction (the plan is worked out again
inside it, and must be the one the person previewed: ``expected_digest``). A row goes to the
organisation that serves its LA code (``Authority.la_codes``); a school already in the register
(matched by URN) stays in its organisation. Only what GIAS knows is written: DPO, MIS and the
rest of a school's record are never touched.
"""

import contextlib
import csv
import datetime
import hashlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connection, models, transaction
from django.utils.formats import date_format

from governance.models import Authority, School

MAX_BYTES = 120_000_000  # the whole of England's file is about 60 MB

# The columns read, by header name.
URN, LA, NUMBER, NAME = "URN", "LA (code)", "EstablishmentNumber", "EstablishmentName"
TYPE, STATUS, PHASE = (
    "TypeOfEstablishment (name)",
    "EstablishmentStatus (name)",
    ("PhaseOfEducation (name)"),
)
OPENED, CLOSED, TRUST_FLAG, TRUSTS = (
    "OpenDate",
    "CloseDate",
    "TrustSchoolFlag (name)",
    ("Trusts (name)"),
)
ADDRESS = ("Street", "Locality", "Address3", "Town")
POSTCODE, PHONE, WEBSITE = "Postcode", "TelephoneNum", "SchoolWebsite"
HEAD = ("HeadTitle (name)", "HeadFirstName", "HeadLastName")
REQUIRED = (URN, LA, NUMBER, NAME, TYPE, STATUS, PHASE, OPENED, CLOSED, "Street", "Town",
            POSTCODE)  # fmt: skip

MAINTAINED_TYPES = {
    "Community school", "Voluntary aided school", "Voluntary controlled school",
    "Foundation school", "Community special school", "Foundation special school",
    "Pupil referral unit", "Local authority nursery school",
}  # fmt: skip
ACADEMY_TYPES = {
    "Academy converter", "Academy sponsor led", "Free schools", "Academy special converter",
    "Academy special sponsor led", "Free schools special",
    "Academy alternative provision converter", "Academy alternative provision sponsor led",
    "Free schools alternative provision", "Studio schools", "University technical college",
    "Academy 16-19 converter", "Academy 16 to 19 sponsor led", "Free schools 16 to 19",
    "Academy 16-19 sponsor led", "Academy secure 16 to 19", "City technology college",
}  # fmt: skip
# Establishments GIAS lists that the service does not serve: skipped, not errors.
UNSERVED_TYPES = {
    "Other independent school", "Other independent special school", "Non-maintained special school",
    "Further education", "Sixth form centres", "Higher education institutions",
    "Welsh establishment", "Special post 16 institution", "Secure units",
    "Service children's education", "Institution funded by other government department",
    "Online provider", "Miscellaneous", "British schools overseas", "Offshore schools",
    "Independent schools approved for SEN pupils",
}  # fmt: skip
SPECIAL_TYPES = {"Community special school", "Foundation special school",
                 "Academy special converter", "Academy special sponsor led",
                 "Free schools special"}  # fmt: skip
ALTERNATIVE_TYPES = {"Pupil referral unit", "Academy alternative provision converter",
                     "Academy alternative provision sponsor led",
                     "Free schools alternative provision"}  # fmt: skip
PHASES = {
    "Nursery": School.Phase.NURSERY, "Primary": School.Phase.PRIMARY,
    "Middle deemed primary": School.Phase.MIDDLE, "Middle deemed secondary": School.Phase.MIDDLE,
    "Secondary": School.Phase.SECONDARY, "16 plus": School.Phase.SECONDARY,
    "All-through": School.Phase.ALL_THROUGH,
}  # fmt: skip
STATUSES = {
    "Open": School.Status.OPEN, "Closed": School.Status.CLOSED,
    "Proposed to open": School.Status.PROPOSED_TO_OPEN,
    "Open, but proposed to close": School.Status.PROPOSED_TO_CLOSE,
}  # fmt: skip
MULTI_ACADEMY = "multi-academy trust"
# The statuses under which a DfE number is one school's (School's constraint): a school
# proposed to open may share its predecessor's while that one is open but proposed to close.
HOLDS_NUMBER = {School.Status.OPEN, School.Status.PROPOSED_TO_CLOSE}
# The GIAS column each field comes from, to name it in an error.
COLUMNS = {
    "name": NAME, "dfe_number": NUMBER, "phase": PHASE, "school_type": TYPE,
    "trust_name": TRUSTS, "status": STATUS, "open_date": OPENED, "close_date": CLOSED,
    "address": "Street", "postcode": POSTCODE, "phone": PHONE, "website": WEBSITE,
    "headteacher": "HeadLastName", NON_FIELD_ERRORS: URN,
}  # fmt: skip
# The fields an import writes: everything else on a school is the register's own.
FIELDS = ("name", "dfe_number", "phase", "school_type", "trust_name", "status", "open_date",
          "close_date", "address", "postcode", "phone", "website", "headteacher")  # fmt: skip


class GiasFileError(Exception):
    """The file as a whole cannot be read; the message says why, and where."""


@dataclass(frozen=True)
class Problem:
    line: int
    column: str
    urn: str
    reason: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.reason}"


@dataclass(frozen=True)
class Skipped:
    line: int
    urn: str
    name: str
    reason: str


def _shown(value: Any, labels: dict[Any, Any]) -> str:
    if isinstance(value, datetime.date):
        return date_format(value, "j F Y")
    return str(labels.get(value, value)) if value else ""


@dataclass(frozen=True)
class Change:
    line: int
    urn: str
    name: str
    fields: dict[str, tuple[Any, Any]]  # field -> (old, new); old is None for a new school

    def described(self) -> list[tuple[str, str, str]]:
        """(field's name in words, old, new) as a person reads them (choices by label)."""
        rows = []
        for name, (old, new) in self.fields.items():
            model_field = School._meta.get_field(name)
            assert isinstance(model_field, models.Field)
            labels = dict(model_field.choices or [])
            rows.append((str(model_field.verbose_name), _shown(old, labels), _shown(new, labels)))
        return rows


@dataclass
class Plan:
    created: list[Change] = field(default_factory=list)
    updated: list[Change] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    closed: list[Change] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    # What apply writes: (organisation id or None, URN, values), in file order.
    writes: list[tuple[int | None, str, dict[str, Any]]] = field(default_factory=list, repr=False)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def digest(self) -> str:
        """A fingerprint of what applying would change, from what to what: the preview's,
        checked at apply (someone editing a school meanwhile changes it)."""
        kinds = (("new", self.created), ("changed", self.updated), ("closed", self.closed))
        rows = [
            (kind, change.urn, {k: [str(old), str(new)] for k, (old, new) in change.fields.items()})
            for kind, changes in kinds
            for change in changes
        ]
        return hashlib.sha256(json.dumps(rows, sort_keys=True).encode()).hexdigest()

    def summary(self, *, applied: bool = False) -> str:
        verbs = (
            ("created", "updated", "closed") if applied else ("to create", "to update", "to close")
        )
        counts = (len(self.created), len(self.updated), len(self.closed))
        parts = [f"{count} {verb}" for count, verb in zip(counts, verbs, strict=True)]
        parts += [f"{len(self.unchanged)} unchanged", f"{len(self.skipped)} skipped"]
        if self.errors or not applied:
            parts.append(f"{len(self.errors)} with errors")
        return ", ".join(parts)


class ImportRefused(Exception):
    """The plan has errors, or is not the one previewed: nothing was applied."""

    def __init__(self, message: str, plan: Plan) -> None:
        super().__init__(message)
        self.plan = plan


# -- reading the file -----------------------------------------------------------------------


def decode(data: bytes) -> str:
    """The file's text: UTF-8 if it is (a re-saved file), else Windows-1252 (GIAS's own)."""
    if not data.strip():
        raise GiasFileError("The file is empty.")
    if len(data) > MAX_BYTES:
        raise GiasFileError(
            f"The file is {len(data) / 1e6:.0f} MB: the largest accepted is "
            f"{MAX_BYTES / 1e6:.0f} MB (the whole of England's GIAS file is about 60 MB)."
        )
    if data.startswith((b"PK\x03\x04", b"%PDF", b"\xd0\xcf\x11\xe0")):
        raise GiasFileError(
            "This is not a CSV file (it looks like a spreadsheet or a PDF): download the "
            "establishment data from GIAS as CSV, or save the sheet as CSV."
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:4096]:
        raise GiasFileError(
            "The file is UTF-16 text, not the CSV GIAS exports: save it again as "
            "“CSV (comma delimited)”."
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise GiasFileError(
            f"Line {line}: byte 0x{data[error.start]:02X} is neither UTF-8 nor Windows-1252 "
            "text: is this the CSV GIAS exports?"
        ) from None


def records(text: str) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line of the record's start, values by header name); raise GiasFileError for a
    layout without the columns the import reads."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [name.strip() for name in next(reader)]
    except csv.Error as error:
        raise GiasFileError(f"Line 1: not CSV ({error}).") from None
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise GiasFileError(
            "Line 1: this is not GIAS establishment data: the header has no "
            + ", ".join(f"“{name}”" for name in missing)
            + " column."
        )
    start = reader.line_num + 1
    try:
        for row in reader:
            if any(value.strip() for value in row):
                if len(row) != len(header):
                    raise GiasFileError(
                        f"Line {start}: {len(row)} values for the header's {len(header)} "
                        "columns: the file is cut short or not quoted as GIAS writes it."
                    )
                yield start, {name: value.replace("\xa0", " ").strip()
                              for name, value in zip(header, row, strict=True)}  # fmt: skip
            start = reader.line_num + 1
    except csv.Error as error:
        raise GiasFileError(f"Line {start}: not CSV ({error}).") from None


def _date(value: str) -> datetime.date | None:
    if not value:
        return None
    return datetime.datetime.strptime(value, "%d-%m-%Y").date()  # noqa: DTZ007 (a date)


# -- one row ---------------------------------------------------------------------------------


class _Bad(Exception):
    def __init__(self, column: str, reason: str) -> None:
        super().__init__(reason)
        self.column, self.reason = column, reason


class _Skip(Exception):
    pass


def _phase(row: dict[str, str], kind: str) -> str:
    name = row[PHASE]
    if name in PHASES:
        return PHASES[name]
    if name not in ("", "Not applicable"):
        raise _Bad(PHASE, f"“{name}” is not a phase of education GIAS uses.")
    if kind in SPECIAL_TYPES:
        return School.Phase.SPECIAL
    if kind in ALTERNATIVE_TYPES:
        return School.Phase.ALTERNATIVE
    if kind == "Local authority nursery school":
        return School.Phase.NURSERY
    raise _Bad(PHASE, f"No phase of education (“{name or 'empty'}”) for a “{kind}”.")


def _website(value: str) -> str:
    if value and "://" not in value:
        return f"http://{value}"
    return value


def _identity(row: dict[str, str]) -> str:
    """The row's type of establishment, once its identifying columns are sound."""
    urn = row[URN]
    if not urn.isdigit() or len(urn) not in (6, 7):
        raise _Bad(URN, f"“{urn}” is not a URN (6 digits).")
    kind = row[TYPE]
    if kind in UNSERVED_TYPES:
        raise _Skip(f"“{kind}”: not a school the service serves")
    if kind not in MAINTAINED_TYPES | ACADEMY_TYPES:
        raise _Bad(TYPE, f"“{kind or 'empty'}” is not a type of establishment GIAS uses.")
    if not row[NAME]:
        raise _Bad(NAME, "The school has no name.")
    if row[STATUS] not in STATUSES:
        raise _Bad(STATUS, f"“{row[STATUS] or 'empty'}” is not an establishment status.")
    if not (row[LA].isdigit() and len(row[LA]) == 3):
        raise _Bad(LA, f"“{row[LA]}” is not an LA code (3 digits).")
    if not (row[NUMBER].isdigit() and len(row[NUMBER]) == 4):
        raise _Bad(NUMBER, f"“{row[NUMBER]}” is not an establishment number (4 digits).")
    return kind


def _dates(row: dict[str, str]) -> dict[str, datetime.date | None]:
    dates = {}
    for column, name in ((OPENED, "open_date"), (CLOSED, "close_date")):
        try:
            dates[name] = _date(row[column])
        except ValueError:
            raise _Bad(column, f"“{row[column]}” is not a date written dd-mm-yyyy.") from None
    return dates


def _contacts(row: dict[str, str]) -> dict[str, str]:
    address = "\n".join(row[c] for c in ADDRESS if row.get(c))
    if not address:
        raise _Bad("Street", "The school has no address.")
    if not row[POSTCODE]:
        raise _Bad(POSTCODE, "The school has no postcode.")
    head = [row.get(HEAD[0], ""), row.get(HEAD[1], ""), row.get(HEAD[2], "")]
    if head[0] == "Not applicable":
        head[0] = ""
    return {
        "address": address,
        "postcode": row[POSTCODE].upper(),
        "phone": row.get(PHONE, ""),
        "website": _website(row.get(WEBSITE, "")),
        "headteacher": " ".join(part for part in head if part),
    }


def _values(row: dict[str, str]) -> dict[str, Any]:
    """The school's fields from a row; raise _Bad (an error) or _Skip (not served)."""
    kind = _identity(row)
    academy = kind in ACADEMY_TYPES
    trust = row.get(TRUSTS, "")
    if academy and not trust:
        raise _Bad(TRUSTS, "An academy with no trust: the trust is its data controller.")
    multi = MULTI_ACADEMY in row.get(TRUST_FLAG, "").lower()
    if academy:
        school_type = School.Type.TRUST_MEMBER if multi else School.Type.ACADEMY
    else:
        school_type = School.Type.MAINTAINED
    return {
        "name": row[NAME],
        "dfe_number": f"{row[LA]}/{row[NUMBER]}",
        "phase": _phase(row, kind),
        "school_type": school_type,
        "trust_name": trust if academy else "",
        "status": STATUSES[row[STATUS]],
        **_dates(row),
        **_contacts(row),
    }


# -- the plan --------------------------------------------------------------------------------


def _organisations() -> tuple[dict[str, list[Authority]], list[Authority]]:
    serving: dict[str, list[Authority]] = {}
    every = list(Authority.objects.order_by("name"))
    for organisation in every:
        for code in organisation.la_code_list:
            serving.setdefault(code, []).append(organisation)
    return serving, every


def _checked(values: dict[str, Any], instance: School, line: int, urn: str,
             final: dict[str, tuple[str, str]]) -> list[Problem]:  # fmt: skip
    """The model's own rules (URL, lengths, the academy's trust) and the DfE number among
    the open schools, the register's as this file leaves them (``final``: URN ->
    (DfE number, status))."""
    for name, value in values.items():
        setattr(instance, name, value)
    problems = []
    try:
        instance.full_clean(exclude=["authority"], validate_unique=False,
                            validate_constraints=False)  # fmt: skip
    except ValidationError as error:
        problems = [
            Problem(line, COLUMNS.get(field, field), urn, " ".join(messages))
            for field, messages in error.message_dict.items()
        ]
    if values["status"] in HOLDS_NUMBER:
        others = (
            School.objects.filter(status__in=HOLDS_NUMBER, dfe_number=values["dfe_number"])
            .exclude(urn=urn)
            .values_list("urn", flat=True)
        )
        for other in others:
            number, status = final.get(other, (values["dfe_number"], School.Status.OPEN))
            if number == values["dfe_number"] and status in HOLDS_NUMBER:
                problems.append(Problem(line, NUMBER, urn, f"DfE number {values['dfe_number']} "
                                        f"is URN {other}'s, which is open."))  # fmt: skip
    return problems


Kept = tuple[int, str, dict[str, Any], School | None, list[Authority]]


def _screen(plan: Plan, line: int, row: dict[str, str], school: School | None,
            organisations: list[Authority], taken: dict[str, str]) -> Kept | None:  # fmt: skip
    """The row's values if it is to be compared with the register; else record why not.

    A row that matters to no organisation here (another LA's new school, a closed school
    never in the register) is skipped before its values are checked: one odd row elsewhere
    in England never blocks an authority's import."""
    urn, name = row[URN], row[NAME]
    if school is None and not organisations:
        plan.skipped.append(Skipped(line, urn, name, f"LA {row[LA]}: no organisation serves it"))
        return None
    if school is None and row[STATUS] == "Closed":
        plan.skipped.append(Skipped(line, urn, name, "closed, and not in the register"))
        return None
    try:
        values = _values(row)
    except _Skip as skip:
        plan.skipped.append(Skipped(line, urn, name, str(skip)))
        return None
    except _Bad as bad:
        plan.errors.append(Problem(line, bad.column, urn, bad.reason))
        return None
    if school is None and len(organisations) > 1:
        names = " and ".join(f"“{o.name}”" for o in organisations)
        reason = f"LA {row[LA]} is served by {names}: give the code to one organisation only."
        plan.errors.append(Problem(line, LA, urn, reason))
        return None
    number, holds = values["dfe_number"], values["status"] in HOLDS_NUMBER
    if holds and number in taken:
        reason = f"DfE number {number} is also URN {taken[number]}'s, and both are open."
        plan.errors.append(Problem(line, NUMBER, urn, reason))
        return None
    if holds:
        taken[number] = urn
    return line, urn, values, school, organisations


def read_plan(data: bytes) -> Plan:
    """What importing ``data`` would change; changes nothing. Raise GiasFileError for a
    file that cannot be read at all."""
    plan = Plan()
    serving, _ = _organisations()
    rows = list(records(decode(data)))
    known = {s.urn: s for s in School.objects.filter(urn__in=[r[URN] for _, r in rows])}
    seen: dict[str, int] = {}
    taken: dict[str, str] = {}  # DfE number -> URN, among the file's schools not closed
    kept: list[Kept] = []
    for line, row in rows:
        urn = row[URN]
        if urn in seen:
            plan.errors.append(Problem(line, URN, urn, f"URN {urn} is on line {seen[urn]} too."))
            continue
        seen[urn] = line
        found = _screen(plan, line, row, known.get(urn), serving.get(row[LA], []), taken)
        if found is not None:
            kept.append(found)
    final = {urn: (values["dfe_number"], values["status"]) for _, urn, values, _, _ in kept}
    for line, urn, values, school, organisations in kept:
        _plan_row(plan, line, urn, values, school, organisations, final)
    # Closings first, then the other changes, then new schools: a successor may take the
    # DfE number of a school this file closes.
    plan.writes.sort(key=lambda w: (w[0] is not None, w[2].get("status") != School.Status.CLOSED))
    return plan


def _plan_row(
    plan: Plan,
    line: int,
    urn: str,
    values: dict[str, Any],
    school: School | None,
    organisations: list[Authority],
    final: dict[str, tuple[str, str]],
) -> None:
    if school is None:
        instance = School(urn=urn, authority=organisations[0])
        problems = _checked(values, instance, line, urn, final)
        if problems:
            plan.errors.extend(problems)
            return
        plan.created.append(Change(line, urn, values["name"],
                                   {k: (None, v) for k, v in values.items()}))  # fmt: skip
        plan.writes.append((organisations[0].pk, urn, values))
        return
    changed = {k: (getattr(school, k), v) for k, v in values.items() if getattr(school, k) != v}
    if not changed:
        plan.unchanged.append(urn)
        return
    problems = _checked(values, School.objects.get(pk=school.pk), line, urn, final)
    if problems:
        plan.errors.extend(problems)
        return
    change = Change(line, urn, values["name"], changed)
    closing = "status" in changed and values["status"] == School.Status.CLOSED
    (plan.closed if closing else plan.updated).append(change)
    plan.writes.append((None, urn, {k: v for k, (_, v) in changed.items()}))


@transaction.atomic
def apply_plan(data: bytes, *, user: Any = None, expected_digest: str | None = None) -> Plan:
    """Import ``data`` in one transaction, as ``read_plan`` says; return the plan. Refuse
    (ImportRefused, nothing written) a plan with errors, or one that is not the previewed
    ``expected_digest`` (the register or the file changed since)."""
    plan = read_plan(data)
    if not plan.ok:
        raise ImportRefused(f"Nothing was imported: {len(plan.errors)} rows have errors.", plan)
    if expected_digest is not None and plan.digest != expected_digest:
        raise ImportRefused(
            "Nothing was imported: the register changed since the preview. Check the new "
            "preview and apply it.",
            plan,
        )
    with _audit_context(user):
        _write(plan)
    return plan


def _audit_context(user: Any) -> Any:
    """Mark the audit trail's entries as this import's (PostgreSQL's triggers record it)."""
    if connection.vendor != "postgresql":
        return contextlib.nullcontext()
    import pghistory

    return pghistory.context(gias_import=True, user=getattr(user, "pk", None))


def _write(plan: Plan) -> None:
    for organisation, urn, values in plan.writes:
        if organisation is not None:
            school = School(urn=urn, authority_id=organisation, **values)
        else:
            school = School.objects.select_for_update().get(urn=urn)
            for name, value in values.items():
                setattr(school, name, value)
        school.full_clean()
        school.save()
