"""Parsing whole workbooks as schools keep them: title rows, merged cells, synonym
headers in any order, footers, and errors that name sheet, row and column."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from houbei.people.models import Education, Establishment, Gender, PoliticalStatus, PostStatus
from houbei.people.roster.parse import RosterFileError, parse_workbook
from tests.roster.workbooks import PEOPLE_HEADERS, person_row, workbook_bytes

VALID_ID = "11010519491231002X"  # GB 11643's published example: born 1949-12-31, female


def parse(sheets, merges=None):
    return parse_workbook(io.BytesIO(workbook_bytes(sheets, merges)))


def messy_roster() -> dict:
    return {
        "2021年教职工花名册": [
            ["上海市第八初级中学教职工花名册"],
            ["填报单位：人事室", None, None, None, "填报日期：2021年3月"],
            [],
            [
                "序号",
                "教工号",
                "教 师 姓 名",
                "性别",
                "出生年月",
                "公民身份号码",
                "来校时间",
                "工作时间",
                "是否在编",
                "人员状态",
                "党派",
                "最高学历",
                "专业技术职务",
                "学科",
                "身体状况",
                "体检日期",
                "手机",
                "邮箱",
            ],
            [
                1,
                "１００１",
                "王\u3000静",
                "女",
                "1985.09",
                None,
                "2010年9月",
                "20080801",
                "是",
                "在职",
                "党员",
                "本科",
                "中学一级教师",
                "语文",
                "健康",
                "2021-03-01",
                13800138000,
                "wj@example.cn",
            ],
            [
                2,
                1002,
                "张  伟",
                "男",
                "1983-5-6",
                None,
                dt.datetime(2011, 9, 1),
                "2006/8/1",
                "编内",
                "在岗",
                "中共党员",
                "硕士",
                "中学高级教师",
                "数学",
                None,
                None,
                "021-5555 0000",
                None,
            ],
            [
                3,
                "1003",
                "李  娜",
                None,
                "1990年1月1日",
                None,
                "2015年09月",
                "2012.8",
                "非在编",
                "离岗",
                "共青团员",
                "大专",
                None,
                "英语",
                None,
                None,
                None,
                None,
            ],
            [None, None, None, None, None],
            [
                4,
                "1004",
                "赵敏",
                "女",
                19880315,
                VALID_ID,
                "2012-09-01",
                "2010-08-01",
                "在编",
                "退休",
                "民盟",
                "研究生",
                None,
                None,
                "否",
                "2021.3.1",
                None,
                None,
            ],
            ["合计：4人"],
            ["制表人：陈老师", None, "审核人：校长"],
            ["2021年3月30日"],
        ]
    }


def test_parse_finds_the_header_below_title_rows_and_reads_synonym_columns() -> None:
    result = parse(messy_roster(), merges={"2021年教职工花名册": ["A1:R1", "D6:D7"]})
    assert result.sheets == {"2021年教职工花名册": "people"}
    rows = {p.staff_number: p for p in result.people}
    assert list(rows) == ["1001", "1002", "1003", "1004"]
    wang = rows["1001"].values
    assert wang["name"] == "王静"
    assert wang["gender"] == Gender.FEMALE
    assert wang["birth_date"] == dt.date(1985, 9, 1)
    assert wang["joined_school_on"] == dt.date(2010, 9, 1)
    assert wang["started_work_on"] == dt.date(2008, 8, 1)
    assert wang["establishment"] == Establishment.IN
    assert wang["post_status"] == PostStatus.ON_DUTY
    assert wang["political_status"] == PoliticalStatus.PARTY
    assert wang["education"] == Education.BACHELOR
    assert wang["title"] == "中学一级教师"
    assert wang["subject"] == "语文"
    assert wang["fit_for_duty"] is True
    assert wang["fit_for_duty_on"] == dt.date(2021, 3, 1)
    assert wang["phone"] == "13800138000"
    assert wang["email"] == "wj@example.cn"
    assert rows["1002"].values["name"] == "张伟"
    assert rows["1002"].values["education"] == Education.MASTER
    assert rows["1003"].values["establishment"] == Establishment.OUT
    assert rows["1003"].values["post_status"] == PostStatus.OFF_DUTY
    assert rows["1003"].values["political_status"] == PoliticalStatus.LEAGUE
    assert rows["1004"].values["political_status"] == PoliticalStatus.DEMOCRATIC
    assert rows["1004"].values["post_status"] == PostStatus.RETIRED
    assert rows["1004"].values["national_id"] == VALID_ID
    assert result.errors == []


def test_parse_gives_a_merged_cell_to_every_row_it_spans() -> None:
    result = parse(messy_roster(), merges={"2021年教职工花名册": ["A1:R1", "D6:D7"]})
    rows = {p.staff_number: p for p in result.people}
    # 性别 "男" of row 6 is merged down over row 7 (李娜's own cell is empty).
    assert rows["1003"].values["gender"] == Gender.MALE


def test_parse_reports_excel_row_numbers() -> None:
    result = parse(messy_roster())
    assert [p.row for p in result.people] == [5, 6, 7, 9]


def test_parse_notes_month_only_dates_as_first_of_month() -> None:
    result = parse(messy_roster())
    wang = next(p for p in result.people if p.staff_number == "1001")
    assert any("出生年月只写到月份" in n and "1985-09-01" in n for n in wang.notes)


def test_parse_skips_blank_rows_and_footer_rows() -> None:
    result = parse(messy_roster())
    assert len(result.people) == 4
    assert not any("合计" in str(e) or "制表" in str(e) for e in result.errors)


def test_parse_fills_birth_date_and_gender_from_the_national_id() -> None:
    rows = [[*PEOPLE_HEADERS[:2], "身份证号"], ["T1", "赵敏", VALID_ID]]
    result = parse({"名册": rows})
    values = result.people[0].values
    assert values["birth_date"] == dt.date(1949, 12, 31)
    assert values["gender"] == Gender.FEMALE


def test_parse_ignores_a_masked_national_id_from_an_export() -> None:
    rows = [["工号", "姓名", "性别", "身份证号"], ["T1", "赵敏", "女", "1101**********002X"]]
    result = parse({"名册": rows})
    assert "national_id" not in result.people[0].values
    assert result.errors == []


def test_parse_refuses_a_national_id_stored_as_a_number() -> None:
    rows = [["工号", "姓名", "性别", "身份证号"], ["T1", "赵敏", "女", 110105194912310020]]
    result = parse({"名册": rows})
    assert len(result.errors) == 1
    error = result.errors[0]
    assert (error.sheet, error.row, error.column) == ("名册", 2, "身份证号")
    assert "数字" in error.message


def test_parse_errors_name_sheet_row_column_and_reason() -> None:
    rows = [
        ["说明：请按模板填写"],
        ["工号", "姓名", "性别", "出生日期", "政治面貌", "电子邮箱"],
        ["T1", "甲", "女", "1985-13-01", "党员", "a@b.cn"],
        ["T2", "乙", "不详", "1985-01-01", "党员", "a@b.cn"],
        ["T3", "丙", "男", "1985-01-01", "无党派人士", "not-an-email"],
        [None, "丁", "男"],
    ]
    result = parse({"教职工": rows})
    found = [(e.sheet, e.row, e.column) for e in result.errors]
    assert found == [
        ("教职工", 3, "出生日期"),
        ("教职工", 4, "性别"),
        ("教职工", 5, "电子邮箱"),
        ("教职工", 6, "工号"),
    ]
    assert "月份不存在" in result.errors[0].message
    assert "男、女" in result.errors[1].message
    assert str(result.errors[0]).startswith("工作表“教职工”第3行“出生日期”列：")


def test_parse_refuses_the_same_staff_number_twice_naming_both_rows() -> None:
    rows = [PEOPLE_HEADERS, person_row("T1", "甲"), person_row("T1", "乙")]
    result = parse({"名册": rows})
    assert len(result.errors) == 1
    assert result.errors[0].row == 3
    assert "第2行" in result.errors[0].message


def test_parse_refuses_two_columns_for_the_same_field() -> None:
    rows = [["工号", "姓名", "出生日期", "生日"], ["T1", "甲", "1985-01-01", "1985-01-01"]]
    result = parse({"名册": rows})
    assert any(e.column == "生日" and "出生日期" in e.message for e in result.errors)


def test_parse_reads_history_and_honours_sheets() -> None:
    result = parse(
        {
            "名册": [PEOPLE_HEADERS, person_row("T1", "甲")],
            "任职经历": [
                ["工号", "姓名", "任职岗位", "起止时间", "备注"],
                ["T1", "甲", "班主任", "2012.09-2015.07", ""],
                ["T1", "甲", "年级组长", "2015年9月—至今", "兼任"],
            ],
            "获奖情况": [
                ["工号", "姓名", "荣誉称号", "级别", "获奖年度"],
                ["T1", "甲", "优秀班主任", "区级", "2019年"],
            ],
        }
    )
    assert result.sheets == {"名册": "people", "任职经历": "history", "获奖情况": "honours"}
    first, second = result.history
    assert (first.post, first.start, first.end) == (
        "班主任",
        dt.date(2012, 9, 1),
        dt.date(2015, 7, 1),
    )
    assert (second.post, second.start, second.end, second.note) == (
        "年级组长",
        dt.date(2015, 9, 1),
        None,
        "兼任",
    )
    honour = result.honours[0]
    assert (honour.title, honour.level, honour.year) == ("优秀班主任", 2, 2019)


def test_parse_reads_separate_start_and_end_columns_with_open_end_words() -> None:
    result = parse(
        {
            "经历": [
                ["工号", "岗位", "开始时间", "结束时间"],
                ["T1", "班主任", "2012-09-01", "至今"],
                ["T1", "教研组长", "2013-09-01", None],
                ["T1", "工会", "2014-09-01", "2016.13"],
            ]
        }
    )
    assert [h.end for h in result.history] == [None, None]
    assert [(e.row, e.column) for e in result.errors] == [(4, "结束时间")]


def test_parse_prefers_people_when_a_roster_also_has_a_post_and_a_date_column() -> None:
    rows = [
        ["工号", "姓名", "性别", "出生日期", "职务", "任职时间", "政治面貌"],
        ["T1", "甲", "女", "1985-01-01", "班主任", "2015-09-01", "群众"],
    ]
    result = parse({"名册": rows})
    assert result.sheets == {"名册": "people"}
    assert any("职务" in n.message for n in result.notes)


def test_parse_refuses_a_workbook_without_a_header() -> None:
    with pytest.raises(RosterFileError, match="没有找到表头"):
        parse({"Sheet1": [["名单"], ["王静", "女"], ["张伟", "男"]]})


def test_parse_refuses_a_workbook_with_a_header_only() -> None:
    with pytest.raises(RosterFileError, match="没有数据行"):
        parse({"Sheet1": [PEOPLE_HEADERS]})


def test_parse_reports_data_after_the_footer() -> None:
    rows = [PEOPLE_HEADERS, person_row("T1", "甲"), ["制表人：张三"], person_row("T2", "乙")]
    result = parse({"名册": rows})
    assert [p.staff_number for p in result.people] == ["T1"]
    assert [(e.row, e.message[:6]) for e in result.errors] == [(4, "这一行在表尾")]
