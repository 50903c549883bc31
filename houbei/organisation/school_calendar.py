"""School years, terms and review points as plain dates: the standard proposal and the
rules a set of dates must keep. Pure — the services store what these functions accept.

A 学年 runs from September to the following August. Shanghai-style terms:
第一学期 1 September to late January, 第二学期 mid/late February (after the Spring
Festival holiday) to 30 June. The plan asks for a review of each reserve cadre every half
term, so each term has two review points: 期中 in the middle, 期末 at the end."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .workdays import ONE_DAY, WorkdayCalendar

# The widest a school year may be: from one September to the end of the next August,
# with some room for a school that starts its year in late August.
MAX_YEAR_DAYS = 400


@dataclass(frozen=True)
class TermDates:
    start: dt.date
    end: dt.date
    midterm: dt.date
    final: dt.date


@dataclass(frozen=True)
class SchoolYearDates:
    start: dt.date
    end: dt.date
    first: TermDates
    second: TermDates

    def as_fields(self) -> dict[str, dt.date]:
        """Flat field names, as the forms and the audit trail use them."""
        return {
            "start": self.start,
            "end": self.end,
            "first_start": self.first.start,
            "first_end": self.first.end,
            "first_midterm": self.first.midterm,
            "first_final": self.first.final,
            "second_start": self.second.start,
            "second_end": self.second.end,
            "second_midterm": self.second.midterm,
            "second_final": self.second.final,
        }

    @classmethod
    def from_fields(cls, data: dict[str, dt.date]) -> SchoolYearDates:
        def term(prefix: str) -> TermDates:
            return TermDates(
                data[f"{prefix}_start"],
                data[f"{prefix}_end"],
                data[f"{prefix}_midterm"],
                data[f"{prefix}_final"],
            )

        return cls(data["start"], data["end"], term("first"), term("second"))


def _weekday_on_or_after(day: dt.date, weekday: int) -> dt.date:
    return day + dt.timedelta(days=(weekday - day.weekday()) % 7)


def _weekday_on_or_before(day: dt.date, weekday: int) -> dt.date:
    return day - dt.timedelta(days=(day.weekday() - weekday) % 7)


MONDAY, FRIDAY = 0, 4


def _first_school_day_after(day: dt.date, cal: WorkdayCalendar) -> dt.date:
    """The first Monday-to-Friday working day after ``day``: schools do not open a term
    on an adjusted Saturday or Sunday."""
    day += ONE_DAY
    while day.weekday() >= 5 or not cal.is_workday(day).value:
        day += ONE_DAY
    return day


def _review_points(start: dt.date, end: dt.date, cal: WorkdayCalendar) -> tuple[dt.date, dt.date]:
    """期中: the working day at or before the middle of the term; 期末: the term's last
    working day."""
    middle = start + dt.timedelta(days=(end - start).days // 2)
    midterm = cal.last_working_day_on_or_before(middle).value
    final = cal.last_working_day_on_or_before(end).value
    if midterm < start:  # a term made only of rest days is refused later; keep order here
        midterm = start
    return midterm, final


def propose_school_year(start_year: int, cal: WorkdayCalendar) -> SchoolYearDates:
    """Standard dates for the school year ``start_year``–``start_year + 1``.

    第一学期 starts on 1 September and ends on the last Friday of January — or, when the
    Spring Festival holiday begins in January, on the last Friday before it. 第二学期
    starts on the Monday on or after 15 February — or, when the Spring Festival holiday
    lasts beyond that, on the first weekday after it — and ends on 30 June. Where the calendar does not know the Spring
    Festival (a year not yet published), only the fixed rules apply. Review points fall
    on working days. These are proposals: the administrator edits them."""
    spring = start_year + 1
    year_start = dt.date(start_year, 9, 1)
    year_end = dt.date(spring, 8, 31)

    festival = cal.holidays_named(spring, "春节")
    first_end = _weekday_on_or_before(dt.date(spring, 1, 31), FRIDAY)
    if festival and festival[0] <= first_end:
        first_end = _weekday_on_or_before(festival[0] - ONE_DAY, FRIDAY)
    second_start = _weekday_on_or_after(dt.date(spring, 2, 15), MONDAY)
    if festival and festival[-1] >= second_start:
        second_start = _first_school_day_after(festival[-1], cal)
    second_end = dt.date(spring, 6, 30)

    first = TermDates(year_start, first_end, *_review_points(year_start, first_end, cal))
    second = TermDates(second_start, second_end, *_review_points(second_start, second_end, cal))
    return SchoolYearDates(year_start, year_end, first, second)


def term_label(number: int) -> str:
    return _("第一学期") if number == 1 else _("第二学期")


def check_term(
    number: int, term: TermDates, year_start: dt.date, year_end: dt.date, *, prefix: str = ""
) -> dict[str, list[str]]:
    """The rules of one term: it lies inside its school year and ends after it starts;
    期中 and 期末 lie inside it, 期中 first. Field names are ``start``, ``end``,
    ``midterm``, ``final`` after ``prefix``."""
    errors: dict[str, list[str]] = {}
    names = {"label": term_label(number)}

    def fail(name: str, message: str) -> None:
        errors.setdefault(prefix + name, []).append(message % names)

    if term.end <= term.start:
        fail("end", _("%(label)s结束日期必须晚于开学日期。"))
    if not year_start <= term.start <= year_end:
        fail("start", _("%(label)s开学日期不在学年起止日期之内。"))
    if not year_start <= term.end <= year_end:
        fail("end", _("%(label)s结束日期不在学年起止日期之内。"))
    if not term.start <= term.midterm <= term.end:
        fail("midterm", _("%(label)s期中考察日期不在本学期之内。"))
    if not term.start <= term.final <= term.end:
        fail("final", _("%(label)s期末考察日期不在本学期之内。"))
    if term.midterm >= term.final:
        fail("final", _("%(label)s期末考察日期必须晚于期中考察日期。"))
    return errors


TERMS_OVERLAP = gettext_lazy("第二学期开学日期必须晚于第一学期结束日期，两个学期不能重叠。")


def check_school_year(start_year: int, dates: SchoolYearDates) -> dict[str, list[str]]:
    """The broken rules, as ``{field name: [message, ...]}`` (empty if the dates are
    consistent). Field names are those of ``SchoolYearDates.as_fields``.

    Rules: the year starts in ``start_year``, ends after it starts and spans at most about
    a year; each term keeps ``check_term``; 第一学期 ends before 第二学期 starts."""
    errors: dict[str, list[str]] = {}

    def fail(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if dates.start.year != start_year:
        fail("start", _("学年开始日期应在%(year)s年内。") % {"year": start_year})
    if dates.end <= dates.start:
        fail("end", _("学年结束日期必须晚于开始日期。"))
    elif (dates.end - dates.start).days > MAX_YEAR_DAYS:
        fail("end", _("学年跨度不能超过一年。"))
    for number, prefix, term in ((1, "first_", dates.first), (2, "second_", dates.second)):
        for name, messages in check_term(
            number, term, dates.start, dates.end, prefix=prefix
        ).items():
            errors.setdefault(name, []).extend(messages)
    if dates.first.end >= dates.second.start:
        fail("second_start", str(TERMS_OVERLAP))
    return errors
