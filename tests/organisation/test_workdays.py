"""The working-day calendar: known facts of the national schedule, overrides, the
weekend fallback that warns, and properties of the arithmetic (hypothesis)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import RequestFactory
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from houbei.organisation import workdays as wd
from houbei.organisation.models import WorkdayOverride, WorkdayYear
from houbei.organisation.workdays import DayType, OverrideEntry, WorkdayCalendar

D = dt.date
PLAIN = WorkdayCalendar()  # the package alone


# --- Known facts --------------------------------------------------------------------------


def test_national_day_2024_is_a_seven_day_holiday():
    for day in range(1, 8):
        info = PLAIN.describe(D(2024, 10, day))
        assert not info.is_workday
        assert info.type == DayType.HOLIDAY
        assert info.name == "国庆节"
    assert PLAIN.is_workday(D(2024, 10, 8)).value


def test_national_day_2024_adjusted_working_days_are_workdays():
    for day in (D(2024, 9, 29), D(2024, 10, 12)):  # a Sunday and a Saturday
        assert day.weekday() >= 5
        info = PLAIN.describe(day)
        assert info.is_workday
        assert info.type == DayType.ADJUSTED_WORKDAY
        assert info.name == "国庆节"


def test_spring_festival_2021_holidays_and_adjusted_days():
    for offset in range(7):
        day = D(2021, 2, 11) + dt.timedelta(days=offset)
        assert PLAIN.describe(day).type == DayType.HOLIDAY
        assert PLAIN.describe(day).name == "春节"
    assert PLAIN.describe(D(2021, 2, 7)).type == DayType.ADJUSTED_WORKDAY
    assert PLAIN.describe(D(2021, 2, 20)).type == DayType.ADJUSTED_WORKDAY
    # 7 Feb (Sunday, worked), 8–10 Feb, 18–19 Feb, 20 Feb (Saturday, worked).
    assert PLAIN.working_days_in(D(2021, 2, 7), D(2021, 2, 20)).value == 7


def test_plain_weekend_and_weekday():
    assert PLAIN.describe(D(2024, 11, 16)).type == DayType.WEEKEND
    assert PLAIN.describe(D(2024, 11, 15)).type == DayType.WORKDAY


def test_notice_over_national_day_counts_adjusted_sunday_and_skips_holiday():
    # 公示 from Friday 27 Sep 2024 for 5 working days: 27 Sep, 29 Sep (adjusted Sunday),
    # 30 Sep, then the holiday, then 8 and 9 Oct.
    answer = PLAIN.end_of_period(D(2024, 9, 27), 5)
    assert answer.value == D(2024, 10, 9)
    assert answer.is_certain and answer.warnings == []


def test_add_working_days_does_not_count_the_start_day():
    assert PLAIN.add_working_days(D(2024, 9, 30), 1).value == D(2024, 10, 8)
    assert PLAIN.add_working_days(D(2024, 11, 15), 1).value == D(2024, 11, 18)


def test_end_of_period_counts_a_working_start_day_and_skips_a_resting_one():
    assert PLAIN.end_of_period(D(2024, 11, 11), 1).value == D(2024, 11, 11)
    assert PLAIN.end_of_period(D(2024, 11, 16), 1).value == D(2024, 11, 18)  # Saturday start


def test_working_days_between_excludes_start_includes_end():
    assert PLAIN.working_days_between(D(2024, 11, 11), D(2024, 11, 15)).value == 4
    assert PLAIN.working_days_in(D(2024, 11, 11), D(2024, 11, 15)).value == 5
    assert PLAIN.working_days_between(D(2024, 11, 11), D(2024, 11, 11)).value == 0


def test_zero_working_days_returns_the_start():
    assert PLAIN.add_working_days(D(2024, 10, 1), 0).value == D(2024, 10, 1)


@pytest.mark.parametrize(
    "call",
    [
        lambda: PLAIN.add_working_days(D(2024, 1, 1), -1),
        lambda: PLAIN.end_of_period(D(2024, 1, 1), 0),
        lambda: PLAIN.working_days_between(D(2024, 1, 2), D(2024, 1, 1)),
        lambda: PLAIN.working_days_in(D(2024, 1, 2), D(2024, 1, 1)),
    ],
)
def test_invalid_arguments_raise(call):
    with pytest.raises(ValueError):
        call()


def test_an_oracle_without_working_days_fails_instead_of_looping():
    with pytest.raises(ValueError):
        wd.add_working_days(D(2024, 1, 1), 1, lambda day: False)


# --- Years the package does not cover -----------------------------------------------------


def test_year_beyond_the_package_falls_back_to_weekends_and_warns():
    year = wd.package_years().stop  # the first year the package has no data for
    assert not wd.package_covers(year)
    monday = D(year, 3, 1) - dt.timedelta(days=D(year, 3, 1).weekday())
    answer = PLAIN.add_working_days(monday, 5)
    assert answer.value == monday + dt.timedelta(days=7)  # Mon → next Mon, Sat/Sun skipped
    assert answer.assumed_years == {year}
    assert answer.warnings == [f"{year}年节假日安排尚未录入，按周末计算"]
    assert PLAIN.describe(monday).assumed
    assert PLAIN.missing_years([year - 1, year]) == [year]


def test_crossing_into_an_uncovered_year_names_only_that_year():
    last = wd.package_years().stop - 1
    answer = PLAIN.add_working_days(D(last, 12, 28), 5)
    assert answer.assumed_years == {last + 1}


def test_a_confirmed_year_follows_the_weekend_rule_without_warning():
    year = wd.package_years().stop
    cal = WorkdayCalendar({}, frozenset({year}))
    answer = cal.add_working_days(D(year, 3, 1), 10)
    assert answer.is_certain
    assert cal.covers(year)
    assert not cal.describe(D(year, 3, 1)).assumed


def test_month_grid_reports_assumed_years():
    year = wd.package_years().stop
    grid = PLAIN.month(year, 5)
    assert grid.warnings == [f"{year}年节假日安排尚未录入，按周末计算"]
    assert PLAIN.month(2024, 5).warnings == []


# --- Overrides ----------------------------------------------------------------------------


def test_override_wins_over_the_package():
    cal = WorkdayCalendar({D(2024, 10, 8): OverrideEntry(False, "补休")})
    assert cal.add_working_days(D(2024, 9, 30), 1).value == D(2024, 10, 9)
    info = cal.describe(D(2024, 10, 8))
    assert info.overridden and info.type == DayType.HOLIDAY and info.name == "补休"
    assert info.package_is_workday is True


def test_override_in_an_uncovered_year_is_certain_for_that_day():
    year = wd.package_years().stop
    day = D(year, 1, 1)
    cal = WorkdayCalendar({day: OverrideEntry(False, "元旦")})
    answer = cal.is_workday(day)
    assert answer.value is False and answer.is_certain
    assert cal.describe(day).type == DayType.HOLIDAY


def test_override_turning_a_weekend_into_work_is_an_adjusted_working_day():
    year = wd.package_years().stop
    saturday = D(year, 2, 6) + dt.timedelta(days=(5 - D(year, 2, 6).weekday()) % 7)
    cal = WorkdayCalendar({saturday: OverrideEntry(True, "春节")})
    assert cal.describe(saturday).type == DayType.ADJUSTED_WORKDAY


@pytest.mark.django_db
def test_load_calendar_reads_overrides_and_confirmed_years(django_assert_num_queries):
    year = wd.package_years().stop
    WorkdayOverride.objects.create(date=D(2024, 10, 8), kind="holiday", name="补休", reason="测试")
    WorkdayYear.objects.create(year=year, source="通知")
    with django_assert_num_queries(2):
        cal = wd.load_calendar()
    assert cal.is_workday(D(2024, 10, 8)).value is False
    assert cal.covers(year)


@pytest.mark.django_db
def test_calendar_for_loads_once_per_request(django_assert_num_queries):
    request = RequestFactory().get("/")
    with django_assert_num_queries(2):
        first = wd.calendar_for(request)
        second = wd.calendar_for(request)
    assert first is second


# --- Properties ---------------------------------------------------------------------------

FIRST = D(wd.package_years().stop - 3, 1, 1)
LAST = D(wd.package_years().stop + 1, 12, 31)  # two years beyond the package's data

days = st.dates(min_value=FIRST, max_value=LAST)
overrides = st.dictionaries(
    days, st.builds(OverrideEntry, is_workday=st.booleans(), name=st.just("")), max_size=30
)
calendars = st.builds(
    WorkdayCalendar,
    overrides=overrides,
    confirmed_years=st.frozensets(st.sampled_from([LAST.year - 1, LAST.year]), max_size=1),
)
counts = st.integers(min_value=0, max_value=40)


@settings(max_examples=150, deadline=None)
@given(cal=calendars, start=days, n=st.integers(min_value=1, max_value=40))
def test_result_of_adding_working_days_is_a_working_day(cal, start, n):
    assert cal.is_workday(cal.add_working_days(start, n).value).value


@settings(max_examples=150, deadline=None)
@given(cal=calendars, start=days, n=counts)
def test_exactly_n_working_days_lie_between_start_and_result(cal, start, n):
    result = cal.add_working_days(start, n)
    assert cal.working_days_between(start, result.value).value == n
    # Every day in between that is not the result is counted: nothing is skipped.
    assert result.value >= start


@settings(max_examples=150, deadline=None)
@given(cal=calendars, start=days, n=counts)
def test_adding_is_strictly_monotone_in_n(cal, start, n):
    assert cal.add_working_days(start, n).value < cal.add_working_days(start, n + 1).value


@settings(max_examples=150, deadline=None)
@given(cal=calendars, start=days, a=counts, b=counts)
def test_adding_composes(cal, start, a, b):
    step = cal.add_working_days(start, a).value
    assert cal.add_working_days(step, b).value == cal.add_working_days(start, a + b).value


@settings(max_examples=150, deadline=None)
@given(cal=calendars, first=days, n=st.integers(min_value=1, max_value=40))
def test_a_period_of_n_working_days_contains_exactly_n(cal, first, n):
    end = cal.end_of_period(first, n)
    assert cal.working_days_in(first, end.value).value == n
    assert cal.is_workday(end.value).value
    assert end.value == cal.add_working_days(first - dt.timedelta(days=1), n).value


@settings(max_examples=150, deadline=None)
@given(cal=calendars, a=days, b=days)
def test_between_and_in_differ_by_the_first_day(cal, a, b):
    assume(a <= b)
    inclusive = cal.working_days_in(a, b).value
    exclusive = cal.working_days_between(a, b).value
    assert inclusive - exclusive == int(cal.is_workday(a).value)


@settings(max_examples=150, deadline=None)
@given(cal=calendars, start=days, n=counts)
def test_warnings_name_exactly_the_uncovered_years_touched(cal, start, n):
    result = cal.add_working_days(start, n)
    touched = set()
    day = start + dt.timedelta(days=1)
    while day <= result.value:
        if cal.describe(day).assumed:
            touched.add(day.year)
        day += dt.timedelta(days=1)
    assert result.assumed_years == touched
    assert all(not cal.covers(y) for y in result.assumed_years)
