"""Roster import: plan what a parsed file means for the school, then commit it at once.

``plan_import`` compares the parsed rows (``parse.py``) with the school's records and says,
person by person, what would happen (新增 / 更新 / 不变, and which fields change), with
every broken rule as a problem naming sheet, row, column and reason. It writes nothing.

``import_roster`` is the commit: the file is parsed again, the plan is made again inside
one transaction with the school's people locked, and only a plan without errors is
written — all of it or nothing.

The web pages reach these through ``tasks.py`` and an upload record (``models.py``); the
``import_roster`` management command calls them directly."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houbei.audit.services import record
from houbei.core.errors import Conflict, DomainError
from houbei.organisation.models import Post, School
from houbei.people import national_id
from houbei.people.models import (
    AnnualAppraisal,
    AppraisalGrade,
    Gender,
    Honour,
    HonourLevel,
    Person,
    PostHistory,
)
from houbei.people.presenters import field_label, show_value
from houbei.people.validation import (
    EARLIEST_DATE,
    EARLIEST_HONOUR_YEAR,
    FUTURE_HORIZON,
    MIN_WORKING_AGE,
    PERSON_FIELDS,
    annual_appraisal_value_errors,
    person_errors,
)

from . import files, parse
from .parse import AppraisalRow, HistoryRow, HonourRow, ParsedRoster, PersonRow, Problem
from .postnames import PostMatcher

# Stages a progress reporter hears about, in order.
READING, CHECKING, WRITING = "reading", "checking", "writing"
STAGE_LABELS = {
    READING: gettext_lazy("读取文件"),
    CHECKING: gettext_lazy("核对数据"),
    WRITING: gettext_lazy("写入数据库"),
}
WRITE_BATCH = 500

Progress = Callable[[str, int, int], None]

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
ACTION_LABELS = {
    CREATED: gettext_lazy("新增"),
    UPDATED: gettext_lazy("更新"),
    UNCHANGED: gettext_lazy("不变"),
}

# Person fields a roster may set: the registry's editable fields but the login account.
IMPORT_FIELDS: tuple[str, ...] = tuple(f for f in PERSON_FIELDS if f != "user")
_MODEL_DEFAULTS: dict[str, Any] = {
    f.name: f.get_default() for f in Person._meta.concrete_fields if f.name in IMPORT_FIELDS
}


_GENDERS = frozenset(Gender.values)


def _no_progress(stage: str, done: int, total: int) -> None:
    return None


# ---------------------------------------------------------------------------------------
# The plan


@dataclass
class PersonPlan:
    """What the import does to one person."""

    staff_number: str
    name: str
    action: str = UNCHANGED
    sheet: str = ""
    row: int | None = None
    person: Person | None = None  # None: a new person
    # Field → value to write (all values for a new person, changed ones for an update).
    values: dict[str, Any] = field(default_factory=dict)
    # The clear national ID to store, or None to keep what is stored.
    national_id: str | None = None
    # Field → (old, new), for the preview and the audit entry; national IDs masked.
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    history_add: list[tuple[HistoryRow, int]] = field(default_factory=list)
    history_update: list[tuple[PostHistory, dict[str, tuple[Any, Any]]]] = field(
        default_factory=list
    )
    honours_add: list[HonourRow] = field(default_factory=list)
    honours_update: list[tuple[Honour, dict[str, tuple[Any, Any]]]] = field(default_factory=list)
    appraisals_add: list[AppraisalRow] = field(default_factory=list)
    appraisals_update: list[tuple[AnnualAppraisal, dict[str, tuple[Any, Any]]]] = field(
        default_factory=list
    )
    notes: list[str] = field(default_factory=list)

    @property
    def touches_history(self) -> bool:
        return bool(
            self.history_add
            or self.history_update
            or self.honours_add
            or self.honours_update
            or self.appraisals_add
            or self.appraisals_update
        )


@dataclass
class ImportPlan:
    people: list[PersonPlan]
    errors: list[Problem]
    notes: list[Problem]
    # People of the school the file does not mention: left as they are.
    untouched: int = 0

    def counts(self) -> dict[str, int]:
        counts = {CREATED: 0, UPDATED: 0, UNCHANGED: 0}
        for plan in self.people:
            counts[plan.action] += 1
        return {
            **counts,
            "history_added": sum(len(p.history_add) for p in self.people),
            "history_updated": sum(len(p.history_update) for p in self.people),
            "honours_added": sum(len(p.honours_add) for p in self.people),
            "honours_updated": sum(len(p.honours_update) for p in self.people),
            "appraisals_added": sum(len(p.appraisals_add) for p in self.people),
            "appraisals_updated": sum(len(p.appraisals_update) for p in self.people),
            "errors": len(self.errors),
            "untouched": self.untouched,
        }


class RosterInvalid(DomainError):
    """The file has problems; nothing was written. ``plan`` holds them."""

    def __init__(self, plan: ImportPlan) -> None:
        self.plan = plan
        super().__init__(
            _("名册中有 %(n)s 处错误，未导入任何数据。请改正后重新上传。") % {"n": len(plan.errors)}
        )


class RosterUnreadable(DomainError):
    """The file as a whole cannot be read; ``message`` says why."""


def _problem(
    row: PersonRow | HistoryRow | HonourRow | AppraisalRow, column_field: str | None, message: str
) -> Problem:
    column = row.headers.get(column_field) if column_field else None
    if column_field and column is None:
        column = field_label(column_field)
    return Problem(row.sheet, row.row, column, message)


def plan_import(
    *,
    school: School,
    parsed: ParsedRoster,
    today: dt.date | None = None,
    lock: bool = False,
    on_progress: Progress = _no_progress,
) -> ImportPlan:
    """Compare ``parsed`` with ``school``'s records; read-only (``lock`` takes row locks
    on the school's people for a commit). Returns every person's plan and every problem.

    Blank cells leave a stored value as it is; people the file does not mention are left
    alone; history rows, honours and annual appraisals are added or corrected, never
    removed (a year's appraisal in the file corrects the grade stored for that year)."""
    today = today or timezone.localdate()
    errors = list(parsed.errors)
    qs = Person.objects.filter(school=school)
    if lock:
        qs = qs.select_for_update()
    existing = {p.staff_number: p for p in qs}
    by_digest = {p.national_id_digest: p for p in existing.values() if p.national_id_digest}
    matcher = PostMatcher(Post.objects.filter(school=school).values_list("pk", "name", "code"))

    plans: dict[str, PersonPlan] = {}
    total = len(parsed.people) + len(parsed.history) + len(parsed.honours)
    total += len(parsed.appraisals)
    for done, row in enumerate(parsed.people, start=1):
        plans[row.staff_number] = _plan_person(
            row, existing.get(row.staff_number), school, by_digest, today, errors
        )
        if done % 500 == 0:
            on_progress(CHECKING, done, total)

    mentioned = {r.staff_number for r in parsed.history} | {r.staff_number for r in parsed.honours}
    mentioned |= {r.staff_number for r in parsed.appraisals}
    for number in sorted(mentioned - plans.keys()):
        person = existing.get(number)
        if person is not None:
            plans[number] = PersonPlan(staff_number=number, name=person.name, person=person)
    ids = [p.person.pk for p in plans.values() if p.person is not None]
    if parsed.history:
        _plan_history(parsed.history, plans, ids, matcher, today, errors)
    if parsed.honours:
        _plan_honours(parsed.honours, plans, ids, today, errors)
    if parsed.appraisals:
        _plan_appraisals(parsed.appraisals, plans, ids, today, errors)
    on_progress(CHECKING, total, total)

    for plan in plans.values():
        if plan.person is None:
            plan.action = CREATED
        elif plan.changes or plan.touches_history:
            plan.action = UPDATED
            if plan.person.is_archived:
                errors.append(
                    Problem(
                        plan.sheet,
                        plan.row,
                        None,
                        _(
                            "%(name)s（工号 %(number)s）的档案已归档，不能通过导入修改；请先恢复档案。"
                        )
                        % {"name": plan.person.name, "number": plan.staff_number},
                    )
                )
    errors.sort(key=lambda p: (p.sheet, p.row or 0))
    return ImportPlan(
        people=list(plans.values()),
        errors=errors,
        notes=list(parsed.notes),
        untouched=len(existing.keys() - plans.keys()),
    )


def _plan_person(
    row: PersonRow,
    person: Person | None,
    school: School,
    by_digest: dict[str, Person],
    today: dt.date,
    errors: list[Problem],
) -> PersonPlan:
    incoming = {k: v for k, v in row.values.items() if k in IMPORT_FIELDS}
    number = row.values.get("national_id") or None
    plan = PersonPlan(
        staff_number=row.staff_number,
        name=incoming.get("name") or (person.name if person else ""),
        sheet=row.sheet,
        row=row.row,
        person=person,
        notes=list(row.notes),
    )
    if person is None:
        merged = _MODEL_DEFAULTS | incoming
        plan.values = merged
        plan.changes = {k: (None, v) for k, v in incoming.items() if v not in (None, "")}
    else:
        current = {name: getattr(person, name) for name in IMPORT_FIELDS}
        merged = current | incoming
        plan.changes = {k: (current[k], v) for k, v in incoming.items() if current[k] != v}
        plan.values = {k: v for k, (_old, v) in plan.changes.items()}

    if person is not None and not plan.changes and not number:
        # Nothing to write, so nothing to check: an old record that breaks a rule added
        # later must not block the import of everyone else.
        return plan
    # The registry's own rules (dates, ages, choices, 身心健康 with its date …), the same
    # the forms apply. Staff numbers are matched, not checked: the rule would run one
    # uniqueness query per row, and a roster row *is* the person with that number. The
    # national ID is checked below against the rows already loaded, for the same reason.
    rule_errors = person_errors(
        {k: v for k, v in merged.items() if k != "staff_number"}, school=school, today=today
    )
    rule_errors.pop("staff_number", None)
    for name, messages in rule_errors.items():
        for message in messages:
            errors.append(_problem(row, name, message))

    if number:
        _plan_national_id(row, plan, number, merged, by_digest, errors)
    return plan


def _plan_national_id(
    row: PersonRow,
    plan: PersonPlan,
    number: str,
    merged: dict[str, Any],
    by_digest: dict[str, Person],
    errors: list[Problem],
) -> None:
    """The number against the row's birth date and sex, and against the school's other
    people (by keyed digest, from the rows already loaded: no query per row)."""
    digest = national_id.digest(number)
    person = plan.person
    if person is not None and person.national_id_digest == digest:
        return
    embedded = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    birth = merged.get("birth_date")
    if birth is not None and birth != embedded:
        errors.append(
            _problem(
                row,
                "national_id",
                _("身份证号中的出生日期（%(embedded)s）与出生日期（%(birth)s）不一致。")
                % {"embedded": embedded.isoformat(), "birth": birth.isoformat()},
            )
        )
    embedded_gender = Gender.MALE if int(number[16]) % 2 else Gender.FEMALE
    if merged.get("gender") in _GENDERS and merged["gender"] != embedded_gender:
        errors.append(
            _problem(
                row,
                "national_id",
                _("身份证号显示的性别（%(embedded)s）与所填性别不一致。")
                % {"embedded": embedded_gender.label},
            )
        )
    other = by_digest.get(digest)
    if other is not None and other is not person:
        errors.append(
            _problem(
                row,
                "national_id",
                _("该身份证号已登记在本校教职工 %(name)s（工号 %(number)s）名下。")
                % {"name": other.name, "number": other.staff_number},
            )
        )
    plan.national_id = number
    plan.changes["national_id"] = (
        person.national_id_masked if person is not None else None,
        national_id.mask(number),
    )


def _date_errors(item: HistoryRow, today: dt.date, birth: dt.date | None) -> list[Problem]:
    """The registry's rules for a history row (``validation.post_history_errors``), on
    plain values so that a whole sheet is checked without a query per row."""
    problems = []
    for name, day in (("start", item.start), ("end", item.end)):
        if day is None:
            continue
        if day < EARLIEST_DATE:
            problems.append(
                _problem(
                    item, name, _("日期（%(day)s）早于1900年，请检查。") % {"day": day.isoformat()}
                )
            )
        elif day > today + FUTURE_HORIZON:
            problems.append(
                _problem(
                    item,
                    name,
                    _("日期（%(day)s）超过今天一年以上，请检查。") % {"day": day.isoformat()},
                )
            )
    if item.end is not None and item.end < item.start:
        problems.append(
            _problem(
                item,
                "end" if "end" in item.headers else "period",
                _("结束日期（%(end)s）不能早于开始日期（%(start)s）。")
                % {"end": item.end.isoformat(), "start": item.start.isoformat()},
            )
        )
    if birth is not None:
        earliest = _add_years(birth, MIN_WORKING_AGE)
        if item.start < earliest:
            problems.append(
                _problem(
                    item,
                    "start" if "start" in item.headers else "period",
                    _("开始日期（%(day)s）早于本人16周岁（%(earliest)s），请检查。")
                    % {"day": item.start.isoformat(), "earliest": earliest.isoformat()},
                )
            )
    return problems


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


def _person_of(
    item: HistoryRow | HonourRow | AppraisalRow, plans: dict[str, PersonPlan], errors: list[Problem]
) -> PersonPlan | None:
    plan = plans.get(item.staff_number)
    if plan is None:
        errors.append(
            _problem(
                item,
                "staff_number",
                _("工号 %(number)s 既不在本文件的教职工名册中，也不是本校已有的教职工。")
                % {"number": item.staff_number},
            )
        )
        return None
    if item.name and plan.name and item.name != plan.name:
        errors.append(
            _problem(
                item,
                "name",
                _("姓名“%(name)s”与工号 %(number)s 的姓名“%(expected)s”不一致。")
                % {"name": item.name, "number": item.staff_number, "expected": plan.name},
            )
        )
        return None
    return plan


def _plan_history(
    rows: list[HistoryRow],
    plans: dict[str, PersonPlan],
    person_ids: list[int],
    matcher: PostMatcher,
    today: dt.date,
    errors: list[Problem],
) -> None:
    stored: dict[int, list[PostHistory]] = defaultdict(list)
    for entry in PostHistory.objects.filter(person_id__in=person_ids).order_by("start", "pk"):
        stored[entry.person_id].append(entry)
    # (person staff number, post id) → intervals: (start, end, file row or None, stored row)
    intervals: dict[tuple[str, int], list[tuple[dt.date, dt.date | None, HistoryRow | None]]] = (
        defaultdict(list)
    )
    matched: set[int] = set()
    for item in rows:
        plan = _person_of(item, plans, errors)
        post_id = matcher.match(item.post)
        if post_id is None:
            errors.append(
                _problem(
                    item,
                    "post",
                    _(
                        "“%(post)s”不是本校的岗位。可用的岗位：%(names)s；或先在“岗位设置”中添加该岗位。"
                    )
                    % {"post": item.post, "names": "、".join(matcher.names)},
                )
            )
        if plan is None or post_id is None:
            continue
        birth = plan.values.get("birth_date") or (plan.person.birth_date if plan.person else None)
        problems = _date_errors(item, today, birth)
        if problems:
            errors.extend(problems)
            continue
        note = item.note
        same = None
        if plan.person is not None:
            same = next(
                (
                    e
                    for e in stored[plan.person.pk]
                    if e.post_id == post_id and e.start == item.start
                ),
                None,
            )
        if same is None:
            plan.history_add.append((item, post_id))
        else:
            matched.add(same.pk)
            changes: dict[str, tuple[Any, Any]] = {}
            if same.end != item.end:
                changes["end"] = (same.end, item.end)
            if note and note != same.note:
                changes["note"] = (same.note, note)
            if changes:
                plan.history_update.append((same, changes))
        intervals[(plan.staff_number, post_id)].append((item.start, item.end, item))
    for plan in plans.values():
        if plan.person is None:
            continue
        for entry in stored[plan.person.pk]:
            if entry.pk not in matched and (plan.staff_number, entry.post_id) in intervals:
                intervals[(plan.staff_number, entry.post_id)].append((entry.start, entry.end, None))
    far = dt.date.max
    for spans in intervals.values():
        spans.sort(key=lambda s: s[0])
        reach: tuple[dt.date, HistoryRow | None, dt.date] | None = None  # (end, row, start)
        for start, end, source in spans:
            if reach is not None and start <= reach[0]:
                culprit = source or reach[1]
                if culprit is not None:
                    errors.append(
                        _problem(
                            culprit,
                            "start" if "start" in culprit.headers else "period",
                            _(
                                "与同一岗位的另一段任职经历（%(start)s 至 %(end)s）重叠；同一岗位的经历请合并为一条。"
                            )
                            % {
                                "start": reach[2].isoformat(),
                                "end": reach[0].isoformat() if reach[0] != far else _("今"),
                            },
                        )
                    )
            if reach is None or (end or far) > reach[0]:
                reach = ((end or far), source, start)


def _plan_honours(
    rows: list[HonourRow],
    plans: dict[str, PersonPlan],
    person_ids: list[int],
    today: dt.date,
    errors: list[Problem],
) -> None:
    stored: dict[tuple[int, str, int, int], Honour] = {}
    for honour in Honour.objects.filter(person_id__in=person_ids):
        stored[(honour.person_id, " ".join(honour.title.split()), honour.level, honour.year)] = (
            honour
        )
    for item in rows:
        plan = _person_of(item, plans, errors)
        if plan is None:
            continue
        if not EARLIEST_HONOUR_YEAR <= item.year <= today.year:
            errors.append(
                _problem(
                    item,
                    "year",
                    _("获得年度（%(year)s）应在%(first)s年至%(last)s年之间。")
                    % {"year": item.year, "first": EARLIEST_HONOUR_YEAR, "last": today.year},
                )
            )
            continue
        title = " ".join(item.title.split())
        same = stored.get((plan.person.pk, title, item.level, item.year)) if plan.person else None
        if same is None:
            plan.honours_add.append(item)
        elif item.note and item.note != same.note:
            plan.honours_update.append((same, {"note": (same.note, item.note)}))


def _plan_appraisals(
    rows: list[AppraisalRow],
    plans: dict[str, PersonPlan],
    person_ids: list[int],
    today: dt.date,
    errors: list[Problem],
) -> None:
    """Each row against the registry's rules (``validation.annual_appraisal_value_errors``,
    on plain values: one query for the whole sheet, not one per row) and against the grade
    stored for that person and year: none → added; another grade or note → corrected."""
    stored = {
        (a.person_id, a.year): a for a in AnnualAppraisal.objects.filter(person_id__in=person_ids)
    }
    for item in rows:
        plan = _person_of(item, plans, errors)
        if plan is None:
            continue
        started = plan.values.get("started_work_on") or (
            plan.person.started_work_on if plan.person else None
        )
        rule_errors = annual_appraisal_value_errors(
            year=item.year, grade=item.grade, note=item.note, started_work_on=started, today=today
        )
        if rule_errors:
            for name, messages in rule_errors.items():
                errors.extend(_problem(item, name, message) for message in messages)
            continue
        plan.notes.extend(item.notes)
        same = stored.get((plan.person.pk, item.year)) if plan.person else None
        if same is None:
            plan.appraisals_add.append(item)
            continue
        changes: dict[str, tuple[Any, Any]] = {}
        if same.grade != item.grade:
            changes["grade"] = (same.grade, str(item.grade))
        # A blank note keeps the stored one, as a blank cell does everywhere.
        if item.note and item.note != same.note:
            changes["note"] = (same.note, item.note)
        if changes:
            plan.appraisals_update.append((same, changes))


# ---------------------------------------------------------------------------------------
# What the preview shows


def _show(key: str, value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    return show_value(key, value)


def _history_line(item: HistoryRow, post_names: dict[int, str], post_id: int) -> str:
    end = item.end.isoformat() if item.end else _("至今")
    return f"{post_names.get(post_id, item.post)} {item.start.isoformat()} — {end}"


def preview_data(plan: ImportPlan, *, filename: str, sha256: str, school: School) -> dict[str, Any]:
    """The plan as plain JSON for the preview page: display strings only, national IDs
    masked. Everyone listed, in file order; people without a row (history-only) last."""
    post_names = dict(Post.objects.filter(school=school).values_list("pk", "name"))
    people = []
    for item in plan.people:
        # [label, old, new]. A new person has no old values (old is ""), and the staff
        # number and name are in their own columns already.
        changes = [
            [field_label(k), "" if item.person is None else _show(k, old), _show(k, new)]
            for k, (old, new) in item.changes.items()
            if item.person is not None or k not in ("staff_number", "name")
        ]
        history = [
            _("新增任职：") + _history_line(h, post_names, pid) for h, pid in item.history_add
        ]
        for entry, change in item.history_update:
            parts = [
                f"{field_label(k)} {_show(k, old) if old else _('至今') if k == 'end' else '—'} → "
                f"{_show(k, new) if new else _('至今') if k == 'end' else '—'}"
                for k, (old, new) in change.items()
            ]
            history.append(
                _("更新任职：")
                + f"{post_names.get(entry.post_id, '')} {entry.start.isoformat()}：{'；'.join(parts)}"
            )
        for honour in item.honours_add:
            history.append(
                _("新增荣誉：") + f"{honour.year} {HonourLevel(honour.level).label} {honour.title}"
            )
        for stored, change in item.honours_update:
            history.append(
                _("更新荣誉备注：") + f"{stored.year} {stored.title}：{change['note'][1]}"
            )
        for appraisal in item.appraisals_add:
            history.append(
                _("新增年度考核：")
                + _("%(year)s年度 %(grade)s")
                % {"year": appraisal.year, "grade": AppraisalGrade(appraisal.grade).label}
            )
        for graded, change in item.appraisals_update:
            parts = [
                f"{field_label(k, 'people.appraisal.updated')} {_show(k, old)} → {_show(k, new)}"
                for k, (old, new) in change.items()
            ]
            history.append(
                _("更正年度考核：")
                + _("%(year)s年度") % {"year": graded.year}
                + "："
                + "；".join(parts)
            )
        people.append(
            {
                "sheet": item.sheet,
                "row": item.row,
                "staff_number": item.staff_number,
                "name": item.name,
                "action": item.action,
                "changes": changes,
                "history": history,
                "notes": item.notes,
            }
        )
    people.sort(key=lambda p: (p["row"] is None, p["sheet"], p["row"] or 0))
    return {
        "filename": filename,
        "sha256": sha256,
        "counts": plan.counts(),
        "errors": [p.as_dict() for p in plan.errors],
        "notes": [p.as_dict() for p in plan.notes],
        "people": people,
    }


# ---------------------------------------------------------------------------------------
# Reading a file


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_roster(path: Path, *, on_progress: Progress = _no_progress) -> ParsedRoster:
    """Check the file's type and parse it. Raises ``RosterUnreadable`` with the reason."""
    try:
        files.check_workbook(path, settings.ROSTER_MAX_BYTES)
        # A file object, not a path: openpyxl would refuse a workbook named .xls by its
        # name alone, and the content has already been checked.
        with path.open("rb") as fh:
            return parse.parse_workbook(fh, on_progress=lambda d, t: on_progress(READING, d, t))
    except parse.RosterFileError as error:
        raise RosterUnreadable(error.message) from error


def analyse_roster(
    *, school: School, path: Path, on_progress: Progress = _no_progress
) -> ImportPlan:
    """The dry run: parse and plan, write nothing."""
    parsed = read_roster(path, on_progress=on_progress)
    return plan_import(school=school, parsed=parsed, on_progress=on_progress)


# ---------------------------------------------------------------------------------------
# The commit


@dataclass(frozen=True)
class ImportResult:
    counts: dict[str, int]
    changed_staff_numbers: list[str]
    audit_seq: int


def import_roster(
    *,
    actor: Any,
    school: School,
    path: Path,
    filename: str,
    on_progress: Progress = _no_progress,
    on_commit: Callable[[ImportResult], None] | None = None,
) -> ImportResult:
    """Import the roster at ``path`` into ``school``, all or nothing.

    The file is parsed outside the transaction; then, with the school row and the
    school's people locked, the plan is made again against the current records (what a
    preview showed may be stale) and written. ``on_commit`` runs inside the same
    transaction after the writes (the web flow marks its upload record there).

    Raises ``RosterUnreadable`` for a file that cannot be read, ``RosterInvalid`` (with
    the plan) when any row breaks a rule, ``Conflict`` when someone else changed the same
    people meanwhile. Nothing is written in any of these cases.

    Audit: one ``people.roster.imported`` entry with the file name, SHA-256, counts, the
    changed staff numbers and, per person, what was created or changed."""
    sha256 = sha256_of(path)
    parsed = read_roster(path, on_progress=on_progress)
    try:
        with transaction.atomic():
            # Serialises imports into one school: the second waits and then plans against
            # what the first wrote.
            School.objects.select_for_update().filter(pk=school.pk).first()
            plan = plan_import(school=school, parsed=parsed, lock=True, on_progress=on_progress)
            if plan.errors:
                raise RosterInvalid(plan)
            result = _write(
                actor=actor,
                school=school,
                plan=plan,
                filename=filename,
                sha256=sha256,
                on_progress=on_progress,
            )
            if on_commit is not None:
                on_commit(result)
    except IntegrityError as error:
        raise Conflict(
            _(
                "导入期间本校教职工数据被他人同时修改（工号或身份证号冲突），未导入任何数据。请重新上传预览后再导入。"
            )
        ) from error
    return result


def _insert(model: type[models.Model], objects: list[Any]) -> None:
    """INSERT new ``objects``; callers read their keys back if they need them.

    PostgreSQL gets ``bulk_create``, which sends each batch as one UNNEST statement.
    On SQLite ``bulk_create`` builds a multi-row VALUES statement whose assembly costs
    about 2.2 s of Python per 10,000 people; one ``executemany`` of a single-row INSERT
    takes 0.5 s. Its values go through each field's own ``pre_save`` and
    ``get_db_prep_save``, as ``bulk_create``'s do."""
    if not objects:
        return
    if connection.vendor != "sqlite":
        model._default_manager.bulk_create(objects)
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key and f.column]
    quote = connection.ops.quote_name
    # Only the model's own table and column names, quoted, go into the text; every value
    # is a parameter.
    columns = ", ".join(quote(f.column) for f in fields if f.column)
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({columns}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    rows = [
        tuple(f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields)
        for obj in objects
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _batches(items: list[Any], size: int = WRITE_BATCH) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _write(
    *,
    actor: Any,
    school: School,
    plan: ImportPlan,
    filename: str,
    sha256: str,
    on_progress: Progress,
) -> ImportResult:
    now = timezone.now()
    created = [p for p in plan.people if p.action == CREATED]
    updated = [p for p in plan.people if p.action == UPDATED]
    total = len(created) + len(updated)
    total += sum(
        len(p.history_add) + len(p.honours_add) + len(p.appraisals_add) for p in plan.people
    )
    done = 0
    on_progress(WRITING, done, total)

    for batch in _batches(created):
        objects = []
        for item in batch:
            person = Person(
                school=school, **item.values, **national_id.protected_fields(item.national_id or "")
            )
            objects.append(person)
            item.person = person
        _insert(Person, objects)
        done += len(batch)
        on_progress(WRITING, done, total)
    if created:
        keys = dict(Person.objects.filter(school=school).values_list("staff_number", "pk"))
        for item in created:
            assert item.person is not None
            item.person.pk = keys[item.staff_number]

    changed_fields: set[str] = set()
    to_update = []
    for item in updated:
        target = item.person
        assert target is not None
        for name, value in item.values.items():
            setattr(target, name, value)
        if item.national_id is not None:
            for name, value in national_id.protected_fields(item.national_id).items():
                setattr(target, name, value)
            changed_fields.update(
                ("national_id_encrypted", "national_id_digest", "national_id_masked")
            )
        if item.values or item.national_id is not None:
            target.updated_at = now
            changed_fields.update(item.values)
            to_update.append(target)
    for batch in _batches(to_update):
        Person.objects.bulk_update(batch, sorted(changed_fields | {"updated_at"}))
    done += len(updated)
    on_progress(WRITING, done, total)

    history = []
    for item in plan.people:
        assert item.person is not None
        for row, post_id in item.history_add:
            history.append(
                PostHistory(
                    person=item.person, post_id=post_id, start=row.start, end=row.end, note=row.note
                )
            )
    for batch in _batches(history):
        _insert(PostHistory, batch)
        done += len(batch)
        on_progress(WRITING, done, total)
    history_updates = []
    for item in plan.people:
        for entry, change in item.history_update:
            for name, (_old, new) in change.items():
                setattr(entry, name, new)
            history_updates.append(entry)
    if history_updates:
        PostHistory.objects.bulk_update(history_updates, ["end", "note"], batch_size=WRITE_BATCH)

    honours = []
    for item in plan.people:
        assert item.person is not None
        for honour in item.honours_add:
            honours.append(
                Honour(
                    person=item.person,
                    title=" ".join(honour.title.split()),
                    level=honour.level,
                    year=honour.year,
                    note=honour.note,
                )
            )
    for batch in _batches(honours):
        _insert(Honour, batch)
        done += len(batch)
        on_progress(WRITING, done, total)
    honour_updates = []
    for item in plan.people:
        for stored, change in item.honours_update:
            stored.note = change["note"][1]
            honour_updates.append(stored)
    if honour_updates:
        Honour.objects.bulk_update(honour_updates, ["note"], batch_size=WRITE_BATCH)

    appraisals = [
        AnnualAppraisal(
            person=item.person, year=row.year, grade=AppraisalGrade(row.grade), note=row.note
        )
        for item in plan.people
        for row in item.appraisals_add
    ]
    for batch in _batches(appraisals):
        _insert(AnnualAppraisal, batch)
        done += len(batch)
        on_progress(WRITING, done, total)
    appraisal_updates: list[AnnualAppraisal] = []
    for item in plan.people:
        for stored_appraisal, change in item.appraisals_update:
            for name, (_old, new) in change.items():
                setattr(stored_appraisal, name, new)
            appraisal_updates.append(stored_appraisal)
    if appraisal_updates:
        AnnualAppraisal.objects.bulk_update(
            appraisal_updates, ["grade", "note"], batch_size=WRITE_BATCH
        )

    counts = plan.counts()
    counts.pop("errors", None)
    changed = [p.staff_number for p in created + updated]
    # One entry for the whole import, with each person's detail inside it. An entry per
    # person (record() per row) costs about 1-2 ms each — 10-20 s for a 10,000-row roster,
    # several times the import itself — because every append locks and moves the chain
    # head; the single entry keeps the import within its time budget and is just as
    # tamper-evident.
    audit = record(
        actor=actor,
        action="people.roster.imported",
        school=school,
        target=school,
        target_label=filename,
        new={
            "file": filename,
            "sha256": sha256,
            **counts,
            "changed_staff_numbers": changed,
            "people": {p.staff_number: _audit_detail(p) for p in created + updated},
        },
    )
    on_progress(WRITING, total, total)
    return ImportResult(counts=counts, changed_staff_numbers=changed, audit_seq=audit.seq)


def _audit_detail(item: PersonPlan) -> dict[str, Any]:
    """What changed for one person, in the codes and values the registry's own audit
    entries use (national ID masked)."""
    detail: dict[str, Any] = {
        "action": item.action,
        "person": item.person.pk if item.person else None,
    }
    if item.action == CREATED:
        detail["new"] = {k: new for k, (_old, new) in item.changes.items()}
    elif item.changes:
        detail["old"] = {k: old for k, (old, _new) in item.changes.items()}
        detail["new"] = {k: new for k, (_old, new) in item.changes.items()}
    if item.history_add:
        detail["post_history_added"] = [
            {"post": post_id, "start": row.start, "end": row.end, "note": row.note}
            for row, post_id in item.history_add
        ]
    if item.history_update:
        detail["post_history_updated"] = [
            {"row": entry.pk, **{k: {"old": old, "new": new} for k, (old, new) in change.items()}}
            for entry, change in item.history_update
        ]
    if item.honours_add:
        detail["honours_added"] = [
            {"title": h.title, "level": h.level, "year": h.year, "note": h.note}
            for h in item.honours_add
        ]
    if item.honours_update:
        detail["honours_updated"] = [
            {"row": stored.pk, "note": {"old": change["note"][0], "new": change["note"][1]}}
            for stored, change in item.honours_update
        ]
    if item.appraisals_add:
        detail["appraisals_added"] = [
            {"year": a.year, "grade": str(a.grade), "note": a.note} for a in item.appraisals_add
        ]
    if item.appraisals_update:
        detail["appraisals_updated"] = [
            {
                "row": entry.pk,
                "year": entry.year,
                **{k: {"old": old, "new": new} for k, (old, new) in change.items()},
            }
            for entry, change in item.appraisals_update
        ]
    return detail
