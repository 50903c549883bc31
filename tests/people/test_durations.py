"""Pure date arithmetic of the registry: merged post intervals and years-and-months."""

from __future__ import annotations

import datetime as dt
import itertools
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from houbei.people import durations as d

D = dt.date
days = st.dates(min_value=D(1960, 1, 1), max_value=D(2040, 12, 31))


@st.composite
def intervals(draw: st.DrawFn) -> tuple[dt.date, dt.date | None]:
    start = draw(days)
    if draw(st.booleans()):
        return start, None
    return start, start + dt.timedelta(days=draw(st.integers(0, 4000)))


interval_lists = st.lists(intervals(), max_size=8)


# --- years and months ---------------------------------------------------------------


def test_leap_day_completes_its_year_on_28_february() -> None:
    assert d.years_months_between(D(2020, 2, 29), D(2021, 2, 28)) == (1, 0)
    assert d.years_months_between(D(2020, 2, 29), D(2021, 2, 27)) == (0, 11)
    assert d.years_months_between(D(2020, 2, 29), D(2024, 2, 28)) == (3, 11)
    assert d.years_months_between(D(2020, 2, 29), D(2024, 2, 29)) == (4, 0)


def test_month_end_start_completes_a_month_at_the_next_month_end() -> None:
    assert d.years_months_between(D(2021, 1, 31), D(2021, 2, 28)) == (0, 1)
    assert d.years_months_between(D(2020, 1, 31), D(2020, 2, 28)) == (0, 0)
    assert d.years_months_between(D(2020, 1, 31), D(2020, 2, 29)) == (0, 1)
    assert d.years_months_between(D(2021, 3, 31), D(2021, 4, 30)) == (0, 1)


def test_years_months_of_a_plain_stretch() -> None:
    assert d.years_months_between(D(2016, 9, 1), D(2021, 3, 31)) == (4, 6)
    assert d.years_months_between(D(2016, 9, 1), D(2021, 4, 1)) == (4, 7)
    assert d.years_months_between(D(2021, 5, 5), D(2021, 5, 5)) == (0, 0)


def test_years_months_refuses_a_reversed_pair() -> None:
    with pytest.raises(ValueError):
        d.years_months_between(D(2021, 1, 2), D(2021, 1, 1))


@given(days, days, days)
def test_years_months_is_monotone_in_the_end(a: dt.date, b: dt.date, c: dt.date) -> None:
    a, b, c = sorted((a, b, c))
    assert d.years_months_between(a, b) <= d.years_months_between(a, c)
    # …and does not grow when the start moves later.
    assert d.years_months_between(b, c) <= d.years_months_between(a, c)


@given(days, st.integers(0, 600))
def test_years_months_agrees_with_adding_months(a: dt.date, n: int) -> None:
    assert d.years_months_between(a, d.add_months(a, n)) == divmod(n, 12)
    # One day short of the n-th month is one month less (n > 0).
    if n:
        assert d.months_between(a, d.add_months(a, n) - dt.timedelta(days=1)) == n - 1


@given(days, days)
def test_ages_match_the_latest_birth_date_bound(birth: dt.date, on: dt.date) -> None:
    """``latest_start_for_years`` is exactly the bound a database filter needs."""
    if on < birth:
        birth, on = on, birth
    age = d.full_years_between(birth, on)
    assert birth <= d.latest_start_for_years(age, on)
    assert birth > d.latest_start_for_years(age + 1, on)


def test_age_bound_on_28_february_includes_leap_day_births() -> None:
    assert d.latest_start_for_years(1, D(2021, 2, 28)) == D(2020, 2, 29)
    assert d.full_years_between(D(2020, 2, 29), D(2021, 2, 28)) == 1


def test_format_years_months_reads_like_a_personnel_form() -> None:
    assert d.format_years_months(4, 7) == "4年7个月"
    assert d.format_years_months(3, 0) == "3年"
    assert d.format_years_months(0, 7) == "7个月"
    assert d.format_years_months(0, 0) == "不足1个月"


# --- intervals ----------------------------------------------------------------------

AS_OF = D(2026, 1, 1)


def test_merge_joins_overlapping_touching_and_repeated_intervals() -> None:
    merged = d.merge_intervals(
        [
            (D(2015, 9, 1), D(2018, 8, 31)),
            (D(2018, 9, 1), D(2019, 8, 31)),  # touching: the next day
            (D(2017, 1, 1), D(2017, 6, 30)),  # inside
            (D(2015, 9, 1), D(2018, 8, 31)),  # repeated
            (D(2021, 9, 1), None),  # open: counted to as_of
            (D(2027, 1, 1), None),  # not begun yet
        ],
        AS_OF,
    )
    assert merged == [(D(2015, 9, 1), D(2019, 8, 31)), (D(2021, 9, 1), AS_OF)]


def test_merge_keeps_a_one_day_gap_apart() -> None:
    merged = d.merge_intervals([(D(2015, 1, 1), D(2015, 1, 10)), (D(2015, 1, 12), None)], AS_OF)
    assert len(merged) == 2


def test_closed_three_school_years_are_exactly_three_years() -> None:
    assert d.interval_years_months(D(2015, 9, 1), D(2018, 8, 31), AS_OF) == (3, 0)
    assert d.merged_years_months(
        [(D(2010, 9, 1), D(2012, 8, 31)), (D(2015, 9, 1), D(2016, 8, 31))], AS_OF
    ) == (3, 0)


def test_total_days_counts_both_end_days() -> None:
    assert d.total_days([(D(2020, 1, 1), D(2020, 1, 1))], AS_OF) == 1
    assert d.total_days([(D(2020, 1, 1), D(2020, 12, 31))], AS_OF) == 366


def test_interval_ending_before_it_starts_is_refused() -> None:
    with pytest.raises(ValueError):
        d.merge_intervals([(D(2020, 1, 2), D(2020, 1, 1))], AS_OF)


@given(interval_lists, days)
def test_merge_is_order_independent(items: list[d.Interval], as_of: dt.date) -> None:
    shuffled = list(items)
    random.Random(len(items)).shuffle(shuffled)
    assert d.merge_intervals(items, as_of) == d.merge_intervals(shuffled, as_of)
    assert d.merge_intervals(items, as_of) == d.merge_intervals(list(reversed(items)), as_of)


@given(interval_lists, days)
def test_merge_is_idempotent(items: list[d.Interval], as_of: dt.date) -> None:
    once = d.merge_intervals(items, as_of)
    assert d.merge_intervals(once, as_of) == once
    # Sorted, disjoint and not touching.
    for (_, end), (start, _) in itertools.pairwise(once):
        assert start > end + dt.timedelta(days=1)


@given(interval_lists, intervals(), days)
def test_total_never_decreases_when_an_interval_is_added(
    items: list[d.Interval], extra: d.Interval, as_of: dt.date
) -> None:
    assert d.total_days([*items, extra], as_of) >= d.total_days(items, as_of)
    assert d.merged_years_months([*items, extra], as_of) >= d.merged_years_months(items, as_of)


@given(interval_lists, days)
def test_total_is_at_most_the_span(items: list[d.Interval], as_of: dt.date) -> None:
    clipped = d.clip(items, as_of)
    total = d.total_days(items, as_of)
    if not clipped:
        assert total == 0
        return
    span = (max(e for _, e in clipped) - min(s for s, _ in clipped)).days + 1
    assert total <= span
    # …and at least the longest single interval.
    assert total >= max((e - s).days + 1 for s, e in clipped)
