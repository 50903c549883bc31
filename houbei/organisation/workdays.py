"""Working days in mainland China: weekends, statutory holidays and adjusted working days
(调休上班), used to count public-notice periods (公示不少于5个工作日) and the like.

The national schedule comes from the maintained data package ``chinesecalendar`` (import
name ``chinese_calendar``), which covers the years it has data for and raises
``NotImplementedError`` for any other. An administrator records ``WorkdayOverride`` rows
for days the package does not know (a year it does not cover yet) or gets wrong; an
override always wins. Once every holiday of an uncovered year has been entered, the
administrator confirms the year (``WorkdayYear``) and its remaining days follow the plain
weekend rule.

For a day that neither the package, an override nor a confirmed year covers, the
calculations fall back to "Saturday and Sunday are rest days" and **say so**: every
answer carries the years that were assumed, and ``Answer.warnings`` turns them into the
message the UI shows ("2027年节假日安排尚未录入，按周末计算").

The core is pure: the functions take an *oracle*, ``day -> True`` (working day),
``False`` (rest day) or ``None`` (unknown), so they are tested without a database.
``WorkdayCalendar`` combines the package with a set of overrides; ``load_calendar()``
reads those from the database."""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
import enum
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

import chinese_calendar
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.http import HttpRequest

Oracle = Callable[[dt.date], bool | None]

ONE_DAY = dt.timedelta(days=1)

# No real calendar has this many rest days in a row (the longest, Spring Festival plus
# weekends, is under two weeks); meeting it means the oracle is broken, and an endless
# loop would be worse than an error.
MAX_REST_RUN = 120


def fallback_warning(year: int) -> str:
    """The message shown when ``year`` was counted by the weekend rule alone."""
    return gettext("%(year)s年节假日安排尚未录入，按周末计算") % {"year": year}


@dataclass(frozen=True)
class Answer[T]:
    """A result and the years for which the weekend rule had to stand in for the national
    schedule. An empty ``assumed_years`` means the answer is authoritative."""

    value: T
    assumed_years: frozenset[int] = frozenset()

    @property
    def is_certain(self) -> bool:
        return not self.assumed_years

    @property
    def warnings(self) -> list[str]:
        return [fallback_warning(year) for year in sorted(self.assumed_years)]


def weekend_rule(day: dt.date) -> bool:
    """Monday to Friday work, Saturday and Sunday rest."""
    return day.weekday() < 5


def resolve(day: dt.date, oracle: Oracle) -> tuple[bool, bool]:
    """``(is_working_day, assumed)``: the oracle's answer, or the weekend rule with
    ``assumed=True`` when the oracle does not know the day."""
    known = oracle(day)
    if known is None:
        return weekend_rule(day), True
    return known, False


def is_workday(day: dt.date, oracle: Oracle) -> Answer[bool]:
    working, assumed = resolve(day, oracle)
    return Answer(working, frozenset({day.year}) if assumed else frozenset())


def add_working_days(start: dt.date, n: int, oracle: Oracle) -> Answer[dt.date]:
    """The ``n``-th working day **after** ``start``; ``start`` itself is never counted.

    ``n = 0`` returns ``start`` unchanged (even if it is a rest day). For ``n >= 1`` the
    result is a working day and exactly ``n`` working days lie in ``(start, result]``.
    Use it for "N working days after an event" (e.g. a decision taken N working days
    after the notice closes). Raises ``ValueError`` for a negative ``n``."""
    if n < 0:
        raise ValueError("n must be >= 0")
    day, counted, rest_run = start, 0, 0
    assumed: set[int] = set()
    while counted < n:
        day += ONE_DAY
        working, guessed = resolve(day, oracle)
        if guessed:
            assumed.add(day.year)
        if working:
            counted, rest_run = counted + 1, 0
        else:
            rest_run += 1
            if rest_run > MAX_REST_RUN:
                raise ValueError(f"no working day in {MAX_REST_RUN} days after {day}")
    return Answer(day, frozenset(assumed))


def end_of_period(first_day: dt.date, n: int, oracle: Oracle) -> Answer[dt.date]:
    """The last day of a period of ``n`` working days that begins on ``first_day``.

    This is how a public notice is counted: "公示期自4月1日起5个工作日" includes 4月1日
    if it is a working day; if ``first_day`` is a rest day the period starts on the next
    working day. The result is the ``n``-th working day in ``[first_day, result]``, so
    the notice may close at the end of that day. Raises ``ValueError`` unless ``n >= 1``
    (a period of no working days has no last day).

    Equivalent to ``add_working_days(first_day - 1 day, n)``."""
    if n < 1:
        raise ValueError("n must be >= 1")
    return add_working_days(first_day - ONE_DAY, n, oracle)


def _count(days: Iterable[dt.date], oracle: Oracle) -> Answer[int]:
    total = 0
    assumed: set[int] = set()
    for day in days:
        working, guessed = resolve(day, oracle)
        total += working
        if guessed:
            assumed.add(day.year)
    return Answer(total, frozenset(assumed))


def _days(first: dt.date, last: dt.date) -> Iterator[dt.date]:
    day = first
    while day <= last:
        yield day
        day += ONE_DAY


def working_days_between(a: dt.date, b: dt.date, oracle: Oracle) -> Answer[int]:
    """Working days ``d`` with ``a < d <= b`` (``a`` excluded, ``b`` included).

    This is the inverse of ``add_working_days``: if ``add_working_days(a, n) == b`` then
    ``working_days_between(a, b) == n``. ``a == b`` gives 0. For the inclusive count of a
    period ``[first, last]`` (both ends counted, as a notice is) use ``working_days_in``.
    Raises ``ValueError`` if ``b < a``."""
    if b < a:
        raise ValueError("b must not be before a")
    return _count(_days(a + ONE_DAY, b), oracle)


def working_days_in(first: dt.date, last: dt.date, oracle: Oracle) -> Answer[int]:
    """Working days in ``[first, last]``, both ends included: how long a notice that ran
    from ``first`` to ``last`` actually was. Raises ``ValueError`` if ``last < first``."""
    if last < first:
        raise ValueError("last must not be before first")
    return _count(_days(first, last), oracle)


def last_working_day_on_or_before(day: dt.date, oracle: Oracle) -> Answer[dt.date]:
    """``day`` if it is a working day, else the closest working day before it."""
    assumed: set[int] = set()
    for _step in range(MAX_REST_RUN + 1):
        working, guessed = resolve(day, oracle)
        if guessed:
            assumed.add(day.year)
        if working:
            return Answer(day, frozenset(assumed))
        day -= ONE_DAY
    raise ValueError(f"no working day in {MAX_REST_RUN} days before {day}")


# --- The national data package --------------------------------------------------------


def package_oracle(day: dt.date) -> bool | None:
    """The package's answer, or None for a year it has no data for."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return None


@cache
def package_covers(year: int) -> bool:
    return package_oracle(dt.date(year, 1, 1)) is not None


def package_years() -> range:
    """The years the installed package has data for."""
    years = [d.year for d in chinese_calendar.constants.holidays]
    return range(min(years), max(years) + 1)


# The package names holidays in English; these are the Chinese names it also carries.
_HOLIDAY_NAMES: dict[str, str] = {h.value: h.chinese for h in chinese_calendar.Holiday}


def package_detail(day: dt.date) -> tuple[bool, str] | None:
    """``(is_working_day, Chinese holiday name or "")`` from the package, or None when it
    does not cover the year. An adjusted working day carries the name of the holiday it
    belongs to (2024-09-29 → 国庆节)."""
    try:
        resting, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return None
    return not resting, _HOLIDAY_NAMES.get(name, name or "")


# --- A calendar: package + overrides + confirmed years ----------------------------------


class DayType(enum.StrEnum):
    WORKDAY = "workday"
    WEEKEND = "weekend"
    HOLIDAY = "holiday"
    ADJUSTED_WORKDAY = "adjusted"

    @property
    def label(self) -> str:
        return str(_DAY_TYPE_LABELS[self])


_DAY_TYPE_LABELS = {
    DayType.WORKDAY: _("工作日"),
    DayType.WEEKEND: _("周末"),
    DayType.HOLIDAY: _("法定节假日"),
    DayType.ADJUSTED_WORKDAY: _("调休上班"),
}


@dataclass(frozen=True)
class OverrideEntry:
    """What an administrator recorded for one day."""

    is_workday: bool
    name: str = ""
    pk: int | None = None
    reason: str = ""


@dataclass(frozen=True)
class DayInfo:
    """Everything the month grid shows about a day."""

    day: dt.date
    is_workday: bool
    type: DayType
    name: str
    overridden: bool
    assumed: bool
    override: OverrideEntry | None = None
    package_is_workday: bool | None = None


@dataclass(frozen=True)
class MonthGrid:
    year: int
    month: int
    weeks: list[list[tuple[DayInfo, bool]]]  # (day, belongs to this month), Monday first
    assumed_years: frozenset[int]

    @property
    def first(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def previous(self) -> dt.date:
        return (self.first - ONE_DAY).replace(day=1)

    @property
    def next(self) -> dt.date:
        return (self.first + dt.timedelta(days=32)).replace(day=1)

    @property
    def warnings(self) -> list[str]:
        return [fallback_warning(year) for year in sorted(self.assumed_years)]


def _classify(day: dt.date, working: bool, name: str) -> DayType:
    weekend = day.weekday() >= 5
    if working:
        return DayType.ADJUSTED_WORKDAY if weekend else DayType.WORKDAY
    if name or not weekend:
        return DayType.HOLIDAY
    return DayType.WEEKEND


@dataclass(frozen=True)
class WorkdayCalendar:
    """The national calendar as this deployment knows it. Pure: built from plain data,
    so one instance can serve a whole request and tests need no database."""

    overrides: Mapping[dt.date, OverrideEntry] = field(default_factory=dict)
    confirmed_years: frozenset[int] = frozenset()

    def oracle(self, day: dt.date) -> bool | None:
        entry = self.overrides.get(day)
        if entry is not None:
            return entry.is_workday
        known = package_oracle(day)
        if known is not None:
            return known
        if day.year in self.confirmed_years:
            return weekend_rule(day)
        return None

    def covers(self, year: int) -> bool:
        """True if every day of ``year`` is known without the weekend fallback."""
        return package_covers(year) or year in self.confirmed_years

    def missing_years(self, years: Iterable[int]) -> list[int]:
        return sorted({y for y in years if not self.covers(y)})

    def is_workday(self, day: dt.date) -> Answer[bool]:
        return is_workday(day, self.oracle)

    def add_working_days(self, start: dt.date, n: int) -> Answer[dt.date]:
        return add_working_days(start, n, self.oracle)

    def end_of_period(self, first_day: dt.date, n: int) -> Answer[dt.date]:
        return end_of_period(first_day, n, self.oracle)

    def working_days_between(self, a: dt.date, b: dt.date) -> Answer[int]:
        return working_days_between(a, b, self.oracle)

    def working_days_in(self, first: dt.date, last: dt.date) -> Answer[int]:
        return working_days_in(first, last, self.oracle)

    def last_working_day_on_or_before(self, day: dt.date) -> Answer[dt.date]:
        return last_working_day_on_or_before(day, self.oracle)

    def describe(self, day: dt.date) -> DayInfo:
        detail = package_detail(day)
        package_working = detail[0] if detail is not None else None
        entry = self.overrides.get(day)
        if entry is not None:
            working, name = entry.is_workday, entry.name
            if not name and detail is not None and detail[0] == working:
                name = detail[1]
            return DayInfo(
                day,
                working,
                _classify(day, working, name),
                name,
                overridden=True,
                assumed=False,
                override=entry,
                package_is_workday=package_working,
            )
        if detail is not None:
            working, name = detail
            return DayInfo(
                day, working, _classify(day, working, name), name, False, False, None, working
            )
        working = weekend_rule(day)
        return DayInfo(
            day,
            working,
            _classify(day, working, ""),
            "",
            overridden=False,
            assumed=day.year not in self.confirmed_years,
        )

    def month(self, year: int, month: int) -> MonthGrid:
        weeks = []
        assumed: set[int] = set()
        for week in _calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
            row = []
            for day in week:
                info = self.describe(day)
                in_month = day.month == month
                if info.assumed and in_month:
                    assumed.add(day.year)
                row.append((info, in_month))
            weeks.append(row)
        return MonthGrid(year, month, weeks, frozenset(assumed))

    def holidays_named(self, year: int, word: str) -> list[dt.date]:
        """Rest days of ``year`` whose holiday name contains ``word`` (e.g. 春节), from the
        package and the overrides."""
        days = []
        day = dt.date(year, 1, 1)
        while day.year == year:
            info = self.describe(day)
            if not info.is_workday and word in info.name:
                days.append(day)
            day += ONE_DAY
        return days


def load_calendar() -> WorkdayCalendar:
    """The calendar with the overrides and confirmed years from the database (two small
    queries).

    Deliberately not cached across requests: an administrator's correction must take
    effect at once on every app server of a deployment, and reading a few dozen rows is
    cheaper than getting cross-process invalidation wrong. Within one request use
    ``calendar_for(request)``."""
    from .models import WorkdayOverride, WorkdayYear

    overrides = {
        o.date: OverrideEntry(is_workday=o.kind == "workday", name=o.name, pk=o.pk, reason=o.reason)
        for o in WorkdayOverride.objects.all()
    }
    years = frozenset(WorkdayYear.objects.values_list("year", flat=True))
    return WorkdayCalendar(overrides, years)


_REQUEST_ATTR = "_houbei_workday_calendar"


def calendar_for(request: HttpRequest | Any) -> WorkdayCalendar:
    """``load_calendar()`` once per request."""
    cal = getattr(request, _REQUEST_ATTR, None)
    if cal is None:
        cal = load_calendar()
        setattr(request, _REQUEST_ATTR, cal)
    return cal
