"""The roster's 年度考核 sheet: read under the names schools give it, checked row by row
(sheet, row, column, reason), imported all or nothing, corrected by a re-import, and
exported so that it imports back unchanged."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from houbei.accounts.models import Role
from houbei.audit.models import AuditEntry
from houbei.core import exports
from houbei.people.models import AnnualAppraisal, AppraisalGrade, Person
from houbei.people.presenters import present
from houbei.people.roster.parse import parse_workbook
from houbei.people.roster.services import (
    RosterInvalid,
    analyse_roster,
    import_roster,
    preview_data,
)
from tests.factories import make_person
from tests.roster.workbooks import PEOPLE_HEADERS, person_row, workbook_bytes, write

pytestmark = pytest.mark.django_db

G = AppraisalGrade
HEADER = ["工号", "姓名", "考核年度", "考核等次", "备注"]


def run_import(school, path, actor=None):  # type: ignore[no-untyped-def]
    return import_roster(actor=actor, school=school, path=path, filename=path.name)


def _grades(person: Person) -> list[tuple[int, str, str]]:
    return list(person.annual_appraisals.order_by("year").values_list("year", "grade", "note"))


# --- reading -------------------------------------------------------------------------


def test_a_sheet_of_grades_is_read_under_the_names_schools_use() -> None:
    data = workbook_bytes(
        {
            "历年考核": [
                ["2021—2025年度考核结果汇总"],
                ["序号", "教工号", "教师姓名", "年份", "考核结果", "说明"],
                [1, "T1", "王  静", "2021年度", "优秀", ""],
                [2, "T1", "王静", 2022, " 合格 ", ""],
                [3, "T2", "张清源", "2023", "不确定等次", "新聘用人员试用期内"],
                [4, "T2", "张清源", 2024, "称职", ""],
                ["制表人：钱秀英"],
            ]
        }
    )
    parsed = parse_workbook(io.BytesIO(data))
    assert parsed.errors == []
    assert parsed.sheets == {"历年考核": "appraisals"}
    read = [(a.staff_number, a.name, a.year, a.grade, a.note, a.row) for a in parsed.appraisals]
    assert read == [
        ("T1", "王静", 2021, G.EXCELLENT, "", 3),
        ("T1", "王静", 2022, G.QUALIFIED, "", 4),
        ("T2", "张清源", 2023, G.UNGRADED, "新聘用人员试用期内", 5),
        ("T2", "张清源", 2024, G.QUALIFIED, "", 6),
    ]
    # The civil servants' word is read as the same tier, and the preview says so.
    assert parsed.appraisals[3].notes == ["2024年度考核等次“称职”按事业单位等次“合格”记录。"]


def test_honours_and_appraisal_sheets_are_told_apart() -> None:
    data = workbook_bytes(
        {
            "荣誉": [
                ["工号", "姓名", "称号", "级别", "年度"],
                ["T1", "王静", "优秀班主任", "区级", 2019],
            ],
            "年度考核": [["工号", "姓名", "年度", "等次"], ["T1", "王静", 2019, "优秀"]],
        }
    )
    parsed = parse_workbook(io.BytesIO(data))
    assert parsed.sheets == {"荣誉": "honours", "年度考核": "appraisals"}
    assert len(parsed.honours) == 1 and len(parsed.appraisals) == 1


def test_bad_rows_are_named_by_sheet_row_column_and_reason() -> None:
    data = workbook_bytes(
        {
            "年度考核": [
                HEADER,
                ["T1", "王静", 2021, "良好", ""],
                ["T1", "王静", "去年", "合格", ""],
                ["T1", "王静", 2022, "", ""],
                ["T1", "王静", 2023, "合格", ""],
                ["T1", "王静", "2023年", "优秀", ""],
            ]
        }
    )
    parsed = parse_workbook(io.BytesIO(data))
    assert [str(p) for p in parsed.errors] == [
        "工作表“年度考核”第2行“考核等次”列：“良好”无法识别，可填：优秀、合格、基本合格、不合格、不定等次。",
        "工作表“年度考核”第3行“考核年度”列：年度“去年”应为四位年份，如2019。",
        "工作表“年度考核”第4行“考核等次”列：不能为空。",
        "工作表“年度考核”第6行“考核年度”列：与第5行是同一人同一年度的年度考核；"
        "每人每年只有一个考核等次，请只保留一行。",
    ]


# --- planning and importing ----------------------------------------------------------------


def test_grades_are_imported_with_the_people_of_the_same_file(school, users, tmp_path) -> None:
    rows = {
        "教职工名册": [PEOPLE_HEADERS, person_row("T1", "王静")],
        "年度考核": [
            HEADER,
            ["T1", "王静", 2023, "优秀", "区优秀班主任"],
            ["T1", "王静", 2024, "合格", ""],
        ],
    }
    result = run_import(school, write(tmp_path, workbook_bytes(rows)), users[Role.PERSONNEL])
    assert result.counts["created"] == 1 and result.counts["appraisals_added"] == 2
    person = Person.objects.get(school=school, staff_number="T1")
    assert _grades(person) == [(2023, "excellent", "区优秀班主任"), (2024, "qualified", "")]
    entry = AuditEntry.objects.get(action="people.roster.imported")
    assert entry.new["appraisals_added"] == 2
    assert entry.new["people"]["T1"]["appraisals_added"] == [
        {"year": 2023, "grade": "excellent", "note": "区优秀班主任"},
        {"year": 2024, "grade": "qualified", "note": ""},
    ]
    # The person's own file shows the import's part with the grades counted.
    (item,) = [i for i in present([entry], "T1")]
    assert "新增年度考核 2 条" in item["note"]


def test_reimport_adds_nothing_and_a_changed_grade_corrects_the_stored_one(
    school, tmp_path
) -> None:
    person = make_person(school, staff_number="T1", name="王静")
    first = {"年度考核": [HEADER, ["T1", "王静", 2023, "合格", ""], ["T1", "", 2024, "合格", ""]]}
    path = write(tmp_path, workbook_bytes(first))
    assert run_import(school, path).counts["appraisals_added"] == 2
    again = run_import(school, path)
    assert (again.counts["appraisals_added"], again.counts["appraisals_updated"]) == (0, 0)
    assert again.counts["updated"] == 0

    corrected = {"年度考核": [HEADER, ["T1", "王静", 2023, "优秀", "复核后更正"]]}
    path = write(tmp_path, workbook_bytes(corrected), "corrected.xlsx")
    plan = analyse_roster(school=school, path=path)
    preview = preview_data(plan, filename="corrected.xlsx", sha256="x", school=school)
    (line,) = preview["people"][0]["history"]
    assert line == "更正年度考核：2023年度：考核等次 合格 → 优秀；备注 — → 复核后更正"
    result = run_import(school, path)
    assert (result.counts["appraisals_updated"], result.counts["updated"]) == (1, 1)
    assert _grades(person) == [(2023, "excellent", "复核后更正"), (2024, "qualified", "")]
    detail = AuditEntry.objects.filter(action="people.roster.imported").latest("seq")
    (update,) = detail.new["people"]["T1"]["appraisals_updated"]
    assert update["year"] == 2023
    assert update["grade"] == {"old": "qualified", "new": "excellent"}


def test_one_bad_grade_writes_nothing_and_names_its_row(school, tmp_path) -> None:
    make_person(school, staff_number="T1", name="王静", started_work_on=dt.date(2008, 8, 1))
    make_person(school, staff_number="T2", name="张清源")
    this_year = timezone.localdate().year
    rows = {
        "年度考核": [
            HEADER,
            ["T1", "王静", 2022, "合格", ""],
            ["T1", "王静", 2005, "合格", ""],
            ["T2", "张清源", this_year + 1, "合格", ""],
            ["T3", "无名", 2022, "合格", ""],
            ["T2", "张清远", 2022, "合格", ""],
        ]
    }
    path = write(tmp_path, workbook_bytes(rows))
    with pytest.raises(RosterInvalid) as excinfo:
        run_import(school, path)
    assert [str(p) for p in excinfo.value.plan.errors] == [
        "工作表“年度考核”第3行“考核年度”列：考核年度（2005）早于参加工作时间（2008-08-01），请检查。",
        f"工作表“年度考核”第4行“考核年度”列：考核年度（{this_year + 1}）应在1949年至{this_year}年之间。",
        "工作表“年度考核”第5行“工号”列：工号 T3 既不在本文件的教职工名册中，也不是本校已有的教职工。",
        "工作表“年度考核”第6行“姓名”列：姓名“张清远”与工号 T2 的姓名“张清源”不一致。",
    ]
    assert not AnnualAppraisal.objects.exists()
    assert not AuditEntry.objects.filter(action="people.roster.imported").exists()


def test_an_archived_persons_grades_are_not_changed_by_import(school, tmp_path) -> None:
    make_person(school, staff_number="T1", name="王静", archived_at=timezone.now())
    path = write(tmp_path, workbook_bytes({"年度考核": [HEADER, ["T1", "王静", 2022, "合格", ""]]}))
    with pytest.raises(RosterInvalid) as excinfo:
        run_import(school, path)
    assert "已归档" in excinfo.value.plan.errors[0].message
    assert not AnnualAppraisal.objects.exists()


def test_grades_of_another_school_are_untouched(school, other_school, tmp_path) -> None:
    theirs = make_person(other_school, staff_number="T1", name="王静")
    AnnualAppraisal.objects.create(person=theirs, year=2022, grade=G.BASICALLY_QUALIFIED)
    ours = make_person(school, staff_number="T1", name="王静")
    path = write(tmp_path, workbook_bytes({"年度考核": [HEADER, ["T1", "王静", 2022, "优秀", ""]]}))
    assert run_import(school, path).counts["appraisals_added"] == 1
    assert _grades(theirs) == [(2022, "basic", "")]
    assert _grades(ours) == [(2022, "excellent", "")]


def test_the_plan_reads_stored_grades_in_one_query_whatever_the_rows(
    school, tmp_path, django_assert_max_num_queries
) -> None:
    people = [make_person(school, staff_number=f"T{i:03d}", name=f"教师{i}") for i in range(40)]
    rows = [HEADER] + [
        [p.staff_number, p.name, year, "合格", ""] for p in people for year in (2022, 2023, 2024)
    ]
    path = write(tmp_path, workbook_bytes({"年度考核": rows}))
    # people, posts, stored grades
    with django_assert_max_num_queries(3):
        plan = analyse_roster(school=school, path=path)
    assert plan.errors == [] and plan.counts()["appraisals_added"] == 120


# --- exporting --------------------------------------------------------------------------


def test_export_has_a_grades_sheet_and_json_that_import_back_unchanged(
    school, users, tmp_path
) -> None:
    person = make_person(school, staff_number="T1", name="王静")
    AnnualAppraisal.objects.create(person=person, year=2024, grade=G.QUALIFIED)
    AnnualAppraisal.objects.create(person=person, year=2023, grade=G.UNGRADED, note="试用期内")
    actor = users[Role.PERSONNEL]
    file = exports.run_export("roster", school, actor=actor, filters=None, fmt="xlsx")
    rows = list(load_workbook(io.BytesIO(file.content))["年度考核"].iter_rows(values_only=True))
    assert rows == [
        ("工号", "姓名", "考核年度", "考核等次", "备注"),
        ("T1", "王静", 2023, "不定等次", "试用期内"),
        ("T1", "王静", 2024, "合格", None),
    ]
    plan = analyse_roster(school=school, path=write(tmp_path, file.content))
    assert plan.errors == [] and plan.counts()["unchanged"] == 1
    assert plan.counts()["appraisals_added"] == plan.counts()["appraisals_updated"] == 0

    data = json.loads(
        exports.run_export("roster", school, actor=actor, filters=None, fmt="json").content
    )
    assert data["people"][0]["annual_appraisals"] == [
        {"year": 2023, "grade": "ungraded", "note": "试用期内"},
        {"year": 2024, "grade": "qualified", "note": ""},
    ]
