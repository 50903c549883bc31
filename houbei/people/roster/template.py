"""The import template: a workbook a personnel office fills in and uploads.

Four data sheets (教职工名册, 任职经历, 荣誉, 年度考核) with the importer's headers, drop-downs for
every choice column (the post drop-down lists the school's own posts), text format for
staff numbers, ID numbers and phones (so Excel keeps leading zeros and all 18 digits),
date format for dates, and a 填写说明 sheet. No example rows: an example left in by
mistake would be imported as a person."""

from __future__ import annotations

import io
from collections.abc import Sequence

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from houbei.organisation.models import Post, School

from .exports import (
    APPRAISAL_EXPORT_COLUMNS,
    HISTORY_EXPORT_COLUMNS,
    HONOUR_EXPORT_COLUMNS,
    PERSON_EXPORT_COLUMNS,
)
from .parse import Column

# Rows prepared with formats and drop-downs; Excel extends them as people type.
PREPARED_ROWS = 2000
TEXT_FIELDS = {"staff_number", "national_id", "phone"}
DATE_FIELDS = {
    "birth_date",
    "joined_school_on",
    "started_work_on",
    "fit_for_duty_on",
    "start",
    "end",
}
REQUIRED_FIELDS = {
    "staff_number",
    "name",
    "gender",
    "post",
    "start",
    "title",
    "level",
    "year",
    "grade",
}
_HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
_REQUIRED_FILL = PatternFill("solid", fgColor="F8D7A8")


def _instructions() -> list[str]:
    return [
        _("教职工名册导入模板 · 填写说明"),
        "",
        _(
            "1. 每位教职工在“教职工名册”中占一行；工号、姓名、性别必填（已在系统中的人员可只填要修改的列）。"
        ),
        _("2. 已在系统中的人员按工号对应：文件中填写的内容会更新档案，留空的格子不改动原有内容。"),
        _("3. 文件中没有列出的人员不受影响，不会被删除或归档。"),
        _(
            "4. 日期可写作 2010-09-01、2010/9/1、2010.09、2010年9月、2010年9月1日 或 20100901；只写到月份的按当月1日记录。"
        ),
        _(
            "5. 带下拉箭头的列请从下拉列表中选择；也可填写常见写法，如“党员”“中共党员”“本科”“编内”。"
        ),
        _(
            "6. 身份证号请按文本填写18位（本模板已设为文本格式），导出文件中的遮蔽号码（含*）导入时会被忽略。"
        ),
        _(
            "7. “任职经历”每段任职一行：岗位名称须与本校“岗位设置”一致（可从下拉列表选择），结束时间留空或填“至今”表示仍在任。同一人、同一岗位、同一开始时间的经历视为同一条，再次导入时只更新结束时间和备注。"
        ),
        _(
            "8. “荣誉”每项一行：级别为校级、区级、市级或国家级，年度填四位年份。已登记的同名、同级别、同年度荣誉不会重复添加。"
        ),
        _(
            "9. “年度考核”每人每年一行：考核年度填四位年份，考核等次为优秀、合格、基本合格、不合格或不定等次（新聘用人员试用期内、病事假累计超过半年等不确定等次的，请在备注中注明原因）。每人每年只有一个等次：已登记年度的等次与文件不同时，按文件更正。"
        ),
        _("10. 可以在表头上方保留标题行，表尾可以有制表人、审核人等说明；表头的列顺序可以调整。"),
        _(
            "11. 上传后系统先给出预览（新增、更新、不变及每处错误的位置），确认无误后才会导入；导入要么全部成功，要么不写入任何数据。"
        ),
        "",
        _("可选值"),
        _("性别：男、女"),
        _("编制：在编、非在编"),
        _("在岗状态：在岗、离岗、调出、退休"),
        _("政治面貌：中共党员、中共预备党员、共青团员、群众、民主党派"),
        _("学历：博士研究生、硕士研究生、大学本科、大学专科、其他"),
        _("身心健康：是、否（填写时请同时填写健康确认日期）"),
        _("考核等次：优秀、合格、基本合格、不合格、不定等次"),
    ]


def _data_sheet(
    ws: Worksheet,
    columns: Sequence[Column],
    lists: dict[str, str],
) -> None:
    bold = Font(bold=True)
    for index, column in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=index, value=str(column.header))
        cell.font = bold
        cell.fill = _REQUIRED_FILL if column.field in REQUIRED_FIELDS else _HEADER_FILL
        cell.alignment = Alignment(horizontal="center")
        letter = get_column_letter(index)
        dimension = ws.column_dimensions[letter]
        dimension.width = max(10, len(str(column.header)) * 2 + 4)
        if column.field in TEXT_FIELDS:
            dimension.number_format = "@"
            dimension.width = 22 if column.field == "national_id" else 14
        elif column.field in DATE_FIELDS:
            dimension.number_format = "yyyy-mm-dd"
            dimension.width = 13
        source = lists.get(column.field)
        if source:
            validation = DataValidation(
                type="list",
                formula1=source,
                allow_blank=True,
                showErrorMessage=column.field != "post",
                errorTitle=_("请从列表中选择"),
                error=_("请从下拉列表中选择。"),
            )
            validation.add(f"{letter}2:{letter}{PREPARED_ROWS + 1}")
            ws.add_data_validation(validation)
    ws.freeze_panes = "A2"


# In Chinese whatever the user's language: the importer reads Chinese headers and choices.
@translation.override("zh-hans")
def build_template(school: School) -> bytes:
    """The template workbook for ``school`` as .xlsx bytes."""
    workbook = Workbook()
    people = workbook.active
    people.title = _("教职工名册")
    history = workbook.create_sheet(_("任职经历"))
    honours = workbook.create_sheet(_("荣誉"))
    appraisals = workbook.create_sheet(_("年度考核"))
    notes = workbook.create_sheet(_("填写说明"))
    options = workbook.create_sheet(_("选项"))
    options.sheet_state = "hidden"

    # Every list lives on the hidden sheet: Excel limits an inline list to 255 characters,
    # which a school's post names may exceed.
    lists: dict[str, str] = {}
    choice_columns = [
        c
        for c in (*PERSON_EXPORT_COLUMNS, *HONOUR_EXPORT_COLUMNS, *APPRAISAL_EXPORT_COLUMNS)
        if c.choices
    ]
    post_names = list(Post.objects.for_school(school).active().values_list("name", flat=True))
    sheet = quote_sheetname(options.title)
    column_index = 0
    for column in choice_columns:
        if column.field in lists:
            continue
        column_index += 1
        labels = [str(label) for label in column.choices]
        _fill_list(options, column_index, str(column.header), labels)
        letter = get_column_letter(column_index)
        lists[column.field] = f"{sheet}!${letter}$2:${letter}${len(labels) + 1}"
    if post_names:
        column_index += 1
        _fill_list(options, column_index, _("岗位"), post_names)
        letter = get_column_letter(column_index)
        lists["post"] = f"{sheet}!${letter}$2:${letter}${len(post_names) + 1}"

    _data_sheet(people, PERSON_EXPORT_COLUMNS, lists)
    _data_sheet(history, HISTORY_EXPORT_COLUMNS, lists)
    _data_sheet(honours, HONOUR_EXPORT_COLUMNS, lists)
    _data_sheet(appraisals, APPRAISAL_EXPORT_COLUMNS, lists)

    notes.column_dimensions["A"].width = 120
    for index, line in enumerate(_instructions(), start=1):
        cell = notes.cell(row=index, column=1, value=line)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if index == 1 or line == _("可选值"):
            cell.font = Font(bold=True, size=13 if index == 1 else 11)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _fill_list(ws: Worksheet, column: int, title: str, labels: Sequence[str]) -> None:
    ws.cell(row=1, column=column, value=title)
    for row, label in enumerate(labels, start=2):
        ws.cell(row=row, column=column, value=label)
