"""The record of processing activities (UK GDPR Article 30(1)) of a school, or of every school
of an organisation, as CSV, XLSX and PDF.

The rows are made from the very content the school's privacy notices are built from
(``notices.content.build_notice_content``, one per audience), so the record and the notices
cannot disagree. Per school: the controller and the DPO (30(1)(a)); then one row per purpose
the school uses the data for, and one per exchange with a recipient: the purpose (b), the data
subjects and the categories of data (c), the recipient and its kind (d), any transfer outside
the UK with its safeguards (e), the time limit for erasure (f) and the security measures (g).
Where the register is silent a cell is empty, never filled with a guess.
"""

import csv
import io
from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from governance.models import School
from notices.content import Audience, build_notice_content

COLUMNS = [
    ("data_subjects", "Data subjects"),
    ("activity", "Activity"),
    ("purpose", "Purpose"),
    ("lawful_basis", "Lawful basis"),
    ("special_condition", "Special category condition"),
    ("personal_data", "Categories of personal data"),
    ("recipient", "Recipient"),
    ("recipient_kind", "Kind of recipient"),
    ("recipient_role", "Recipient's role"),
    ("frequency", "How often"),
    ("outside_uk", "Transfer outside the UK"),
    ("safeguards", "Transfer safeguards"),
    ("erasure", "Time limit for erasure"),
    ("security", "Security measures"),
]
SCHOOL_COLUMNS = [
    ("school", "School"), ("urn", "URN"), ("controller", "Controller"),
    ("controller_contact", "Controller's contact"), ("dpo", "Data Protection Officer"),
    ("dpo_contact", "DPO's contact"),
]  # fmt: skip


@dataclass
class Record:
    """One school's record: who is responsible, and its activities."""

    school: School
    controller: dict[str, str]
    rows: list[dict[str, str]]
    schedule: str = ""  # the school's retention schedule, in words
    security: tuple[str, ...] = ()  # the security measures, one per line


def _bases(items: list[dict[str, Any]]) -> str:
    return "; ".join(f"{b['title']} ({b['code']})" for b in items)


def _contact(*parts: str) -> str:
    return ", ".join(p for p in parts if p)


def record(school: School) -> Record:
    """The school's record of processing, from its notices' content."""
    rows: list[dict[str, str]] = []
    controller: dict[str, str] = {}
    schedule, security = "", ()
    for audience in Audience.values:
        content = build_notice_content(school, audience)
        schedule = content["retention_schedule"]["summary"]
        security = tuple(content["security"])
        controller = controller or {
            "school": school.name, "urn": school.urn,
            "controller": content["controller"]["name"],
            "controller_contact": _contact(
                ", ".join(content["controller"]["address"]), content["controller"]["email"],
                content["controller"]["phone"],
            ),
            "dpo": content["dpo"].get("name", ""),
            "dpo_contact": _contact(content["dpo"].get("email", ""),
                                    content["dpo"].get("phone", "")),
        }  # fmt: skip
        rows += _activities(content)
    return Record(school, controller, rows, schedule, security)


def _activities(content: dict[str, Any]) -> list[dict[str, str]]:
    subjects = content["who_it_covers"]
    security = "\n".join(content["security"])
    schedule = content["retention_schedule"]["summary"]
    kept = {rule["name"]: rule["description"] for rule in content["retention"]}
    abroad = {t["name"]: t for t in content["transfers"]["outside"]}
    rows = []
    for purpose in content["purposes"]:
        laws = "; ".join(law if isinstance(law, str) else law["code"] for law in purpose["laws"])
        rows.append({
            "data_subjects": subjects, "activity": "In the school",
            "purpose": purpose["description"],
            "lawful_basis": _contact(_bases(purpose["bases"]), laws),
            "special_condition": purpose["conditions"],
            "personal_data": "; ".join(purpose["categories"]),
            "recipient": "", "recipient_kind": "", "recipient_role": "", "frequency": "",
            "outside_uk": "", "safeguards": "", "erasure": schedule, "security": security,
        })  # fmt: skip
    for group in content["recipient_groups"]:
        for recipient in group["recipients"]:
            transfer = abroad.get(recipient["name"])
            for exchange in recipient.get("exchanges", []):
                retention = exchange.get("retention", "")
                rows.append({
                    "data_subjects": subjects, "activity": "Shared",
                    "purpose": exchange["purpose"],
                    "lawful_basis": _bases(exchange.get("bases", [])),
                    "special_condition": exchange.get("conditions", ""),
                    "personal_data": "; ".join(exchange.get("data", [])),
                    "recipient": recipient["name"], "recipient_kind": group["heading"],
                    "recipient_role": recipient.get("role", ""),
                    "frequency": exchange.get("frequency", ""),
                    "outside_uk": transfer["location"] if transfer else "",
                    "safeguards": transfer["safeguards"] if transfer else "",
                    "erasure": _contact(retention, kept.get(retention, "")),
                    "security": security,
                })  # fmt: skip
    return rows


# -- the files --------------------------------------------------------------------------------


def as_csv(records: list[Record]) -> bytes:
    """One table, every row with its school's columns (UTF-8 with a BOM, for spreadsheets)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([label for _, label in SCHOOL_COLUMNS + COLUMNS])
    for rec in records:
        for row in rec.rows:
            writer.writerow([rec.controller[k] for k, _ in SCHOOL_COLUMNS]
                            + [row[k] for k, _ in COLUMNS])  # fmt: skip
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _sheet_title(name: str, taken: set[str]) -> str:
    title = "".join(c for c in name if c not in "[]:*?/\\")[:31].strip() or "School"
    candidate, n = title, 2
    while candidate in taken:
        suffix = f" ({n})"
        candidate, n = title[: 31 - len(suffix)] + suffix, n + 1
    taken.add(candidate)
    return candidate


def as_xlsx(records: list[Record]) -> bytes:
    """One sheet per school: who is responsible, then the activities under a header row a
    spreadsheet user can filter."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    book.remove(book.active)
    taken: set[str] = set()
    for rec in records:
        sheet = book.create_sheet(_sheet_title(rec.school.name, taken))
        sheet.append(["Record of processing activities (UK GDPR Article 30(1))"])
        sheet["A1"].font = Font(bold=True, size=13)
        for key, label in SCHOOL_COLUMNS:
            sheet.append([label, rec.controller[key]])
        sheet.append([f"From the register on {timezone.localdate():%d/%m/%Y}"])
        sheet.append([""])
        sheet.append([label for _, label in COLUMNS])
        header = sheet.max_row
        for cell in sheet[header]:
            cell.font = Font(bold=True)
        for row in rec.rows:
            sheet.append([row[k] for k, _ in COLUMNS])
        last = sheet.max_row
        end_column = sheet.cell(row=header, column=len(COLUMNS)).column_letter
        sheet.auto_filter.ref = f"A{header}:{end_column}{last}"
        sheet.freeze_panes = sheet.cell(row=header + 1, column=1)
        for index, _ in enumerate(COLUMNS, start=1):
            letter = sheet.cell(row=header, column=index).column_letter
            sheet.column_dimensions[letter].width = 28
            for cells in sheet.iter_rows(min_row=header + 1, min_col=index, max_col=index):
                cells[0].alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def as_pdf(records: list[Record], title: str) -> bytes:
    """The record, tagged like every document here, landscape."""
    from governance.pdf import html_to_pdf

    html = render_to_string(
        "governance/article30.html",
        {"records": records, "title": title, "columns": COLUMNS, "today": timezone.localdate()},
    )
    return html_to_pdf(html, stylesheets=["site/article30.css"])


def for_schools(schools: list[School]) -> list[Record]:
    return [record(school) for school in schools]


FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def download(records: list[Record], *, name: str, title: str, fmt: str) -> HttpResponse:
    """The record as a file download; 404 for a format there is none of."""
    if fmt not in FORMATS:
        raise Http404("The record downloads as CSV, XLSX or PDF.")
    made = {"csv": as_csv, "xlsx": as_xlsx}.get(fmt)
    body = made(records) if made else as_pdf(records, title)
    response = HttpResponse(body, content_type=FORMATS[fmt])
    stamp = timezone.localdate().isoformat()
    filename = f"{slugify(name)}-article-30-{stamp}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
