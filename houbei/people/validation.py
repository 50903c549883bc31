"""The registry's input rules, in one place for the forms, the services and the importer.

Each function takes plain values (already parsed: dates as ``date``, choices as their
codes) and returns ``{field: [message, ...]}``; an empty dict means the input is acceptable.
Messages are user-safe Chinese that name the field, so they read correctly in a form, an
API answer or a line of an import report ("第3行 入校时间：…")."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from houbei.organisation.models import School

from . import durations, national_id
from .models import (
    EARLIEST_APPRAISAL_YEAR,
    AnnualAppraisal,
    AppraisalGrade,
    Education,
    Establishment,
    Gender,
    Honour,
    HonourLevel,
    Person,
    PoliticalStatus,
    PostHistory,
    PostStatus,
)

Errors = dict[str, list[str]]

# Nobody works before 16 (劳动法 第十五条), and a date more than a year ahead is a typo,
# not a plan.
MIN_WORKING_AGE = 16
FUTURE_HORIZON = dt.timedelta(days=366)
EARLIEST_DATE = dt.date(1900, 1, 1)
EARLIEST_HONOUR_YEAR = 1949
_PHONE = re.compile(r"^\+?[0-9][0-9 ()\-]{5,18}[0-9]$")

# The editable fields of a person, in form order; the services accept exactly these.
PERSON_FIELDS: tuple[str, ...] = (
    "staff_number",
    "name",
    "gender",
    "birth_date",
    "started_work_on",
    "joined_school_on",
    "establishment",
    "post_status",
    "political_status",
    "education",
    "title",
    "subject",
    "fit_for_duty",
    "fit_for_duty_on",
    "phone",
    "email",
    "user",
)
_TEXT_FIELDS = ("staff_number", "name", "title", "subject", "phone", "email")
_CHOICES = {
    "gender": Gender,
    "establishment": Establishment,
    "post_status": PostStatus,
    "political_status": PoliticalStatus,
    "education": Education,
}


def label(field: str) -> str:
    """The Chinese name of a person field, e.g. ``joined_school_on`` → 入校时间."""
    if field == "national_id":
        return _("身份证号")
    return str(getattr(Person._meta.get_field(field), "verbose_name", field))


def normalise_person_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """Trim text, collapse inner spaces of the name, and turn None text into ""."""
    out = dict(values)
    for field in _TEXT_FIELDS:
        if field in out:
            out[field] = (out[field] or "").strip()
    if "name" in out:
        out["name"] = " ".join(out["name"].split())
    if "education" in out and out["education"] is None:
        out["education"] = ""
    return out


def _others(qs: Any, pk: int | None) -> Any:
    """``qs`` without the row being edited (none when creating)."""
    return qs if pk is None else qs.exclude(pk=pk)


def _add(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _max_length(field: str, model: Any = Person) -> int:
    return int(getattr(model._meta.get_field(field), "max_length", 0) or 0)


def _check_length(errors: Errors, field: str, value: Any, limit: int, name: str) -> None:
    # The database would refuse the value with an error no user should see.
    if limit and isinstance(value, str) and len(value) > limit:
        _add(
            errors,
            field,
            _("%(field)s不能超过%(n)d个字（现有%(has)d个）。")
            % {"field": name, "n": limit, "has": len(value)},
        )


def _fmt(day: dt.date) -> str:
    return day.isoformat()


def _check_date_range(
    errors: Errors, field: str, day: dt.date | None, *, today: dt.date, allow_future: bool = True
) -> bool:
    """Refuse dates before 1900 or more than a year ahead (or any future day)."""
    if day is None:
        return False
    name = label(field)
    if day < EARLIEST_DATE:
        _add(
            errors,
            field,
            _("%(field)s（%(day)s）早于1900年，请检查。") % {"field": name, "day": _fmt(day)},
        )
        return False
    limit = today + FUTURE_HORIZON if allow_future else today
    if day > limit:
        if allow_future:
            message = _("%(field)s（%(day)s）超过今天一年以上，请检查。")
        else:
            message = _("%(field)s（%(day)s）不能晚于今天。")
        _add(errors, field, message % {"field": name, "day": _fmt(day)})
        return False
    return True


def national_id_errors(
    raw: str,
    *,
    school: School,
    person_pk: int | None,
    birth_date: dt.date | None,
    gender: str | None,
) -> Errors:
    """Checksum, embedded birth date and sex, and uniqueness (by digest) in the school."""
    errors: Errors = {}
    number = national_id.normalise(raw)
    if not number:
        return errors
    if not national_id.is_valid(number):
        _add(errors, "national_id", _("身份证号格式或校验位不正确，请核对18位号码。"))
        return errors
    try:
        embedded = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        _add(errors, "national_id", _("身份证号中的出生日期不存在，请核对。"))
        return errors
    if birth_date is not None and embedded != birth_date:
        _add(
            errors,
            "national_id",
            _("身份证号中的出生日期（%(embedded)s）与出生日期（%(birth)s）不一致。")
            % {"embedded": _fmt(embedded), "birth": _fmt(birth_date)},
        )
    # GB 11643: the 17th digit is odd for men, even for women.
    embedded_gender = Gender.MALE if int(number[16]) % 2 else Gender.FEMALE
    if gender in Gender.values and embedded_gender != gender:
        _add(
            errors,
            "national_id",
            _("身份证号显示的性别（%(embedded)s）与所填性别不一致。")
            % {"embedded": embedded_gender.label},
        )
    clash = (
        _others(
            Person.objects.filter(school=school, national_id_digest=national_id.digest(number)),
            person_pk,
        )
        .only("name", "staff_number")
        .first()
    )
    if clash is not None:
        _add(
            errors,
            "national_id",
            _("该身份证号已登记在本校教职工 %(name)s（工号 %(number)s）名下。")
            % {"name": clash.name, "number": clash.staff_number},
        )
    return errors


def person_errors(
    values: Mapping[str, Any],
    *,
    school: School,
    person_pk: int | None = None,
    national_id_raw: str | None = None,
    today: dt.date,
) -> Errors:
    """Every rule on a person's values (the complete set after the change).

    ``national_id_raw`` is the number being entered, or None when it is not being changed."""
    errors: Errors = {}
    staff_number = values.get("staff_number") or ""
    if not staff_number:
        _add(errors, "staff_number", _("请填写工号。"))
    elif _others(
        Person.objects.filter(school=school, staff_number=staff_number), person_pk
    ).exists():
        _add(
            errors,
            "staff_number",
            _("工号 %(number)s 已被本校其他教职工使用（含已归档档案）。")
            % {"number": staff_number},
        )
    if not values.get("name"):
        _add(errors, "name", _("请填写姓名。"))
    for field in _TEXT_FIELDS:
        _check_length(errors, field, values.get(field), _max_length(field), label(field))
    email = values.get("email") or ""
    if email and "email" not in errors:
        try:
            validate_email(email)
        except DjangoValidationError:
            _add(errors, "email", _("电子邮箱“%(email)s”格式不正确。") % {"email": email})
    for field, choices in _CHOICES.items():
        value = values.get(field)
        if field == "gender" and not value:
            _add(errors, "gender", _("请选择性别。"))
        elif value and value not in choices.values:
            _add(
                errors,
                field,
                _("%(field)s的取值“%(value)s”无效。") % {"field": label(field), "value": value},
            )

    birth = values.get("birth_date")
    birth_ok = _check_date_range(errors, "birth_date", birth, today=today, allow_future=False)
    if birth_ok and birth is not None and birth > durations.add_years(today, -MIN_WORKING_AGE):
        _add(errors, "birth_date", _("按出生日期计算未满16周岁，请检查出生日期。"))
        birth_ok = False
    started = values.get("started_work_on")
    joined = values.get("joined_school_on")
    started_ok = _check_date_range(errors, "started_work_on", started, today=today)
    joined_ok = _check_date_range(errors, "joined_school_on", joined, today=today)
    if birth_ok and birth is not None:
        earliest = durations.add_years(birth, MIN_WORKING_AGE)
        for field, day, ok in (
            ("started_work_on", started, started_ok),
            ("joined_school_on", joined, joined_ok),
        ):
            if ok and day is not None and day < earliest:
                _add(
                    errors,
                    field,
                    _("%(field)s（%(day)s）早于16周岁（%(earliest)s），请检查。")
                    % {"field": label(field), "day": _fmt(day), "earliest": _fmt(earliest)},
                )
    if started_ok and joined_ok and started and joined and joined < started:
        _add(
            errors,
            "joined_school_on",
            _("入校时间（%(joined)s）不能早于参加工作时间（%(started)s）。")
            % {"joined": _fmt(joined), "started": _fmt(started)},
        )

    fit, fit_on = values.get("fit_for_duty"), values.get("fit_for_duty_on")
    _check_date_range(errors, "fit_for_duty_on", fit_on, today=today, allow_future=False)
    if fit is not None and fit_on is None:
        _add(errors, "fit_for_duty_on", _("填写身心健康情况时，请同时填写健康确认日期。"))
    if fit is None and fit_on is not None:
        _add(errors, "fit_for_duty", _("填写了健康确认日期，请选择身心健康情况（是或否）。"))

    phone = values.get("phone") or ""
    if phone and not _PHONE.match(phone):
        _add(
            errors,
            "phone",
            _("联系电话“%(phone)s”格式不正确，只能包含数字、空格、括号和连字符。")
            % {"phone": phone},
        )

    user = values.get("user")
    if user is not None:
        if user.school_id != school.pk:
            _add(errors, "user", _("登录账号 %(user)s 不属于本校。") % {"user": user})
        else:
            other = _others(Person.objects.filter(user=user), person_pk).only("name").first()
            if other is not None:
                _add(
                    errors,
                    "user",
                    _("登录账号 %(user)s 已关联教职工 %(name)s。")
                    % {"user": user, "name": other.name},
                )

    if national_id_raw:
        for field, messages in national_id_errors(
            national_id_raw,
            school=school,
            person_pk=person_pk,
            birth_date=birth if birth_ok else None,
            gender=values.get("gender"),
        ).items():
            errors.setdefault(field, []).extend(messages)
    return errors


def post_history_errors(
    *,
    person: Person,
    post: Any,
    start: dt.date | None,
    end: dt.date | None,
    row_pk: int | None = None,
    note: str = "",
    today: dt.date,
) -> Errors:
    """A history row: a post of the person's school, start <= end, plausible dates, and no
    overlap with another row of the same post (two rows for one stint are a double entry;
    different posts held at once are normal)."""
    errors: Errors = {}
    _check_length(errors, "note", note, _max_length("note", PostHistory), _("备注"))
    if post is None:
        _add(errors, "post", _("请选择岗位。"))
    elif post.school_id != person.school_id:
        _add(errors, "post", _("岗位“%(post)s”不属于本校。") % {"post": post})
    if start is None:
        _add(errors, "start", _("请填写任职开始日期。"))
        return errors
    for field, day in (("start", start), ("end", end)):
        if day is None:
            continue
        name = _("开始日期") if field == "start" else _("结束日期")
        if day < EARLIEST_DATE:
            _add(
                errors,
                field,
                _("%(field)s（%(day)s）早于1900年，请检查。") % {"field": name, "day": _fmt(day)},
            )
        elif day > today + FUTURE_HORIZON:
            _add(
                errors,
                field,
                _("%(field)s（%(day)s）超过今天一年以上，请检查。")
                % {"field": name, "day": _fmt(day)},
            )
    if end is not None and end < start:
        _add(
            errors,
            "end",
            _("结束日期（%(end)s）不能早于开始日期（%(start)s）。")
            % {"end": _fmt(end), "start": _fmt(start)},
        )
    if person.birth_date is not None:
        earliest = durations.add_years(person.birth_date, MIN_WORKING_AGE)
        if start < earliest:
            _add(
                errors,
                "start",
                _("开始日期（%(day)s）早于本人16周岁（%(earliest)s），请检查。")
                % {"day": _fmt(start), "earliest": _fmt(earliest)},
            )
    if errors or post is None:
        return errors
    far = dt.date.max
    rows = _others(PostHistory.objects.filter(person=person, post=post), row_pk)
    for row in rows:
        if start <= (row.end or far) and row.start <= (end or far):
            _add(
                errors,
                "start",
                _(
                    "与已有的任职经历“%(post)s %(start)s 至 %(end)s”重叠；同一岗位的经历请合并为一条。"
                )
                % {
                    "post": post,
                    "start": _fmt(row.start),
                    "end": _fmt(row.end) if row.end else _("今"),
                },
            )
            break
    return errors


def honour_errors(
    *,
    person: Person,
    title: str,
    level: int | None,
    year: int | None,
    honour_pk: int | None = None,
    note: str = "",
    today: dt.date,
) -> Errors:
    """An honour: a title, a known level, a year between 1949 and this year, no duplicate."""
    errors: Errors = {}
    if not title:
        _add(errors, "title", _("请填写荣誉称号。"))
    _check_length(errors, "title", title, _max_length("title", Honour), _("荣誉称号"))
    _check_length(errors, "note", note, _max_length("note", Honour), _("备注"))
    if level not in HonourLevel.values:
        _add(errors, "level", _("请选择荣誉级别。"))
    if year is None:
        _add(errors, "year", _("请填写获得年度。"))
    elif not EARLIEST_HONOUR_YEAR <= year <= today.year:
        _add(
            errors,
            "year",
            _("获得年度（%(year)s）应在%(first)s年至%(last)s年之间。")
            % {"year": year, "first": EARLIEST_HONOUR_YEAR, "last": today.year},
        )
    if errors or level is None or year is None:
        return errors
    duplicate = _others(person.honours.filter(title=title, level=level, year=year), honour_pk)
    if duplicate.exists():
        _add(
            errors,
            "title",
            _("%(year)s年%(level)s“%(title)s”已登记，请勿重复录入。")
            % {"year": year, "level": HonourLevel(level).label, "title": title},
        )
    return errors


def annual_appraisal_value_errors(
    *,
    year: int | None,
    grade: str | None,
    note: str = "",
    started_work_on: dt.date | None = None,
    today: dt.date,
) -> Errors:
    """An annual appraisal's own values, without the database: a known grade, a year
    between 1949 and this year and not before the person started work (a dossier's
    历年考核 may go back before this school, never before the first job). The importer
    checks whole sheets with this; ``annual_appraisal_errors`` adds the duplicate check."""
    errors: Errors = {}
    _check_length(errors, "note", note, _max_length("note", AnnualAppraisal), _("备注"))
    if not grade:
        _add(errors, "grade", _("请选择考核等次。"))
    elif grade not in AppraisalGrade.values:
        _add(errors, "grade", _("考核等次的取值“%(value)s”无效。") % {"value": grade})
    if year is None:
        _add(errors, "year", _("请填写考核年度。"))
    elif not EARLIEST_APPRAISAL_YEAR <= year <= today.year:
        _add(
            errors,
            "year",
            _("考核年度（%(year)s）应在%(first)s年至%(last)s年之间。")
            % {"year": year, "first": EARLIEST_APPRAISAL_YEAR, "last": today.year},
        )
    elif started_work_on is not None and year < started_work_on.year:
        _add(
            errors,
            "year",
            _("考核年度（%(year)s）早于参加工作时间（%(started)s），请检查。")
            % {"year": year, "started": _fmt(started_work_on)},
        )
    return errors


def annual_appraisal_errors(
    *,
    person: Person,
    year: int | None,
    grade: str | None,
    note: str = "",
    appraisal_pk: int | None = None,
    today: dt.date,
) -> Errors:
    """An annual appraisal of ``person``: the value rules above, and one grade per year (a
    second one for the same year is refused, naming the grade already there)."""
    errors = annual_appraisal_value_errors(
        year=year, grade=grade, note=note, started_work_on=person.started_work_on, today=today
    )
    if errors or year is None:
        return errors
    stored = _others(person.annual_appraisals.filter(year=year), appraisal_pk).first()
    if stored is not None:
        _add(
            errors,
            "year",
            _(
                "%(year)s年度的考核等次已登记（%(grade)s），每人每年只有一个等次；如需更正，请修改该条记录。"
            )
            % {"year": year, "grade": stored.get_grade_display()},
        )
    return errors
