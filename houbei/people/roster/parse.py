"""Workbook → rows of plain values and a list of problems. No ORM, no database.

Rosters arrive as schools keep them: title rows above the header, merged cells, headers
in any order and under many names, dates typed every way, blank rows and a footer
(制表人、合计 …). This module finds the header row of each sheet, decides whether the
sheet lists people, post history, honours or annual appraisals (年度考核), reads every cell and reports every problem
with its sheet, row number (as Excel shows it), column header and reason.

What the rows *mean* for the school's records (new person, update, unknown post) is
decided later by ``services.plan_import`` against the database."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook
from openpyxl.utils.cell import column_index_from_string
from openpyxl.utils.datetime import CALENDAR_WINDOWS_1900
from openpyxl.utils.exceptions import InvalidFileException

from houbei.people import national_id
from houbei.people.models import (
    AppraisalGrade,
    Education,
    Establishment,
    Gender,
    HonourLevel,
    PoliticalStatus,
    PostStatus,
)

from . import cells
from .cells import CellError, ParsedDate

# How far down a sheet the header row may be (title rows, a date line, a blank row …).
HEADER_SEARCH_ROWS = 20
PROGRESS_EVERY_ROWS = 500

Progress = Callable[[int, int], None]


# ---------------------------------------------------------------------------------------
# Problems


@dataclass(frozen=True, slots=True)
class Problem:
    """An error (the import cannot go ahead) or a note (how a value was understood)."""

    sheet: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.sheet:
            where.append(_("工作表“%(sheet)s”") % {"sheet": self.sheet})
        if self.row is not None:
            where.append(_("第%(row)s行") % {"row": self.row})
        if self.column:
            where.append(_("“%(column)s”列") % {"column": self.column})
        return ("".join(where) + "：" if where else "") + self.message

    def as_dict(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Problem:
        return cls(data["sheet"], data["row"], data["column"], data["message"])


class RosterFileError(Exception):
    """The file as a whole cannot be read (wrong type, corrupt, encrypted, no header…)."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


# ---------------------------------------------------------------------------------------
# Columns


def _text(max_length: int) -> Callable[[Any, dt.datetime], str]:
    def read(value: Any, epoch: dt.datetime) -> str:
        text = cells.text_of(value)
        if len(text) > max_length:
            raise CellError(_("内容过长（最多%(n)s个字）。") % {"n": max_length})
        return text

    return read


def _name(value: Any, epoch: dt.datetime) -> str:
    text = cells.name_of(value)
    if len(text) > 40:
        raise CellError(_("姓名过长（最多40个字）。"))
    return text


def _staff_number(value: Any, epoch: dt.datetime) -> str:
    text = cells.staff_number_of(value)
    if len(text) > 30:
        raise CellError(_("工号过长（最多30个字符）。"))
    return text


def _date(value: Any, epoch: dt.datetime) -> ParsedDate:
    return cells.date_of(value, epoch=epoch)


def _phone(value: Any, epoch: dt.datetime) -> str:
    text = " ".join(unicodedata.normalize("NFKC", cells.text_of(value)).split())
    if len(text) > 30:
        raise CellError(_("联系电话过长（最多30个字符）。"))
    return text


def _email(value: Any, epoch: dt.datetime) -> str:
    text = cells.normalise(cells.text_of(value))
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", text) or len(text) > 254:
        raise CellError(_("电子邮箱“%(value)s”格式不正确。") % {"value": text})
    return text


def _national_id(value: Any, epoch: dt.datetime) -> str:
    """A valid, normalised number; a masked one (from an export) reads as absent."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        # 18 digits do not fit a spreadsheet number: the last three are already lost.
        raise CellError(
            _("身份证号被存成了数字，末几位可能已丢失；请把该列设为文本格式后重新填写。")
        )
    number = national_id.normalise(cells.text_of(value))
    if "*" in number:
        return ""
    if not national_id.is_valid(number):
        raise CellError(
            _("身份证号“%(value)s”位数或校验位不正确。") % {"value": cells.text_of(value)}
        )
    try:
        dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise CellError(_("身份证号中的出生日期不存在。")) from None
    return number


def _choice(mapping: dict[str, Any], accepted: str) -> Callable[[Any, dt.datetime], Any]:
    def read(value: Any, epoch: dt.datetime) -> Any:
        return cells.choice_of(value, mapping, accepted=accepted)

    return read


def _year(value: Any, epoch: dt.datetime) -> int:
    year = cells.year_of(value)
    if not cells.EARLIEST_YEAR <= year <= cells.LATEST_YEAR:
        raise CellError(_("年度“%(value)s”不在1900至2100年之间。") % {"value": year})
    return year


GENDERS = cells.choice_map(
    {Gender.MALE: ("男", "男性", "m", "male"), Gender.FEMALE: ("女", "女性", "f", "female")}
)
ESTABLISHMENTS = cells.choice_map(
    {
        Establishment.IN: (
            "在编",
            "编内",
            "是",
            "有",
            "有编制",
            "在编在岗",
            "事业编制",
            "事业编",
            "正式",
        ),
        Establishment.OUT: (
            "非在编",
            "编外",
            "不在编",
            "否",
            "无",
            "无编制",
            "合同制",
            "聘用",
            "劳务派遣",
            "代课",
            "临时",
        ),
    }
)
POST_STATUSES = cells.choice_map(
    {
        PostStatus.ON_DUTY: ("在岗", "在职", "是", "正常"),
        PostStatus.OFF_DUTY: ("离岗", "否", "不在岗", "病休", "长病假", "离岗待退", "停薪留职"),
        PostStatus.TRANSFERRED: ("调出", "调离", "离职", "已调出"),
        PostStatus.RETIRED: ("退休", "已退休"),
    }
)
POLITICAL_STATUSES = cells.choice_map(
    {
        PoliticalStatus.PARTY: ("中共党员", "党员", "共产党员", "中国共产党党员", "中共正式党员"),
        PoliticalStatus.PROBATIONARY: ("中共预备党员", "预备党员"),
        PoliticalStatus.LEAGUE: ("共青团员", "团员", "中国共产主义青年团团员"),
        # 无党派人士 belong to no party, which is what the registry's 群众 records.
        PoliticalStatus.MASSES: ("群众", "无", "无党派", "无党派人士"),
        PoliticalStatus.DEMOCRATIC: (
            "民主党派",
            "民革",
            "民盟",
            "民建",
            "民进",
            "农工党",
            "致公党",
            "九三学社",
            "台盟",
            "民革党员",
            "民盟盟员",
            "民建会员",
            "民进会员",
            "农工党党员",
            "致公党党员",
            "九三学社社员",
            "台盟盟员",
        ),
    }
)
EDUCATIONS = cells.choice_map(
    {
        Education.DOCTORATE: ("博士研究生", "博士", "博士研究生学历"),
        Education.MASTER: ("硕士研究生", "硕士", "研究生", "研究生学历"),
        Education.BACHELOR: ("大学本科", "本科", "大学", "本科学历"),
        Education.COLLEGE: ("大学专科", "专科", "大专", "大专学历"),
        Education.OTHER: ("其他", "中专", "中师", "高中", "初中"),
    }
)
FIT_FOR_DUTY = cells.choice_map(
    {
        True: ("是", "健康", "良好", "合格", "身心健康", "√", "✓", "y", "yes", "1"),
        False: ("否", "不健康", "不合格", "×", "n", "no", "0"),
    }
)
HONOUR_LEVELS = cells.choice_map(
    {
        HonourLevel.SCHOOL: ("校级", "校", "学校", "校级荣誉"),
        HonourLevel.DISTRICT: ("区级", "区", "区县级", "县级", "县区级"),
        HonourLevel.CITY: ("市级", "市"),
        HonourLevel.NATIONAL: ("国家级", "国家", "全国", "部级"),
    }
)


APPRAISAL_GRADES = cells.choice_map(
    {
        AppraisalGrade.EXCELLENT: ("优秀", "优", "优秀等次"),
        AppraisalGrade.QUALIFIED: ("合格", "合格等次", "称职"),
        AppraisalGrade.BASICALLY_QUALIFIED: ("基本合格", "基本称职"),
        AppraisalGrade.UNQUALIFIED: ("不合格", "不称职"),
        AppraisalGrade.UNGRADED: (
            "不定等次",
            "不确定等次",
            "不定档次",
            "不确定档次",
            "未定等次",
            "不定级",
            "只写评语",
        ),
    }
)
# Older files write the civil servants' words for the same four tiers; they are read as
# the public-institution grade, and the preview says so (see ``AppraisalGrade``).
CIVIL_SERVICE_WORDS = {"称职": "合格", "基本称职": "基本合格", "不称职": "不合格"}


@dataclass(frozen=True)
class Column:
    field: str
    header: Any  # the template's header (a lazy translation)
    synonyms: tuple[str, ...] = ()
    read: Callable[[Any, dt.datetime], Any] | None = None  # None: a column we recognise and skip
    # Template only: the drop-down's allowed labels.
    choices: tuple[Any, ...] = ()


def _labels(*labels: Any) -> tuple[Any, ...]:
    return labels


PERSON_COLUMNS: tuple[Column, ...] = (
    Column(
        "staff_number",
        gettext_lazy("工号"),
        ("教工号", "职工编号", "职工号", "教师编号", "教职工编号", "人员编号", "工作证号"),
        _staff_number,
    ),
    Column("name", gettext_lazy("姓名"), ("教师姓名", "职工姓名", "教职工姓名"), _name),
    Column("gender", gettext_lazy("性别"), (), _choice(GENDERS, "男、女"), _labels(*Gender.labels)),
    Column(
        "birth_date",
        gettext_lazy("出生日期"),
        ("出生年月", "生日", "出生年月日", "出生时间"),
        _date,
    ),
    Column(
        "national_id",
        gettext_lazy("身份证号"),
        ("身份证号码", "公民身份号码", "身份证", "身份证件号码", "证件号码"),
        _national_id,
    ),
    Column(
        "joined_school_on",
        gettext_lazy("入校时间"),
        (
            "进校时间",
            "来校时间",
            "调入本校时间",
            "入校日期",
            "进校日期",
            "来校日期",
            "到校时间",
            "调入时间",
            "来本校时间",
        ),
        _date,
    ),
    Column(
        "started_work_on",
        gettext_lazy("参加工作时间"),
        ("工作时间", "参加工作日期", "参工时间", "工作日期", "参加工作年月"),
        _date,
    ),
    Column(
        "establishment",
        gettext_lazy("编制"),
        ("编制情况", "是否在编", "编制类型", "编制性质"),
        _choice(ESTABLISHMENTS, "在编、非在编"),
        _labels(*Establishment.labels),
    ),
    Column(
        "post_status",
        gettext_lazy("在岗状态"),
        ("在岗情况", "是否在岗", "在职状态", "人员状态", "状态"),
        _choice(POST_STATUSES, "在岗、离岗、调出、退休"),
        _labels(*PostStatus.labels),
    ),
    Column(
        "political_status",
        gettext_lazy("政治面貌"),
        ("党派", "政治身份"),
        _choice(POLITICAL_STATUSES, "中共党员、中共预备党员、共青团员、群众、民主党派"),
        _labels(*PoliticalStatus.labels),
    ),
    Column(
        "education",
        gettext_lazy("学历"),
        ("最高学历", "学历层次", "文化程度"),
        _choice(EDUCATIONS, "博士研究生、硕士研究生、大学本科、大学专科、其他"),
        _labels(*Education.labels),
    ),
    Column(
        "title",
        gettext_lazy("职称"),
        ("专业技术职务", "专业技术职称", "专技职称", "职称名称"),
        _text(40),
    ),
    Column(
        "subject",
        gettext_lazy("任教学科"),
        ("学科", "任教科目", "所教学科", "教学科目", "任教课程"),
        _text(40),
    ),
    Column(
        "fit_for_duty",
        gettext_lazy("身心健康"),
        ("身心健康状况", "健康状况", "身体状况", "身体健康状况"),
        _choice(FIT_FOR_DUTY, "是、否"),
        _labels(gettext_lazy("是"), gettext_lazy("否")),
    ),
    Column(
        "fit_for_duty_on",
        gettext_lazy("健康确认日期"),
        ("健康确认时间", "体检日期", "体检时间"),
        _date,
    ),
    Column(
        "phone",
        gettext_lazy("联系电话"),
        ("电话", "手机", "手机号", "手机号码", "联系方式", "电话号码"),
        _phone,
    ),
    Column(
        "email", gettext_lazy("电子邮箱"), ("邮箱", "电子邮件", "email", "e-mail", "邮件"), _email
    ),
    Column("row_number", gettext_lazy("序号"), ("编号", "no", "no.")),
)

HISTORY_COLUMNS: tuple[Column, ...] = (
    PERSON_COLUMNS[0],
    PERSON_COLUMNS[1],
    Column(
        "post",
        gettext_lazy("岗位"),
        ("岗位名称", "任职岗位", "职务", "担任职务", "任职"),
        _text(60),
    ),
    Column(
        "start",
        gettext_lazy("开始"),
        ("开始时间", "开始日期", "起始时间", "起始日期", "任职时间", "起"),
        _date,
    ),
    Column(
        "end",
        gettext_lazy("结束"),
        ("结束时间", "结束日期", "截止时间", "截止日期", "离任时间", "止"),
        None,
    ),
    Column("period", gettext_lazy("起止时间"), ("任职起止时间", "起止日期", "任职期间", "时间段")),
    Column("note", gettext_lazy("备注"), ("说明",), _text(200)),
    PERSON_COLUMNS[-1],
)

HONOUR_COLUMNS: tuple[Column, ...] = (
    PERSON_COLUMNS[0],
    PERSON_COLUMNS[1],
    Column(
        "title",
        gettext_lazy("称号"),
        ("荣誉称号", "荣誉", "荣誉名称", "奖项", "获奖名称", "奖项名称"),
        _text(60),
    ),
    Column(
        "level",
        gettext_lazy("级别"),
        ("荣誉级别", "获奖级别", "等级"),
        _choice(HONOUR_LEVELS, "校级、区级、市级、国家级"),
        _labels(*HonourLevel.labels),
    ),
    Column(
        "year",
        gettext_lazy("年度"),
        ("获得年度", "获奖年度", "年份", "获奖时间", "获得时间"),
        _year,
    ),
    Column("note", gettext_lazy("备注"), ("说明",), _text(200)),
    PERSON_COLUMNS[-1],
)

APPRAISAL_COLUMNS: tuple[Column, ...] = (
    PERSON_COLUMNS[0],
    PERSON_COLUMNS[1],
    Column("year", gettext_lazy("考核年度"), ("年度", "年份", "考核年份"), _year),
    Column(
        "grade",
        gettext_lazy("考核等次"),
        (
            "等次",
            "年度考核等次",
            "考核结果",
            "年度考核结果",
            "考核档次",
            "档次",
            "年度考核",
            "考核等级",
        ),
        _choice(APPRAISAL_GRADES, "优秀、合格、基本合格、不合格、不定等次"),
        _labels(*AppraisalGrade.labels),
    ),
    Column("note", gettext_lazy("备注"), ("说明",), _text(200)),
    PERSON_COLUMNS[-1],
)

# Fields whose absence in a header row rules the sheet out for that kind.
REQUIRED = {
    "history": ("staff_number", "post"),
    "honours": ("staff_number", "title", "year"),
    "appraisals": ("staff_number", "year", "grade"),
    "people": ("staff_number", "name"),
}
COLUMNS = {
    "people": PERSON_COLUMNS,
    "history": HISTORY_COLUMNS,
    "honours": HONOUR_COLUMNS,
    "appraisals": APPRAISAL_COLUMNS,
}
# A row whose first filled cell starts with one of these ends the table.
FOOTER_WORDS = (
    "制表",
    "填表",
    "填报",
    "审核",
    "负责人",
    "合计",
    "总计",
    "共计",
    "小计",
    "备注",
    "注:",
    "说明",
    "盖章",
    "单位盖章",
    "单位(盖章)",
)
OPEN_END_WORDS = {"至今", "今", "现在", "目前", "在任", "在职"}
_PERIOD_SPLIT = re.compile(r"^(.+?)(?:--|—+|–|~|～|至|到|-(?=\d{4}|至今|今))(.*)$")


def header_key(value: Any) -> str:
    """A header cell reduced to what identifies it: no spaces, half-width, lower case,
    without remarks in brackets (``出生日期（格式：2010-09）``) or required-field stars."""
    text = cells.normalise(cells.text_of(value)).lower()
    text = re.sub(r"\(.*?\)|\[.*?\]|【.*?】", "", text)
    return text.strip("*★:：")


def _lookup(columns: Sequence[Column]) -> dict[str, Column]:
    table: dict[str, Column] = {}
    for column in columns:
        for name in (str(column.header), *column.synonyms):
            table[header_key(name)] = column
    return table


_LOOKUPS = {kind: _lookup(columns) for kind, columns in COLUMNS.items()}


# ---------------------------------------------------------------------------------------
# Parsed rows


@dataclass(slots=True)
class PersonRow:
    sheet: str
    row: int
    # Field → parsed value, only for cells that hold something. national_id is the
    # normalised clear number: it stays in memory and is never written to a preview.
    values: dict[str, Any]
    # Field → the header as written in this sheet, for messages.
    headers: dict[str, str]
    notes: list[str] = field(default_factory=list)

    @property
    def staff_number(self) -> str:
        return self.values["staff_number"]


@dataclass(slots=True)
class HistoryRow:
    sheet: str
    row: int
    staff_number: str
    name: str
    post: str
    start: dt.date
    end: dt.date | None
    note: str
    headers: dict[str, str]
    notes: list[str] = field(default_factory=list)


@dataclass(slots=True)
class HonourRow:
    sheet: str
    row: int
    staff_number: str
    name: str
    title: str
    level: int
    year: int
    note: str
    headers: dict[str, str]


@dataclass(slots=True)
class AppraisalRow:
    sheet: str
    row: int
    staff_number: str
    name: str
    year: int
    grade: str  # an AppraisalGrade code
    note: str
    headers: dict[str, str]
    notes: list[str] = field(default_factory=list)


@dataclass
class ParsedRoster:
    people: list[PersonRow] = field(default_factory=list)
    history: list[HistoryRow] = field(default_factory=list)
    honours: list[HonourRow] = field(default_factory=list)
    appraisals: list[AppraisalRow] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    # Sheet title → "people" | "history" | "honours" | "appraisals"
    sheets: dict[str, str] = field(default_factory=dict)
    # Which person fields the file carries (a column present in every people sheet or not:
    # the union), so the plan knows which fields a re-import may change.
    person_fields: set[str] = field(default_factory=set)


# ---------------------------------------------------------------------------------------
# Sheets


@dataclass(frozen=True, slots=True)
class SheetData:
    """A sheet's cell values as rows (1-based row numbers are list index + 1) and its
    merged ranges as (min_row, min_col, max_row, max_col)."""

    title: str
    rows: list[list[Any]]
    merged: list[tuple[int, int, int, int]]


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')


def merged_ranges(xml: bytes) -> list[tuple[int, int, int, int]]:
    """The merged ranges listed in a worksheet's XML. openpyxl's read-only mode, which is
    the only fast one, does not read them, and ``<mergeCells>`` follows the cell data."""
    start = xml.find(b"mergeCells")
    if start < 0:
        return []
    out = []
    for c1, r1, c2, r2 in _MERGE.findall(xml, start):
        col1, row1 = column_index_from_string(c1.decode()), int(r1)
        col2 = column_index_from_string(c2.decode()) if c2 else col1
        row2 = int(r2) if r2 else row1
        out.append((row1, col1, row2, col2))
    return out


def fill_merged(rows: list[list[Any]], merged: Iterable[tuple[int, int, int, int]]) -> None:
    """Give every cell of a merged range the value of its top-left cell, as a reader sees
    it: a 性别 merged over three rows is the gender of all three people."""
    for row1, col1, row2, col2 in merged:
        if row1 > len(rows):
            continue
        top = rows[row1 - 1]
        value = top[col1 - 1] if col1 - 1 < len(top) else None
        if value is None:
            continue
        for r in range(row1, min(row2, len(rows)) + 1):
            row = rows[r - 1]
            if len(row) < col2:
                row.extend([None] * (col2 - len(row)))
            for c in range(col1, col2 + 1):
                row[c - 1] = value


def read_workbook(
    source: str | IO[bytes], *, on_progress: Progress | None = None
) -> tuple[list[SheetData], dt.datetime]:
    """Every visible sheet's values and merged ranges, and the workbook's date epoch.

    Raises ``RosterFileError`` when openpyxl cannot open the file."""
    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
    except (
        zipfile.BadZipFile,
        InvalidFileException,
        KeyError,
        ValueError,
        OSError,
        TypeError,
    ) as error:
        raise RosterFileError(_("文件已损坏或不是有效的Excel（.xlsx）文件，无法读取。")) from error
    try:
        epoch = getattr(workbook, "epoch", CALENDAR_WINDOWS_1900)
        sheets = [
            ws for ws in workbook.worksheets if getattr(ws, "sheet_state", "visible") == "visible"
        ]
        # The <dimension> a writer records is only an estimate for the progress bar: some
        # writers always put "A1", and openpyxl would stop reading there.
        total = sum(max(ws.max_row or 0, 1) for ws in sheets)
        done = 0
        out = []
        for ws in sheets:
            if not hasattr(ws, "reset_dimensions"):
                continue  # a chart sheet
            ws.reset_dimensions()
            rows: list[list[Any]] = []
            for values in ws.iter_rows(min_row=1, values_only=True):
                rows.append(list(values))
                done += 1
                if on_progress is not None and done % PROGRESS_EVERY_ROWS == 0:
                    on_progress(done, max(total, done))
            merged: list[tuple[int, int, int, int]] = []
            opener = getattr(ws, "_get_source", None)  # openpyxl internals: the sheet's XML
            if opener is not None:
                with opener() as xml:
                    merged = merged_ranges(xml.read())
            out.append(SheetData(ws.title, rows, merged))
        if on_progress is not None:
            on_progress(done, done)
        return out, epoch
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise RosterFileError(_("文件已损坏或不是有效的Excel（.xlsx）文件，无法读取。")) from error
    finally:
        workbook.close()


@dataclass(frozen=True, slots=True)
class Header:
    kind: str
    row: int  # 1-based
    # (0-based column index, column spec, header text as written)
    columns: tuple[tuple[int, Column, str], ...]
    # Header texts we did not recognise, and recognised duplicates.
    unknown: tuple[str, ...]
    duplicates: tuple[tuple[str, str], ...]


def find_header(rows: Sequence[Sequence[Any]]) -> Header | None:
    """The first of the top rows that carries the required headers of some kind of sheet
    (people, post history, honours or annual appraisals)."""
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        keys = [header_key(v) if isinstance(v, str) else "" for v in row]
        best: tuple[int, str] | None = None
        for kind in ("history", "honours", "appraisals", "people"):
            lookup = _LOOKUPS[kind]
            found = {lookup[k].field for k in keys if k in lookup}
            if kind == "history" and "start" not in found and "period" not in found:
                continue
            # A people sheet may carry a 职务 and a 任职时间 column too; the kind that
            # recognises the most columns wins, history, honours and appraisals on a tie.
            if all(f in found for f in REQUIRED[kind]) and (best is None or len(found) > best[0]):
                best = (len(found), kind)
        if best is not None:
            return _header(best[1], index + 1, row, keys)
    return None


def _header(kind: str, number: int, row: Sequence[Any], keys: list[str]) -> Header:
    lookup = _LOOKUPS[kind]
    columns: list[tuple[int, Column, str]] = []
    seen: dict[str, str] = {}
    unknown: list[str] = []
    duplicates: list[tuple[str, str]] = []
    for index, key in enumerate(keys):
        if not key:
            continue
        text = cells.text_of(row[index])
        column = lookup.get(key)
        if column is None:
            unknown.append(text)
        elif column.field in seen:
            duplicates.append((seen[column.field], text))
        else:
            seen[column.field] = text
            columns.append((index, column, text))
    return Header(kind, number, tuple(columns), tuple(unknown), tuple(duplicates))


def _first_text(row: Sequence[Any]) -> str:
    for value in row:
        if not cells.is_blank(value):
            return cells.normalise(cells.text_of(value))
    return ""


def _is_footer(row: Sequence[Any]) -> bool:
    first = _first_text(row)
    return bool(first) and first.startswith(FOOTER_WORDS)


# ---------------------------------------------------------------------------------------
# The whole workbook


def parse_sheets(
    sheets: Sequence[SheetData], epoch: dt.datetime = CALENDAR_WINDOWS_1900
) -> ParsedRoster:
    """Turn the sheets' values into rows and problems (see the module docstring)."""
    result = ParsedRoster()
    found_any = False
    data_rows = 0
    for sheet in sheets:
        fill_merged(sheet.rows, sheet.merged)
        if not any(not cells.is_blank(v) for row in sheet.rows for v in row):
            result.notes.append(Problem(sheet.title, None, None, _("空工作表，已跳过。")))
            continue
        header = find_header(sheet.rows)
        if header is None:
            result.notes.append(
                Problem(
                    sheet.title, None, None, _("未找到表头（至少需要“工号”和“姓名”两列），已跳过。")
                )
            )
            continue
        found_any = True
        result.sheets[sheet.title] = header.kind
        for first, second in header.duplicates:
            result.errors.append(
                Problem(
                    sheet.title,
                    header.row,
                    second,
                    _("与“%(first)s”列是同一项内容，请只保留一列。") % {"first": first},
                )
            )
        if header.unknown:
            result.notes.append(
                Problem(
                    sheet.title,
                    header.row,
                    None,
                    _("以下列未能识别，已忽略：%(columns)s。")
                    % {"columns": "、".join(header.unknown)},
                )
            )
        reader = {
            "people": _read_people,
            "history": _read_history,
            "honours": _read_honours,
            "appraisals": _read_appraisals,
        }[header.kind]
        count = reader(sheet, header, epoch, result)
        if count == 0:
            # The template's 任职经历, 荣誉 and 年度考核 sheets are often left empty.
            result.notes.append(Problem(sheet.title, None, None, _("表头下面没有数据，已跳过。")))
        data_rows += max(count, 0)
    if not found_any:
        raise RosterFileError(
            _(
                "在文件的各工作表前%(n)s行中都没有找到表头。名册至少需要“工号”和“姓名”两列，请使用导入模板。"
            )
            % {"n": HEADER_SEARCH_ROWS}
        )
    if data_rows == 0 and not result.errors:
        raise RosterFileError(_("文件中只有表头，没有数据行。"))
    _check_duplicates(result)
    result.errors.sort(key=lambda p: (p.sheet, p.row or 0))
    return result


def parse_workbook(source: str | IO[bytes], *, on_progress: Progress | None = None) -> ParsedRoster:
    sheets, epoch = read_workbook(source, on_progress=on_progress)
    return parse_sheets(sheets, epoch)


def _data_rows(
    sheet: SheetData, header: Header, result: ParsedRoster
) -> Iterable[tuple[int, list[Any]]]:
    """The rows below the header that hold data: blank rows and the footer are skipped.
    A row that looks like data after the footer started is reported, not guessed at."""
    ignore = {
        index
        for index, column, _text in header.columns
        if column.read is None and column.field == "row_number"
    }
    key_columns = [
        index for index, column, _text in header.columns if column.field in ("staff_number", "name")
    ]
    in_footer = False
    for index in range(header.row, len(sheet.rows)):
        row = sheet.rows[index]
        number = index + 1
        if all(cells.is_blank(v) for i, v in enumerate(row) if i not in ignore):
            continue
        if in_footer or _is_footer(row):
            if in_footer and all(i < len(row) and not cells.is_blank(row[i]) for i in key_columns):
                result.errors.append(
                    Problem(
                        sheet.title,
                        number,
                        None,
                        _("这一行在表尾（制表人、合计等）之后，请把数据移到表尾之前。"),
                    )
                )
            in_footer = True
            continue
        yield number, row


def _read_cells(
    sheet: SheetData,
    header: Header,
    number: int,
    row: list[Any],
    epoch: dt.datetime,
    result: ParsedRoster,
) -> dict[str, Any] | None:
    """Field → parsed value for the row's filled cells; None when a cell had an error
    (which is recorded)."""
    values: dict[str, Any] = {}
    ok = True
    width = len(row)
    for index, column, text in header.columns:
        if index >= width:
            continue
        raw = row[index]
        if raw is None or column.read is None:
            continue
        if isinstance(raw, str) and not raw.strip():
            continue
        try:
            values[column.field] = column.read(raw, epoch)
        except CellError as error:
            result.errors.append(Problem(sheet.title, number, text, str(error)))
            ok = False
    return values if ok else None


def _date_notes(values: dict[str, Any], headers: dict[str, str], notes: list[str]) -> None:
    """Unwrap ParsedDate values, noting month-only dates and unusual readings."""
    for key, value in list(values.items()):
        if isinstance(value, ParsedDate):
            values[key] = value.value
            if value.month_only:
                notes.append(
                    _("%(column)s只写到月份，按 %(day)s 记录。")
                    % {"column": headers.get(key, key), "day": value.value.isoformat()}
                )
            if value.remark:
                notes.append(f"{headers.get(key, key)}：{value.remark}")


def _read_people(sheet: SheetData, header: Header, epoch: dt.datetime, result: ParsedRoster) -> int:
    """Read a people sheet into ``result``; return how many data rows it had."""
    headers = {column.field: text for _i, column, text in header.columns}
    result.person_fields.update(f for f in headers if f != "row_number")
    count = 0
    for number, row in _data_rows(sheet, header, result):
        count += 1
        values = _read_cells(sheet, header, number, row, epoch, result)
        if values is None:
            continue
        if not values.get("staff_number"):
            result.errors.append(
                Problem(sheet.title, number, headers["staff_number"], _("缺少工号。"))
            )
            continue
        notes: list[str] = []
        _date_notes(values, headers, notes)
        number_id = values.get("national_id")
        if number_id:
            # The number carries the birth date and sex: fill them in when the sheet has
            # none; disagreements are reported by the registry's rules in the plan.
            if "birth_date" not in values:
                values["birth_date"] = dt.date(
                    int(number_id[6:10]), int(number_id[10:12]), int(number_id[12:14])
                )
                notes.append(_("出生日期取自身份证号。"))
            if "gender" not in values:
                values["gender"] = Gender.MALE if int(number_id[16]) % 2 else Gender.FEMALE
                notes.append(_("性别取自身份证号。"))
        elif "national_id" in values:
            del values["national_id"]
            notes.append(_("身份证号为遮蔽形式（如导出文件），未导入。"))
        result.people.append(PersonRow(sheet.title, number, values, headers, notes))
    return count


def _period(value: Any, epoch: dt.datetime) -> tuple[ParsedDate, ParsedDate | None]:
    """``2015.09-2018.07``, ``2015年9月—至今``, ``2015.9～2018.7`` …"""
    text = cells.normalise(cells.text_of(value))
    match = _PERIOD_SPLIT.match(text)
    if not match:
        raise CellError(
            _("起止时间“%(value)s”应写成“2015.09-2018.07”或“2015.09-至今”。")
            % {"value": cells.text_of(value)}
        )
    first, second = match.group(1), match.group(2).strip("-")
    start = cells.date_of(first, epoch=epoch)
    end = None if (not second or second in OPEN_END_WORDS) else cells.date_of(second, epoch=epoch)
    return start, end


def _read_history(
    sheet: SheetData, header: Header, epoch: dt.datetime, result: ParsedRoster
) -> int:
    headers = {column.field: text for _i, column, text in header.columns}
    index_of = {column.field: index for index, column, _t in header.columns}
    count = 0
    for number, row in _data_rows(sheet, header, result):
        count += 1
        values = _read_cells(sheet, header, number, row, epoch, result)
        if values is None:
            continue
        notes: list[str] = []
        failed = False
        end: ParsedDate | None = None
        if "end" in index_of and index_of["end"] < len(row):
            raw = row[index_of["end"]]
            if (
                not cells.is_blank(raw)
                and cells.normalise(cells.text_of(raw)) not in OPEN_END_WORDS
            ):
                try:
                    end = cells.date_of(raw, epoch=epoch)
                except CellError as error:
                    result.errors.append(Problem(sheet.title, number, headers["end"], str(error)))
                    failed = True
        if (
            "period" in index_of
            and index_of["period"] < len(row)
            and not cells.is_blank(row[index_of["period"]])
        ):
            try:
                values["start"], end = _period(row[index_of["period"]], epoch)
            except CellError as error:
                result.errors.append(Problem(sheet.title, number, headers["period"], str(error)))
                failed = True
        for required in ("staff_number", "post"):
            if not values.get(required):
                result.errors.append(
                    Problem(sheet.title, number, headers[required], _("不能为空。"))
                )
                failed = True
        if "start" not in values and not failed:
            column = headers.get("start") or headers.get("period")
            result.errors.append(Problem(sheet.title, number, column, _("缺少开始时间。")))
            failed = True
        if failed:
            continue
        if end is not None:
            values["end"] = end
        _date_notes(values, headers, notes)
        result.history.append(
            HistoryRow(
                sheet.title,
                number,
                values["staff_number"],
                values.get("name", ""),
                values["post"],
                values["start"],
                values.get("end"),
                values.get("note", ""),
                headers,
                notes,
            )
        )
    return count


def _read_honours(
    sheet: SheetData, header: Header, epoch: dt.datetime, result: ParsedRoster
) -> int:
    headers = {column.field: text for _i, column, text in header.columns}
    if "level" not in headers:
        result.errors.append(
            Problem(sheet.title, header.row, None, _("缺少“级别”列（校级、区级、市级或国家级）。"))
        )
        return -1
    count = 0
    for number, row in _data_rows(sheet, header, result):
        count += 1
        values = _read_cells(sheet, header, number, row, epoch, result)
        if values is None:
            continue
        failed = False
        for required in ("staff_number", "title", "level", "year"):
            if values.get(required) in (None, ""):
                result.errors.append(
                    Problem(sheet.title, number, headers[required], _("不能为空。"))
                )
                failed = True
        if failed:
            continue
        result.honours.append(
            HonourRow(
                sheet.title,
                number,
                values["staff_number"],
                values.get("name", ""),
                values["title"],
                values["level"],
                values["year"],
                values.get("note", ""),
                headers,
            )
        )
    return count


def _read_appraisals(
    sheet: SheetData, header: Header, epoch: dt.datetime, result: ParsedRoster
) -> int:
    headers = {column.field: text for _i, column, text in header.columns}
    grade_index = next(i for i, column, _t in header.columns if column.field == "grade")
    count = 0
    for number, row in _data_rows(sheet, header, result):
        count += 1
        values = _read_cells(sheet, header, number, row, epoch, result)
        if values is None:
            continue
        failed = False
        for required in ("staff_number", "year", "grade"):
            if values.get(required) in (None, ""):
                result.errors.append(
                    Problem(sheet.title, number, headers[required], _("不能为空。"))
                )
                failed = True
        if failed:
            continue
        notes = []
        written = cells.normalise(cells.text_of(row[grade_index]))
        if written in CIVIL_SERVICE_WORDS:
            notes.append(
                _("%(year)s年度考核等次“%(written)s”按事业单位等次“%(grade)s”记录。")
                % {
                    "year": values["year"],
                    "written": written,
                    "grade": CIVIL_SERVICE_WORDS[written],
                }
            )
        result.appraisals.append(
            AppraisalRow(
                sheet.title,
                number,
                values["staff_number"],
                values.get("name", ""),
                values["year"],
                values["grade"],
                values.get("note", ""),
                headers,
                notes,
            )
        )
    return count


def _check_duplicates(result: ParsedRoster) -> None:
    """The same person twice, the same national ID on two people, the same history row,
    honour or year's appraisal twice: each names both rows."""
    first_row: dict[str, PersonRow] = {}
    first_id: dict[str, PersonRow] = {}
    for person in result.people:
        earlier = first_row.get(person.staff_number)
        if earlier is not None:
            result.errors.append(
                Problem(
                    person.sheet,
                    person.row,
                    person.headers["staff_number"],
                    _("工号 %(number)s 与工作表“%(sheet)s”第%(row)s行重复。")
                    % {"number": person.staff_number, "sheet": earlier.sheet, "row": earlier.row},
                )
            )
        else:
            first_row[person.staff_number] = person
        number = person.values.get("national_id")
        if number:
            other = first_id.get(number)
            if other is not None:
                result.errors.append(
                    Problem(
                        person.sheet,
                        person.row,
                        person.headers["national_id"],
                        _("身份证号与工作表“%(sheet)s”第%(row)s行（%(name)s）相同。")
                        % {
                            "sheet": other.sheet,
                            "row": other.row,
                            "name": other.values.get("name", ""),
                        },
                    )
                )
            else:
                first_id[number] = person
    seen_history: dict[tuple[str, str, dt.date], HistoryRow] = {}
    for item in result.history:
        key = (item.staff_number, cells.normalise(item.post), item.start)
        earlier_h = seen_history.get(key)
        if earlier_h is not None:
            result.errors.append(
                Problem(
                    item.sheet,
                    item.row,
                    item.headers.get("start") or item.headers.get("period"),
                    _("与第%(row)s行是同一段任职经历（同一人、同一岗位、同一开始时间）。")
                    % {"row": earlier_h.row},
                )
            )
        else:
            seen_history[key] = item
    seen_honours: dict[tuple[str, str, int, int], HonourRow] = {}
    for honour in result.honours:
        key_h = (honour.staff_number, cells.normalise(honour.title), honour.level, honour.year)
        earlier_o = seen_honours.get(key_h)
        if earlier_o is not None:
            result.errors.append(
                Problem(
                    honour.sheet,
                    honour.row,
                    honour.headers.get("title"),
                    _("与第%(row)s行是同一项荣誉。") % {"row": earlier_o.row},
                )
            )
        else:
            seen_honours[key_h] = honour
    seen_appraisals: dict[tuple[str, int], AppraisalRow] = {}
    for appraisal in result.appraisals:
        key_a = (appraisal.staff_number, appraisal.year)
        earlier_a = seen_appraisals.get(key_a)
        if earlier_a is not None:
            result.errors.append(
                Problem(
                    appraisal.sheet,
                    appraisal.row,
                    appraisal.headers.get("year"),
                    _(
                        "与第%(row)s行是同一人同一年度的年度考核；每人每年只有一个考核等次，请只保留一行。"
                    )
                    % {"row": earlier_a.row},
                )
            )
        else:
            seen_appraisals[key_a] = appraisal
