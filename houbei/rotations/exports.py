"""``houbei export assignments``: the school's rotation assignments (轮岗安排) as JSON for a
district system or as a workbook — who, where, at which ladder level, with which mentors,
from which term for how long, the dates from the calendar and where each stands — all of
them, a round's, or those with a day in one term.

Registered with ``houbei.core.exports`` when the app loads, so the web pages and the
command line share it."""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houbei.accounts.access import Cap, has_cap
from houbei.audit.services import record
from houbei.core.errors import DomainError, NotAllowed
from houbei.core.exports import CONTENT_TYPES, ExportFile, register
from houbei.organisation.models import LadderLevel, School, Term

from .documents import current_mentors, file_stem, term_code, term_of, with_mentors
from .models import Assignment, AssignmentStatus, Round

FORMAT = "houbei-assignments/1"


def _round_of(school: School, value: Any) -> Round:
    if isinstance(value, Round):
        found = Round.objects.filter(pk=value.pk, school=school).first()
    else:
        text = str(value).strip()
        if not text.isdigit():
            raise DomainError(_("轮次应为编号（数字）。"), field="round")
        found = Round.objects.filter(pk=int(text), school=school).first()
    if found is None:
        raise DomainError(
            _("本校没有编号为%(id)s的双向选择轮次。") % {"id": getattr(value, "pk", value)},
            field="round",
        )
    return found


def _status_of(value: Any) -> str:
    text = str(value).strip()
    if text not in AssignmentStatus.values:
        raise DomainError(
            _("轮岗状态应为：%(codes)s。")
            % {"codes": "、".join(f"{v}（{label}）" for v, label in AssignmentStatus.choices)},
            field="status",
        )
    return text


def _given(filters: Mapping[str, Any], name: str) -> Any:
    value = filters.get(name)
    return None if value is None or (isinstance(value, str) and not value.strip()) else value


def assignments_for(
    school: School, filters: Mapping[str, Any] | None
) -> tuple[list[Assignment], Round | None, Term | None, str | None]:
    """The assignments the filters select — ``round`` (an id or a Round of the school),
    ``term`` (a Term, its id or "2026-1": rotations with a day in it), ``status`` — in
    date order, with person, post, round, terms and current mentors in two queries.
    Raises DomainError naming the filter for a round or term not of the school, both
    given, or an unknown status."""
    filters = filters or {}
    unknown = sorted(set(filters) - {"round", "term", "status"})
    if unknown:
        raise DomainError(_("轮岗安排导出没有筛选条件%(n)s。") % {"n": "、".join(unknown)})
    round_value, term_value = _given(filters, "round"), _given(filters, "term")
    if round_value is not None and term_value is not None:
        raise DomainError(_("请只指定轮次（--round）或学期（--term）中的一项。"), field="term")
    rows = Assignment.objects.for_school(school)
    round_ = term = status = None
    if round_value is not None:
        round_ = _round_of(school, round_value)
        rows = rows.filter(round=round_)
    if term_value is not None:
        term = term_of(school, term_value)
        rows = rows.with_days().filter(start_date__lte=term.end, end_date__gte=term.start)
    if _given(filters, "status") is not None:
        status = _status_of(filters["status"])
        rows = rows.filter(status=status)
    found = list(with_mentors(rows).order_by("start_date", "person__staff_number", "pk"))
    return found, round_, term, status


def _term(term: Term) -> dict[str, str]:
    return {"code": term_code(term), "label": str(term)}


def assignment_data(a: Assignment) -> dict[str, Any]:
    """One assignment as plain data (the fields a district system needs; no contact)."""
    return {
        "id": a.pk,
        "person": {"name": a.person.name, "staff_number": a.person.staff_number},
        "post": {"name": a.post.name, "code": a.post.code},
        "level": a.post.ladder_level,
        "level_label": str(LadderLevel(a.post.ladder_level).label),
        "mentors": [
            {
                "name": link.person.name,
                "staff_number": link.person.staff_number,
                "role": link.role,
                "role_label": link.get_role_display(),
            }
            for link in current_mentors(a)
        ],
        "start_term": _term(a.start_term),
        "end_term": _term(a.end_term),
        "length": a.length,
        "length_label": a.get_length_display(),
        "start": a.start_date.isoformat(),
        "end": a.end_date.isoformat(),
        "ended_on": a.ended_on.isoformat() if a.ended_on else None,
        "status": a.status,
        "status_label": a.get_status_display(),
        "round": {"id": a.round.pk, "title": a.round.title} if a.round else None,
    }


HEADS = (
    gettext_lazy("序号"), gettext_lazy("姓名"), gettext_lazy("工号"), gettext_lazy("岗位"),
    gettext_lazy("层级"), gettext_lazy("带教人员"), gettext_lazy("开始学期"),
    gettext_lazy("结束学期"), gettext_lazy("时长"), gettext_lazy("开始日期"),
    gettext_lazy("结束日期"), gettext_lazy("实际结束日期"), gettext_lazy("状态"),
    gettext_lazy("轮次"),
)  # fmt: skip


def _xlsx(school: School, rows: list[Assignment], caption: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("轮岗安排")
    sheet.append([str(h) for h in HEADS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for number, a in enumerate(rows, start=1):
        sheet.append(
            [
                number,
                a.person.name,
                a.person.staff_number,
                a.post.name,
                str(LadderLevel(a.post.ladder_level).label),
                "、".join(f"{m.person.name}（{m.get_role_display()}）" for m in current_mentors(a)),
                str(a.start_term),
                str(a.end_term),
                a.get_length_display(),
                a.start_date,
                a.end_date,
                a.ended_on,
                a.get_status_display(),
                a.round.title if a.round else "",
            ]
        )
    for row in sheet.iter_rows(min_row=2, min_col=10, max_col=12):
        for cell in row:
            cell.number_format = "yyyy-mm-dd"
    widths = (6, 10, 10, 12, 8, 30, 24, 24, 8, 12, 12, 12, 10, 28)
    for index, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.append([])
    sheet.append([f"{school.name}：{caption}"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@register("assignments", formats=("json", "xlsx"))
def export_assignments(school: School, *, actor: Any, filters: Any, fmt: str) -> ExportFile:
    """The assignments of ``school`` the filters select (see ``assignments_for``), as
    "json" (``houbei-assignments/1``) or "xlsx". ``actor`` None is the command line; a
    user needs ``Cap.ROTATION_VIEW`` in ``school``. Audit: ``rotations.assignments.exported``
    with the filters, the format and the number of rows."""
    if actor is not None and not (
        actor.school_id == school.pk and has_cap(actor, Cap.ROTATION_VIEW)
    ):
        raise NotAllowed()
    with translation.override("zh-hans"):
        rows, round_, term, status = assignments_for(school, filters)
        if round_ is not None:
            caption = round_.title
        elif term is not None:
            caption = str(term)
        else:
            caption = _("全部轮岗安排")
        if status is not None:
            caption += "（" + str(AssignmentStatus(status).label) + "）"
        if fmt == "xlsx":
            content = _xlsx(school, rows, caption)
        else:
            data = {
                "format": FORMAT,
                "school": school.name,
                "school_code": school.code,
                "exported_at": timezone.now().isoformat(),
                "filters": {
                    "round": {"id": round_.pk, "title": round_.title} if round_ else None,
                    "term": _term(term) if term else None,
                    "status": status,
                },
                "count": len(rows),
                "assignments": [assignment_data(a) for a in rows],
            }
            content = json.dumps(data, ensure_ascii=False, indent=1).encode()
        stem = file_stem(school.short_name or school.name, caption, _("轮岗安排"))
    with transaction.atomic():
        record(
            actor=actor,
            action="rotations.assignments.exported",
            school=school,
            target=round_,
            new={
                "format": fmt,
                "round": round_.title if round_ else None,
                "term": str(term) if term else None,
                "status": status,
                "rows": len(rows),
            },
        )
    return ExportFile(f"{stem}.{fmt}", CONTENT_TYPES[fmt], content)
