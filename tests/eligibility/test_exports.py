"""The eligibility board's export: workbook layout, JSON, audit, the command line, and
formula neutralisation."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from openpyxl import load_workbook

from houbei.accounts.models import Role
from houbei.audit.models import AuditEntry
from houbei.core import exports
from houbei.core.errors import NotAllowed, ValidationFailed
from houbei.eligibility import services
from houbei.eligibility.exports import EligibilityExportRequest, RuleSetNotFound
from houbei.eligibility.models import Rule
from houbei.people.models import Establishment
from tests.factories import add_history, add_honour, make_person

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2021, 2, 26)
FIXED = ["序号", "工号", "姓名", "性别", "年龄", "结论", "优先"]
# The plan's rules as the board heads them: the kind of condition, then its strength.
SCHOOL_YEARS = "在本校工作年限\n（必备条件）"
AGE = "年龄\n（参考条件）"
HEALTH = "身心健康\n（必备条件）"
THINKING = "人工记录\n（人工记录）"
RULE_HEADERS = [
    "编制\n（推荐范围）",
    "在岗状态\n（推荐范围）",
    THINKING,
    SCHOOL_YEARS,
    "任职年限\n（必备条件）",
    "下一级岗位经历\n（必备条件）",
    AGE,
    "荣誉称号\n（优先条件）",
    HEALTH,
]


@pytest.fixture
def rule_set(school):
    return services.create_rule_set(
        actor=None, school=school, name="2021年选拔", reference_date=AS_OF, is_default=True
    )


def qualified(school, **fields):
    person = make_person(
        school,
        joined_school_on=dt.date(2010, 9, 1),
        fit_for_duty=True,
        fit_for_duty_on=dt.date(2020, 9, 1),
        **fields,
    )
    add_history(person, "class-teacher", dt.date(2012, 9, 1), dt.date(2016, 7, 31))
    add_history(person, "grade-leader", dt.date(2016, 9, 1))
    return person


@pytest.fixture
def staff(school):
    wang = qualified(school, name="王静", staff_number="A001")
    add_honour(wang, "优秀班主任", year=2019)
    return {
        "wang": wang,
        "li": qualified(school, name="李新", staff_number="A002"),
        "new": make_person(
            school,
            name="新来的",
            staff_number="A003",
            joined_school_on=dt.date(2019, 9, 1),
            fit_for_duty=True,
            fit_for_duty_on=dt.date(2020, 9, 1),
        ),
        "out": make_person(
            school, name="编外", staff_number="A004", establishment=Establishment.OUT
        ),
    }


def export(school, actor=None, fmt="xlsx", **wanted):
    return exports.run_export(
        "eligibility",
        school,
        actor=actor,
        filters=EligibilityExportRequest(**wanted) if wanted else None,
        fmt=fmt,
    )


def sheet_rows(content: bytes) -> list[tuple]:
    ws = load_workbook(io.BytesIO(content)).active
    return [tuple(r) for r in ws.iter_rows(values_only=True)]


def trimmed(row: tuple) -> list:
    values = list(row)
    while values and values[-1] is None:
        values.pop()
    return values


# --- Workbook -----------------------------------------------------------------------------


def test_workbook_lists_the_people_in_scope_with_one_column_per_rule(
    school, rule_set, staff, users
):
    file = export(school, actor=users[Role.PERSONNEL])
    assert file.filename.startswith("资格审查结果-shiba-20210226-")
    assert file.filename.endswith(".xlsx")
    workbook = load_workbook(io.BytesIO(file.content))
    ws = workbook.active
    assert ws.title == "资格审查结果"
    assert ws.freeze_panes == "D3"
    rows = [tuple(r) for r in ws.iter_rows(values_only=True)]
    assert rows[0][0] == "市八初级中学　2021年选拔　基准日：2021-02-26　目标层级：组长层"
    assert list(rows[1]) == [*FIXED, *RULE_HEADERS, "说明"]
    people = rows[2:5]
    assert [(r[0], r[1], r[2], r[5]) for r in people] == [
        (1, "A001", "王静", "符合条件"),
        (2, "A002", "李新", "符合条件"),
        (3, "A003", "新来的", "不符合条件"),
    ]
    wang = dict(zip(rows[1], rows[2], strict=True))
    assert (wang["性别"], wang["年龄"], wang["优先"]) == (
        "女" if staff["wang"].gender == "F" else "男",
        35,
        1,
    )
    assert wang[SCHOOL_YEARS] == "符合 10年5个月"
    assert wang[AGE] == "符合 35岁"
    assert wang[HEALTH] == "符合"
    assert wang[THINKING] == "待补充"
    explanation = wang["说明"].split("\n")
    assert len(explanation) == len(RULE_HEADERS)
    assert (
        explanation[3]
        == "在本校五年以上的工作经历（符合）：在本校工作10年5个月（2010-09-01进校），要求满5年。"
    )
    new = dict(zip(rows[1], rows[4], strict=True))
    assert new[SCHOOL_YEARS].startswith("不符合 1年")
    assert "编外" not in {r[2] for r in rows}
    assert ws.column_dimensions["I"].width > ws.column_dimensions["A"].width


def test_workbook_ends_with_the_counts_by_verdict(school, rule_set, staff):
    rows = [trimmed(r) for r in sheet_rows(export(school).content)]
    tail = rows[rows.index([None] * 5 + ["各结论人数（全部在册人员）"]) :]
    assert tail[1:] == [
        [None] * 5 + ["符合条件", 2],
        [None] * 5 + ["符合（有提示）", 0],
        [None] * 5 + ["不符合条件", 1],
        [None] * 5 + ["信息不全", 0],
        [None] * 5 + ["不在推荐范围", 1],
        [None] * 5 + ["合计", 4],
        [None] * 5 + ["本表列出", 3],
    ]


def test_verdict_filter_target_and_date_choose_what_is_listed(school, rule_set, staff):
    everyone = sheet_rows(export(school, verdict="all").content)
    assert "编外" in {r[2] for r in everyone}
    only = sheet_rows(export(school, verdict="ineligible").content)
    assert [r[2] for r in only[2:] if isinstance(r[0], int)] == ["新来的"]
    office = sheet_rows(export(school, target="post:academic-office").content)
    assert office[0][0].endswith("目标岗位：教导处（中层）")
    earlier = sheet_rows(export(school, as_of=dt.date(2015, 6, 1)).content)
    assert "基准日：2015-06-01" in earlier[0][0]
    assert earlier[2][5] == "不符合条件"


def test_workbook_notes_rulings_in_the_cell_and_the_explanation(school, rule_set, staff, users):
    rule = rule_set.rules.get(key="school-years")
    services.record_ruling(
        actor=users[Role.PERSONNEL],
        rule=rule,
        person=staff["new"],
        outcome="pass",
        reason="原单位并入本校，工龄连续计算",
    )
    rows = sheet_rows(export(school).content)
    new = next(dict(zip(rows[1], r, strict=True)) for r in rows if r[2] == "新来的")
    assert new[SCHOOL_YEARS].startswith("符合 1年")
    assert new[SCHOOL_YEARS].endswith("（认定）")
    line = next(t for t in new["说明"].split("\n") if t.startswith("在本校五年以上"))
    assert line.startswith("在本校五年以上的工作经历（符合）：在本校工作1年")
    assert "【逐人认定：符合（计算结果：不符合）；理由：原单位并入本校，工龄连续计算；" in line


def test_a_recorded_manual_rule_reads_as_the_record(school, rule_set, staff, users):
    services.record_ruling(
        actor=users[Role.PERSONNEL],
        rule=rule_set.rules.get(key="thinking"),
        person=staff["wang"],
        outcome="pass",
        reason="支委会考察意见",
    )
    rows = sheet_rows(export(school).content)
    wang = dict(zip(rows[1], rows[2], strict=True))
    assert wang[THINKING] == "符合（认定）"
    line = wang["说明"].split("\n")[2]
    assert line.startswith(
        "思想端正，热爱教育事业，有事业心、责任感和奉献精神（符合）：人工记录：符合；"
    )
    assert "理由：支委会考察意见（人事干部，" in line
    assert "尚未记录" not in line


def test_workbook_is_chinese_whatever_the_language_asked_in(school, rule_set, staff):
    with translation.override("en"):
        rows = sheet_rows(export(school).content)
    assert rows[1][:7] == tuple(FIXED)
    assert rows[2][5] == "符合条件"
    assert "要求满5年" in rows[2][-1]


def test_a_name_a_spreadsheet_would_run_is_neutralised(school, rule_set):
    qualified(school, name='=HYPERLINK("http://x","y")', staff_number="+86")
    workbook = load_workbook(io.BytesIO(export(school).content))
    ws = workbook.active
    assert ws.cell(row=3, column=2).value == "'+86"
    assert ws.cell(row=3, column=3).value == '\'=HYPERLINK("http://x","y")'
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)


def test_export_query_count_does_not_grow_with_people(school, rule_set):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            export(school, verdict="all")
        return len(captured)

    for n in range(3):
        add_honour(qualified(school, staff_number=f"Q{n:02d}"), year=2018)
    few = queries()
    for n in range(3, 30):
        add_honour(qualified(school, staff_number=f"Q{n:02d}"), year=2018)
    assert queries() == few


# --- JSON ---------------------------------------------------------------------------------


def test_json_has_the_same_results_structured(school, rule_set, staff):
    file = export(school, fmt="json", verdict="all")
    assert file.content_type == "application/json"
    data = json.loads(file.content)
    assert data["school"] == "shiba"
    assert data["rule_set"] == {"id": rule_set.pk, "name": "2021年选拔"}
    assert (data["as_of"], data["target"], data["target_label"], data["verdict"]) == (
        "2021-02-26",
        "",
        "目标层级：组长层",
        "all",
    )
    assert data["counts"] == {
        "eligible": 2,
        "flagged": 0,
        "ineligible": 1,
        "incomplete": 0,
        "out_of_scope": 1,
    }
    assert data["count"] == 4
    assert [r["key"] for r in data["rules"]][:3] == ["in-establishment", "on-duty", "thinking"]
    wang = data["people"][0]
    assert (wang["staff_number"], wang["name"], wang["age"], wang["verdict"]) == (
        "A001",
        "王静",
        35,
        "eligible",
    )
    assert wang["priority"] == 1
    results = {r["key"]: r for r in wang["results"]}
    assert results["school-years"] == {
        "key": "school-years",
        "outcome": "pass",
        "computed": "pass",
        "short": "10年5个月",
        "text": "在本校工作10年5个月（2010-09-01进校），要求满5年。",
        "ruling": None,
    }
    assert [p["name"] for p in data["people"]] == ["王静", "李新", "新来的", "编外"]


# --- Audit and refusals -------------------------------------------------------------------


def test_every_export_is_audited_with_what_it_contained(school, rule_set, staff, users):
    export(school, actor=users[Role.DECISION], target="level:3", verdict="eligible")
    entry = AuditEntry.objects.get(action="eligibility.board.exported")
    assert entry.actor == users[Role.DECISION]
    assert entry.school == school
    assert (entry.target_type, entry.target_id) == ("eligibility.ruleset", str(rule_set.pk))
    assert entry.new == {
        "rule_set": "2021年选拔",
        "rule_set_id": rule_set.pk,
        "as_of": "2021-02-26",
        "target": "level:3",
        "verdict": "eligible",
        "format": "xlsx",
        "rows": 2,
    }


def test_a_named_rule_set_is_exported_instead_of_the_default(school, rule_set, staff):
    other = services.create_rule_set(
        actor=None, school=school, name="青年后备", reference_date=dt.date(2020, 9, 1)
    )
    data = json.loads(export(school, fmt="json", rule_set_id=other.pk).content)
    assert (data["rule_set"]["name"], data["as_of"]) == ("青年后备", "2020-09-01")


def test_another_schools_rule_set_is_not_found(school, other_school, rule_set):
    foreign = services.create_rule_set(actor=None, school=other_school, name="外校")
    with pytest.raises(RuleSetNotFound, match=f"本校没有编号为{foreign.pk}的选拔条件"):
        export(school, rule_set_id=foreign.pk)
    assert not AuditEntry.objects.filter(action="eligibility.board.exported").exists()


def test_a_school_without_a_default_rule_set_must_name_one(other_school):
    with pytest.raises(RuleSetNotFound, match="尚未设定默认选拔条件"):
        export(other_school)


@pytest.mark.parametrize(
    ("wanted", "message"),
    [
        ({"verdict": "maybe"}, "结论“maybe”无效"),
        ({"target": "post:nowhere"}, "目标“post:nowhere”无效"),
        ({"as_of": dt.date(1, 1, 1)}, "基准日须在1900-01-01至2100-12-31之间"),
    ],
)
def test_unusable_requests_are_refused_with_the_reason(school, rule_set, wanted, message):
    with pytest.raises(ValidationFailed, match=message):
        export(school, **wanted)


def test_a_rule_that_cannot_be_computed_is_refused(school, rule_set):
    Rule.objects.filter(rule_set=rule_set, key="head-years").update(
        params={"min_years": "3", "posts": ["closed-post"]}
    )
    with pytest.raises(ValidationFailed, match="选拔条件无法计算：没有代码为closed-post的岗位"):
        export(school)


@pytest.mark.parametrize("role", [Role.MENTOR, Role.STAFF, Role.DISTRICT, Role.SYSADMIN])
def test_users_without_the_board_may_not_export_it(school, rule_set, users, role):
    with pytest.raises(NotAllowed):
        export(school, actor=users[role])


def test_a_user_of_another_school_may_not_export_it(other_school, rule_set, users):
    services.create_rule_set(actor=None, school=other_school, name="外校", is_default=True)
    with pytest.raises(NotAllowed):
        export(other_school, actor=users[Role.PERSONNEL])


# --- Command line -------------------------------------------------------------------------


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("export", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_command_writes_json_to_stdout(school, rule_set, staff):
    out, _err = run(
        "eligibility",
        "--school",
        "shiba",
        "--format",
        "json",
        "--as-of",
        "2021-02-26",
        "--target",
        "level:3",
        "--verdict",
        "ineligible",
    )
    data = json.loads(out)
    assert (data["as_of"], data["target"], data["verdict"]) == (
        "2021-02-26",
        "level:3",
        "ineligible",
    )
    assert [p["name"] for p in data["people"]] == ["新来的"]
    entry = AuditEntry.objects.get(action="eligibility.board.exported")
    assert entry.actor is None and entry.actor_name == "系统"
    assert entry.new["format"] == "json"


def test_command_writes_a_workbook(school, rule_set, staff, tmp_path):
    other = services.create_rule_set(actor=None, school=school, name="青年后备")
    path = tmp_path / "board.xlsx"
    _out, err = run(
        "eligibility",
        "--school",
        "shiba",
        "--format",
        "xlsx",
        "--rule-set",
        str(other.pk),
        "--as-of",
        "2021-02-26",
        "--output",
        str(path),
    )
    assert "已写入" in err
    rows = sheet_rows(path.read_bytes())
    assert rows[0][0].startswith("市八初级中学　青年后备　基准日：2021-02-26")
    assert [r[2] for r in rows[2:5]] == ["王静", "李新", "新来的"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--rule-set", "999"], "本校没有编号为999的选拔条件"),
        (["--rule-set", "abc"], "选拔条件编号应为整数"),
        (["--as-of", "2021/02/26"], "基准日应为日期，格式为 YYYY-MM-DD"),
        (["--verdict", "maybe"], "结论“maybe”无效"),
        (["--status", "on"], "名册的筛选条件不能用于 eligibility 导出"),
    ],
)
def test_command_refuses_bad_options_in_chinese(school, rule_set, args, message):
    with pytest.raises(CommandError, match=message) as caught:
        run("eligibility", "--school", "shiba", "--format", "json", *args)
    assert caught.value.returncode == 1


def test_eligibility_options_are_refused_for_the_roster(school):
    with pytest.raises(CommandError, match="只用于 eligibility 导出"):
        run("roster", "--school", "shiba", "--format", "json", "--as-of", "2021-02-26")
