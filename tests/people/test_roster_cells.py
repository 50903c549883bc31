"""Reading single cells: dates in every form schools type them, names, choices."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from houbei.people.roster.cells import (
    CellError,
    date_of,
    name_of,
    staff_number_of,
    text_of,
    year_of,
)


@pytest.mark.parametrize(
    ("raw", "expected", "month_only"),
    [
        ("2010.09", dt.date(2010, 9, 1), True),
        ("2010-9-1", dt.date(2010, 9, 1), False),
        ("2010/9/1", dt.date(2010, 9, 1), False),
        ("2010年9月", dt.date(2010, 9, 1), True),
        ("2010年9月1日", dt.date(2010, 9, 1), False),
        ("2010年09月01日", dt.date(2010, 9, 1), False),
        ("20100901", dt.date(2010, 9, 1), False),
        ("201009", dt.date(2010, 9, 1), True),
        ("２０１０．０９", dt.date(2010, 9, 1), True),  # full-width digits and dot
        ("２０１０年９月１日", dt.date(2010, 9, 1), False),
        ("\u30002010.9.1 ", dt.date(2010, 9, 1), False),  # ideographic space
        ("2010 - 09 - 01", dt.date(2010, 9, 1), False),
        ("2010-09-01 00:00:00", dt.date(2010, 9, 1), False),
        ("2010.09.", dt.date(2010, 9, 1), True),
        (dt.datetime(2010, 9, 1), dt.date(2010, 9, 1), False),
        (dt.date(2010, 9, 1), dt.date(2010, 9, 1), False),
        (20100901, dt.date(2010, 9, 1), False),
        (2010.09, dt.date(2010, 9, 1), True),
        (2010.1, dt.date(2010, 10, 1), True),  # typed 2010.10, Excel dropped the zero
        (40422, dt.date(2010, 9, 1), False),  # an Excel serial that lost its format
    ],
)
def test_date_of_reads_every_common_form(raw, expected, month_only) -> None:
    parsed = date_of(raw)
    assert parsed.value == expected
    assert parsed.month_only is month_only


def test_date_of_explains_a_float_month_it_reinterprets() -> None:
    assert "2010年10月" in date_of(2010.1).remark
    assert date_of(2010.09).remark == ""


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("2010.13", "月份不存在"),
        ("2010-02-30", "不存在"),
        ("2010", "只有年份"),
        (2010, "只有年份"),
        ("去年九月", "无法识别"),
        ("1850-01-01", "1900至2100"),
        (True, "不是日期"),
    ],
)
def test_date_of_refuses_with_a_reason(raw, reason) -> None:
    with pytest.raises(CellError, match=reason):
        date_of(raw)


def test_name_of_drops_padding_spaces_in_chinese_names() -> None:
    assert name_of("王  静") == "王静"
    assert name_of("王\u3000静") == "王静"
    assert name_of(" Anna  Li ") == "Anna Li"


def test_staff_number_of_reads_numbers_and_full_width_digits() -> None:
    assert staff_number_of(1001) == "1001"
    assert staff_number_of(1001.0) == "1001"
    assert staff_number_of("１００１ ") == "1001"
    with pytest.raises(CellError):
        staff_number_of(10.5)


def test_text_of_strips_the_apostrophe_the_export_adds_before_formula_characters() -> None:
    assert text_of("'=1+2") == "=1+2"
    assert text_of("'+86 138") == "+86 138"
    assert text_of("'abc") == "'abc"


@pytest.mark.parametrize(
    ("raw", "year"),
    [
        (2019, 2019),
        ("2019年", 2019),
        ("2019年度", 2019),
        ("2019学年", 2019),
        (dt.date(2019, 6, 1), 2019),
        (2019.0, 2019),
    ],
)
def test_year_of_reads_common_forms(raw, year) -> None:
    assert year_of(raw) == year


FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@given(day=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_date_of_reads_back_any_day_written_any_supported_way(day: dt.date) -> None:
    forms = [
        day.isoformat(),
        f"{day.year}-{day.month}-{day.day}",
        f"{day.year}/{day.month}/{day.day}",
        f"{day.year}.{day.month:02d}.{day.day:02d}",
        f"{day.year}年{day.month}月{day.day}日",
        f"{day:%Y%m%d}",
        f"{day.year}年{day.month}月{day.day}日".translate(FULL_WIDTH),
        f"\u3000{day.isoformat()} ",
        dt.datetime(day.year, day.month, day.day),
    ]
    for form in forms:
        parsed = date_of(form)
        assert (parsed.value, parsed.month_only) == (day, False), form
    for form in (f"{day.year}.{day.month:02d}", f"{day.year}年{day.month}月", f"{day:%Y%m}"):
        parsed = date_of(form)
        assert (parsed.value, parsed.month_only) == (day.replace(day=1), True), form
