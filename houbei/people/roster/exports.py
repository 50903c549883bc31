"""The roster export (kind ``roster``): the people of a filtered list with their post
history, honours and annual appraisals, as .xlsx laid out like the import template, or as JSON.

An exported workbook imports back unchanged: same headers, same labels. National IDs are
masked unless the caller asks for them in full and may have them (``Cap.PEOPLE_EXPORT``);
every export, with its filters and row count, is recorded in the audit trail."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from houbei.accounts.access import Cap, has_cap
from houbei.audit.services import record
from houbei.core.errors import NotAllowed
from houbei.core.exports import CONTENT_TYPES, ExportFile, register
from houbei.organisation.models import School
from houbei.people import national_id
from houbei.people.filters import PersonFilters, apply
from houbei.people.models import AnnualAppraisal, Honour, HonourLevel, Person, PostHistory

from .cells import looks_like_formula
from .parse import APPRAISAL_COLUMNS, HISTORY_COLUMNS, HONOUR_COLUMNS, PERSON_COLUMNS

# The template's person columns, without 序号.
PERSON_EXPORT_COLUMNS = tuple(c for c in PERSON_COLUMNS if c.field != "row_number")
HISTORY_EXPORT_COLUMNS = tuple(
    c for c in HISTORY_COLUMNS if c.field not in ("row_number", "period")
)
HONOUR_EXPORT_COLUMNS = tuple(c for c in HONOUR_COLUMNS if c.field != "row_number")
APPRAISAL_EXPORT_COLUMNS = tuple(c for c in APPRAISAL_COLUMNS if c.field != "row_number")


@dataclass(frozen=True)
class RosterExportRequest:
    """What to export: the list's filters, and whether national IDs are wanted in full
    (with the reason the audit entry keeps)."""

    people: PersonFilters = field(default_factory=PersonFilters)
    full_national_ids: bool = False
    reason: str = ""


def neutralise(value: Any) -> Any:
    """A text a spreadsheet would run as a formula gets a leading apostrophe (OWASP,
    "CSV injection"); the importer strips it again. A text that already looks like that
    (``'=…``) gets one too, so that it also reads back as it was."""
    if isinstance(value, str) and looks_like_formula(value):
        return "'" + value
    return value


def _people(school: School, filters: PersonFilters) -> list[Person]:
    """Four queries whatever the number of people: people, their history with posts,
    their honours, their annual appraisals."""
    qs = apply(Person.objects.for_school(school), filters, as_of=timezone.localdate())
    return list(
        qs.prefetch_related(
            Prefetch(
                "post_history",
                queryset=PostHistory.objects.select_related("post").order_by("start", "pk"),
            ),
            Prefetch("honours", queryset=Honour.objects.order_by("-year", "pk")),
            Prefetch("annual_appraisals", queryset=AnnualAppraisal.objects.order_by("year")),
        )
    )


def _national_id(person: Person, full: bool) -> str:
    if full and person.national_id_encrypted:
        return national_id.decrypt(person.national_id_encrypted)
    return person.national_id_masked


def _person_cells(person: Person, full: bool) -> list[Any]:
    values: dict[str, Any] = {
        "staff_number": person.staff_number,
        "name": person.name,
        "gender": person.get_gender_display(),
        "birth_date": person.birth_date,
        "national_id": _national_id(person, full),
        "joined_school_on": person.joined_school_on,
        "started_work_on": person.started_work_on,
        "establishment": person.get_establishment_display(),
        "post_status": person.get_post_status_display(),
        "political_status": person.get_political_status_display(),
        "education": person.get_education_display() if person.education else "",
        "title": person.title,
        "subject": person.subject,
        "fit_for_duty": ""
        if person.fit_for_duty is None
        else (_("是") if person.fit_for_duty else _("否")),
        "fit_for_duty_on": person.fit_for_duty_on,
        "phone": person.phone,
        "email": person.email,
    }
    return [values[c.field] for c in PERSON_EXPORT_COLUMNS]


# The workbook is a school document that the importer reads back: it is always in Chinese,
# whatever language the user's screen is in, so an export made in English imports again.
@translation.override("zh-hans")
def _xlsx(people: list[Person], full: bool) -> bytes:
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)

    def sheet(title: str, headers: list[str], rows: list[list[Any]], widths: list[int]) -> None:
        ws = workbook.create_sheet(title)
        for index, width in enumerate(widths):
            ws.column_dimensions[chr(ord("A") + index)].width = width
        ws.freeze_panes = "A2"
        header_cells = []
        for text in headers:
            cell = WriteOnlyCell(ws, value=text)
            cell.font = bold
            header_cells.append(cell)
        ws.append(header_cells)
        for row in rows:
            ws.append([neutralise(v) for v in row])

    sheet(
        _("教职工名册"),
        [str(c.header) for c in PERSON_EXPORT_COLUMNS],
        [_person_cells(p, full) for p in people],
        [12, 10, 6, 12, 22, 12, 14, 10, 10, 14, 12, 16, 10, 10, 14, 16, 24],
    )
    sheet(
        _("任职经历"),
        [str(c.header) for c in HISTORY_EXPORT_COLUMNS],
        [
            [p.staff_number, p.name, h.post.name, h.start, h.end, h.note]
            for p in people
            for h in p.post_history.all()
        ],
        [12, 10, 16, 12, 12, 30],
    )
    sheet(
        _("荣誉"),
        [str(c.header) for c in HONOUR_EXPORT_COLUMNS],
        [
            [p.staff_number, p.name, h.title, str(HonourLevel(h.level).label), h.year, h.note]
            for p in people
            for h in p.honours.all()
        ],
        [12, 10, 24, 10, 8, 30],
    )
    sheet(
        _("年度考核"),
        [str(c.header) for c in APPRAISAL_EXPORT_COLUMNS],
        [
            [p.staff_number, p.name, a.year, a.get_grade_display(), a.note]
            for p in people
            for a in p.annual_appraisals.all()
        ],
        [12, 10, 10, 10, 30],
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _json(school: School, people: list[Person], full: bool, filters: dict[str, str]) -> bytes:
    data = {
        "school": school.code,
        "exported_at": timezone.now(),
        "filters": filters,
        "count": len(people),
        "national_ids": "full" if full else "masked",
        "people": [
            {
                "staff_number": p.staff_number,
                "name": p.name,
                "gender": p.gender,
                "birth_date": p.birth_date,
                "national_id": _national_id(p, full),
                "joined_school_on": p.joined_school_on,
                "started_work_on": p.started_work_on,
                "establishment": p.establishment,
                "post_status": p.post_status,
                "political_status": p.political_status,
                "education": p.education,
                "title": p.title,
                "subject": p.subject,
                "fit_for_duty": p.fit_for_duty,
                "fit_for_duty_on": p.fit_for_duty_on,
                "phone": p.phone,
                "email": p.email,
                "archived": p.is_archived,
                "post_history": [
                    {"post": h.post.name, "start": h.start, "end": h.end, "note": h.note}
                    for h in p.post_history.all()
                ],
                "honours": [
                    {"title": h.title, "level": h.level, "year": h.year, "note": h.note}
                    for h in p.honours.all()
                ],
                "annual_appraisals": [
                    {"year": a.year, "grade": a.grade, "note": a.note}
                    for a in p.annual_appraisals.all()
                ],
            }
            for p in people
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=1, cls=DjangoJSONEncoder).encode()


@register("roster")
def export_roster(
    school: School, *, actor: Any, filters: RosterExportRequest | PersonFilters | None, fmt: str
) -> ExportFile:
    """The filtered list of ``school``'s people as ``fmt`` ("xlsx" or "json").

    Full national IDs need ``full_national_ids`` and, for a user, ``Cap.PEOPLE_EXPORT``
    (``NotAllowed`` otherwise); ``actor`` None is the command line, run by whoever holds
    the server. Audit: ``people.roster.exported`` with the format, filters, row count and
    whether IDs were in full (with the reason given)."""
    if not isinstance(filters, RosterExportRequest):
        filters = RosterExportRequest(people=filters or PersonFilters())
    full = filters.full_national_ids
    if full and actor is not None and not has_cap(actor, Cap.PEOPLE_EXPORT):
        raise NotAllowed(_("您没有导出完整身份证号的权限。"))
    people = _people(school, filters.people)
    params = filters.people.as_params()
    content = _xlsx(people, full) if fmt == "xlsx" else _json(school, people, full, params)
    with transaction.atomic():
        record(
            actor=actor,
            action="people.roster.exported",
            school=school,
            target=school,
            new={
                "format": fmt,
                "filters": params,
                "rows": len(people),
                "full_national_ids": full,
            },
            reason=filters.reason,
        )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    filename = _("教职工名册") + f"-{school.code}-{stamp}.{fmt}"
    return ExportFile(filename, CONTENT_TYPES[fmt], content)
