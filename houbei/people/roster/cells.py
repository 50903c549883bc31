"""Reading one spreadsheet cell the way a Chinese personnel office writes it.

Pure functions, no ORM: each takes the raw value openpyxl gives (str, int, float,
datetime, bool or None) and returns the parsed value or raises ``CellError`` with a
user-safe Chinese reason. The callers add the sheet, row and column."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from openpyxl.utils.datetime import CALENDAR_WINDOWS_1900, from_excel

# Characters a spreadsheet would run as a formula; export prefixes such a text with an
# apostrophe (OWASP "CSV injection"), so import strips that apostrophe again.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# A formula character after any number of apostrophes: what the export quotes (so that
# a text that already starts with an apostrophe also reads back unchanged).
_FORMULA_LIKE = re.compile("'*[" + re.escape("".join(FORMULA_TRIGGERS)) + "]")


def looks_like_formula(text: str) -> bool:
    return _FORMULA_LIKE.match(text) is not None


EARLIEST_YEAR = 1900
LATEST_YEAR = 2100


class CellError(ValueError):
    """The cell's value cannot be read; ``str(error)`` is the reason, in Chinese."""


def normalise(text: str) -> str:
    """Full-width digits, letters and punctuation to their plain forms (NFKC), every kind
    of space (including the ideographic space U+3000 and no-break spaces) removed."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def text_of(value: Any) -> str:
    """A cell as trimmed text: whole numbers without ``.0``, dates as ISO dates.

    Inner spaces are kept (a title may need them) but runs of them, including U+3000,
    collapse to one plain space."""
    if type(value) is str:  # most cells: checked first, this runs for every cell
        text = " ".join(value.split())
        if text[:1] == "'" and looks_like_formula(text[1:]):
            text = text[1:]
        return text
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return " ".join(str(value).split())


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def name_of(value: Any) -> str:
    """A person's name. Rosters pad two-character names to line up (``王  静``); a name
    written in Chinese characters has no spaces, so they go. Other names keep one space."""
    text = unicodedata.normalize("NFKC", text_of(value)).strip()
    if any("\u4e00" <= ch <= "\u9fff" for ch in text):
        return "".join(text.split())
    return " ".join(text.split())


def staff_number_of(value: Any) -> str:
    if isinstance(value, float) and not value.is_integer():
        raise CellError(
            _("工号“%(value)s”不是整数，请把工号列设为文本格式后重填。") % {"value": value}
        )
    return normalise(text_of(value))


@dataclass(frozen=True, slots=True)
class ParsedDate:
    value: dt.date
    # The source gave only a year and a month; the day was set to the 1st.
    month_only: bool = False
    # How the value was understood when that is not obvious (e.g. 2010.1 as October).
    remark: str = ""


_DATE = re.compile(r"^(\d{4})[./\-年](\d{1,2})(?:(?:[./\-月])(\d{1,2})日?|月)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})?$")
_TIME_SUFFIX = re.compile(r"^(\S+)\s+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$")


def _make_date(year: int, month: int, day: int | None, source: str) -> ParsedDate:
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        raise CellError(_("日期“%(value)s”的年份不在1900至2100年之间。") % {"value": source})
    if not 1 <= month <= 12:
        raise CellError(_("日期“%(value)s”的月份不存在。") % {"value": source})
    try:
        return ParsedDate(dt.date(year, month, day or 1), month_only=day is None)
    except ValueError:
        raise CellError(_("日期“%(value)s”不存在。") % {"value": source}) from None


def date_of(value: Any, *, epoch: dt.datetime = CALENDAR_WINDOWS_1900) -> ParsedDate:
    """A date from a real Excel date, a number or a text such as ``2010.09``,
    ``2010-9-1``, ``2010/9/1``, ``2010年9月``, ``2010年9月1日`` or ``20100901`` (full-width
    digits and stray spaces allowed). A month without a day becomes the 1st."""
    if isinstance(value, dt.datetime):
        return _make_date(value.year, value.month, value.day, text_of(value))
    if isinstance(value, dt.date):
        return _make_date(value.year, value.month, value.day, value.isoformat())
    if isinstance(value, bool | dt.time | dt.timedelta):
        raise CellError(_("“%(value)s”不是日期。") % {"value": text_of(value)})
    if isinstance(value, int | float):
        return _date_of_number(value, epoch)
    raw = unicodedata.normalize("NFKC", str(value)).strip()
    timed = _TIME_SUFFIX.match(raw)
    if timed:
        raw = timed.group(1)
    text = "".join(raw.split()).rstrip(".")
    match = _DATE.match(text)
    if match:
        year, month, day = match.groups()
        return _make_date(int(year), int(month), int(day) if day else None, str(value).strip())
    match = _COMPACT.match(text)
    if match:
        year, month, day = match.groups()
        return _make_date(int(year), int(month), int(day) if day else None, str(value).strip())
    if re.fullmatch(r"\d{4}年?", text):
        raise CellError(
            _("日期“%(value)s”只有年份，请至少写到月份（如2010.09）。") % {"value": text}
        )
    raise CellError(
        _("无法识别的日期“%(value)s”，请写成 2010-09-01、2010.09 或 2010年9月 这样的形式。")
        % {"value": str(value).strip()}
    )


def _date_of_number(value: float, epoch: dt.datetime) -> ParsedDate:
    if isinstance(value, float) and not value.is_integer():
        # 2010.09 typed into a number cell. Excel drops the trailing zero of October, so
        # 2010.1 was typed as 2010.10: two decimals read every month right.
        text = f"{value:.2f}"
        year, month = text.split(".")
        parsed = _make_date(int(year), int(month), None, text)
        remark = ""
        if text.endswith("0"):
            remark = _("数字 %(value)s 按 %(year)s年%(month)s月 理解。") % {
                "value": value,
                "year": year,
                "month": int(month),
            }
        return ParsedDate(parsed.value, month_only=True, remark=remark)
    number = int(value)
    digits = str(number)
    if len(digits) in (6, 8) and EARLIEST_YEAR <= int(digits[:4]) <= LATEST_YEAR:
        return _date_of_number_text(digits)
    if len(digits) == 4 and EARLIEST_YEAR <= number <= LATEST_YEAR:
        raise CellError(
            _("日期“%(value)s”只有年份，请至少写到月份（如2010.09）。") % {"value": number}
        )
    if 0 < number < 100000:
        # An Excel date serial in a cell that lost its date format.
        day = from_excel(number, epoch)
        return _make_date(day.year, day.month, day.day, digits)
    raise CellError(_("“%(value)s”不是日期。") % {"value": digits})


def _date_of_number_text(digits: str) -> ParsedDate:
    day = int(digits[6:8]) if len(digits) == 8 else None
    return _make_date(int(digits[:4]), int(digits[4:6]), day, digits)


def year_of(value: Any) -> int:
    """A year: ``2019``, ``2019年``, ``2019年度``, ``2019学年`` or a date in that year."""
    if isinstance(value, dt.date):
        return value.year
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        text = str(value)
    else:
        text = normalise(text_of(value))
    match = re.fullmatch(r"(\d{4})(?:年度?|学年度?|年)?", text)
    if not match:
        match = re.fullmatch(r"(\d{4})[./\-年].*", text)
    if not match:
        raise CellError(_("年度“%(value)s”应为四位年份，如2019。") % {"value": text_of(value)})
    return int(match.group(1))


def choice_of(value: Any, mapping: dict[str, Any], *, accepted: str) -> Any:
    """Look a label up in ``mapping`` (keys normalised: no spaces, half-width, lower case)."""
    key = normalise(text_of(value)).lower()
    if key in mapping:
        return mapping[key]
    raise CellError(
        _("“%(value)s”无法识别，可填：%(accepted)s。")
        % {"value": text_of(value), "accepted": accepted}
    )


def choice_map(pairs: dict[Any, tuple[str, ...]]) -> dict[str, Any]:
    """Invert ``{code: (label, synonym, ...)}`` into a lookup of normalised labels."""
    out: dict[str, Any] = {}
    for code, labels in pairs.items():
        for label in labels:
            out[normalise(label).lower()] = code
    return out
