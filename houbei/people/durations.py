"""Lengths of service, ages and merged post intervals — pure date arithmetic.

Conventions (the ones a Chinese personnel office uses, after 民法典 第二百零三条: a period
counted in months or years ends on the corresponding day of the last month, or on that
month's last day when it has no such day):

* A month is complete on the same day of the next month; when that month has no such day
  (31 January → February), on its last day. So 2020-01-31 → 2020-02-29 is one month, and a
  year that starts on 29 February is complete on 28 February of a non-leap year:
  ``years_months_between(2020-02-29, 2021-02-28) == (1, 0)``. Ages follow the same rule,
  so someone born on 29 February turns a year older on 28 February in non-leap years.
* A post interval is closed: ``end`` is the last day in post and counts. An open end
  (``None``) means "still in post" and is read as the as-of day, which also counts. The
  length of a closed interval in years and months is therefore measured from ``start`` to
  the day after ``end``: 2015-09-01 … 2018-08-31 is exactly 3 years.
* Intervals that start after the as-of day have not begun and count for nothing; ends after
  the as-of day are cut back to it.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable

from django.utils.translation import gettext as _

Interval = tuple[dt.date, dt.date | None]
ClosedInterval = tuple[dt.date, dt.date]

_ONE_DAY = dt.timedelta(days=1)


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by ``months`` (negative allowed), clamped to the end of a shorter month."""
    index = day.year * 12 + (day.month - 1) + months
    year, month0 = divmod(index, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return dt.date(year, month0 + 1, min(day.day, last))


def add_years(day: dt.date, years: int) -> dt.date:
    """``day`` moved by whole years; 29 February becomes 28 February in a non-leap year."""
    return add_months(day, 12 * years)


def months_between(a: dt.date, b: dt.date) -> int:
    """Whole months completed from ``a`` to ``b``: the largest k with add_months(a, k) <= b.

    Raises ValueError when ``b`` is before ``a``."""
    if b < a:
        raise ValueError(f"{b} is before {a}")
    months = (b.year - a.year) * 12 + (b.month - a.month)
    if add_months(a, months) > b:
        months -= 1
    return months


def years_months_between(a: dt.date, b: dt.date) -> tuple[int, int]:
    """Completed (years, months) from ``a`` to ``b`` (``b`` >= ``a``); see the module notes."""
    years, months = divmod(months_between(a, b), 12)
    return years, months


def full_years_between(a: dt.date, b: dt.date) -> int:
    """Completed years from ``a`` to ``b``, e.g. an age (周岁) when ``a`` is the birth date."""
    return months_between(a, b) // 12


def latest_start_for_years(years: int, as_of: dt.date) -> dt.date:
    """The latest day ``a`` with ``full_years_between(a, as_of) >= years``.

    Used to turn "aged at least N on as_of" into a date bound a database can use. Because
    29 February completes its year on 28 February, on a non-leap 28 February the bound of a
    leap base year is the 29th, not the 28th."""
    bound = add_years(as_of, -years)
    if (
        as_of.month == 2
        and as_of.day == 28
        and not calendar.isleap(as_of.year)
        and calendar.isleap(bound.year)
    ):
        bound = dt.date(bound.year, 2, 29)
    return bound


def clip(intervals: Iterable[Interval], as_of: dt.date) -> list[ClosedInterval]:
    """Closed intervals as of ``as_of``: open ends become ``as_of``, later ends are cut back,
    intervals not yet begun are dropped. Raises ValueError on an end before its start."""
    out: list[ClosedInterval] = []
    for start, end in intervals:
        if end is not None and end < start:
            raise ValueError(f"interval ends ({end}) before it starts ({start})")
        if start > as_of:
            continue
        out.append((start, as_of if end is None or end > as_of else end))
    return out


def merge_intervals(intervals: Iterable[Interval], as_of: dt.date) -> list[ClosedInterval]:
    """The union of the intervals as of ``as_of``: sorted, disjoint closed intervals.

    Overlapping, repeated and touching intervals (one ends the day before the next starts)
    become one. The result does not depend on the input order, and merging a merged list
    returns it unchanged."""
    merged: list[ClosedInterval] = []
    for start, end in sorted(clip(intervals, as_of)):
        if merged and start <= merged[-1][1] + _ONE_DAY:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def total_days(intervals: Iterable[Interval], as_of: dt.date) -> int:
    """Days covered by the union of the intervals, both end days counted."""
    return sum((end - start).days + 1 for start, end in merge_intervals(intervals, as_of))


def interval_years_months(start: dt.date, end: dt.date | None, as_of: dt.date) -> tuple[int, int]:
    """Length of one post interval in (years, months), its last day counted (see notes).

    An interval that has not begun by ``as_of`` has length (0, 0)."""
    clipped = clip([(start, end)], as_of)
    if not clipped:
        return 0, 0
    first, last = clipped[0]
    return years_months_between(first, last + _ONE_DAY)


def merged_years_months(intervals: Iterable[Interval], as_of: dt.date) -> tuple[int, int]:
    """Total service over the union of the intervals, in (years, months).

    Each merged stretch is measured in whole months and the months are added up, as a
    personnel office adds "2年3个月 + 1年" by hand; the odd days of each stretch are not
    carried over, so the total never overstates the service."""
    months = sum(
        months_between(start, end + _ONE_DAY) for start, end in merge_intervals(intervals, as_of)
    )
    years, rest = divmod(months, 12)
    return years, rest


def format_years_months(years: int, months: int) -> str:
    """ "4年7个月", "3年", "7个月"; less than a month reads "不足1个月"."""
    if years and months:
        return _("%(years)d年%(months)d个月") % {"years": years, "months": months}
    if years:
        return _("%(years)d年") % {"years": years}
    if months:
        return _("%(months)d个月") % {"months": months}
    return _("不足1个月")
