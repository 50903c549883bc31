"""``houbei export assignments``: every assignment of the school, a round's, a term's or those in
one status, as JSON and as a workbook, through the export registry; its refusals, who may
run it from the pages, and its audit entry."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from houbei.accounts.models import Role
from houbei.audit.models import AuditEntry
from houbei.core.errors import DomainError, NotAllowed
from houbei.core.exports import kinds, run_export
from houbei.rotations.assignments import create_assignment, end_assignment_early, start_assignment
from houbei.rotations.models import Assignment, MentorRole
from houbei.rotations.proposal import confirm_round, run_matching
from houbei.rotations.rounds import close_intentions

from ..conftest import make_user
from .conftest import fill

pytestmark = pytest.mark.django_db

FIELDS = {
    "id", "person", "post", "level", "level_label", "mentors", "start_term", "end_term",
    "length", "length_label", "start", "end", "ended_on", "status", "status_label", "round",
}  # fmt: skip


@pytest.fixture
def rotations(round_, admin, cadres, posts, mentors, years):
    """The round confirmed (陈晔 德育处 a year with 德育主任, 黄蔚敏 总务处, 卢懿蕾 教导处 with
    教导主任, all from 2026 第一学期), 卢懿蕾's begun and ended early, and one made by hand
    for 黄蔚敏 in 2027 第一学期 at 教务处."""
    a, b, c = cadres
    fill(admin, round_, a, ["moral-office", "academic-office"], length="year")
    fill(admin, round_, b, ["moral-office", "general-office"])
    fill(admin, round_, c, ["academic-office"])
    close_intentions(actor=admin, round_=round_)
    run_matching(actor=admin, round_=round_)
    confirm_round(actor=admin, round_=round_)
    lu = Assignment.objects.get(person=c)
    start_assignment(actor=admin, assignment=lu)
    end_assignment_early(actor=admin, assignment=lu, on=dt.date(2026, 12, 1), reason="调整")
    create_assignment(
        actor=admin, person=b, post=posts["teaching-office"], start_term=years[2],
        length="term", mentors=[(mentors["academic"], MentorRole.LEADER)],
    )  # fmt: skip
    round_.refresh_from_db()
    return round_


def export_json(capsys, *args: str) -> dict:
    call_command("export", "assignments", "--school", "shiba", "--format", "json", *args)
    return json.loads(capsys.readouterr().out)


def test_the_exporter_is_registered():
    assert "assignments" in kinds()


def test_the_json_export_gives_every_assignment_with_its_fields(rotations, capsys, cadres):
    data = export_json(capsys)
    assert data["format"] == "houbei-assignments/1" and data["school"] == "市八初级中学"
    assert data["filters"] == {"round": None, "term": None, "status": None}
    assert data["count"] == 4
    assert [(a["person"]["name"], a["post"]["name"]) for a in data["assignments"]] == [
        ("陈晔", "德育处"), ("黄蔚敏", "总务处"), ("卢懿蕾", "教导处"), ("黄蔚敏", "教务处"),
    ]  # fmt: skip
    chen = data["assignments"][0]
    assert set(chen) == FIELDS
    assert chen["person"] == {"name": "陈晔", "staff_number": cadres[0].staff_number}
    assert (chen["level"], chen["level_label"]) == (3, "中层")
    assert chen["mentors"] == [
        {"name": "德育主任", "staff_number": chen["mentors"][0]["staff_number"],
         "role": "leader", "role_label": "带教领导"},
    ]  # fmt: skip
    assert chen["start_term"] == {"code": "2026-1", "label": "2026–2027学年 第一学期"}
    assert chen["end_term"] == {"code": "2026-2", "label": "2026–2027学年 第二学期"}
    assert (chen["length"], chen["length_label"]) == ("year", "一学年")
    assert (chen["start"], chen["end"], chen["ended_on"]) == ("2026-09-01", "2027-06-30", None)
    assert (chen["status"], chen["status_label"]) == ("planned", "已安排")
    assert chen["round"] == {"id": rotations.pk, "title": "2026学年第一学期双向选择"}
    lu = data["assignments"][2]
    assert (lu["status"], lu["ended_on"]) == ("ended", "2026-12-01")
    assert data["assignments"][3]["round"] is None
    assert "phone" not in json.dumps(data)


def test_the_export_filters_by_round_term_and_status(rotations, capsys):
    by_round = export_json(capsys, "--round", str(rotations.pk))
    assert by_round["filters"]["round"] == {"id": rotations.pk, "title": rotations.title}
    assert [a["post"]["name"] for a in by_round["assignments"]] == ["德育处", "总务处", "教导处"]
    # A term takes every rotation with a day in it: 陈晔's year runs into 第二学期.
    second = export_json(capsys, "--term", "2026-2")
    assert second["filters"]["term"] == {"code": "2026-2", "label": "2026–2027学年 第二学期"}
    assert [a["person"]["name"] for a in second["assignments"]] == ["陈晔"]
    later = export_json(capsys, "--term", "2027-1")
    assert [a["post"]["name"] for a in later["assignments"]] == ["教务处"]
    ended = export_json(capsys, "--status", "ended")
    assert [a["person"]["name"] for a in ended["assignments"]] == ["卢懿蕾"]
    both = export_json(capsys, "--round", str(rotations.pk), "--status", "planned")
    assert both["count"] == 2 and both["filters"]["status"] == "planned"


def test_the_workbook_has_one_row_per_assignment(rotations, tmp_path):
    out = tmp_path / "assignments.xlsx"
    call_command("export", "assignments", "--school", "shiba", "--round", str(rotations.pk),
                 "--format", "xlsx", "--output", str(out))  # fmt: skip
    rows = list(load_workbook(io.BytesIO(out.read_bytes()))["轮岗安排"].iter_rows(values_only=True))
    assert rows[0] == (
        "序号", "姓名", "工号", "岗位", "层级", "带教人员", "开始学期", "结束学期", "时长",
        "开始日期", "结束日期", "实际结束日期", "状态", "轮次",
    )  # fmt: skip
    chen = rows[1]
    assert chen[1] == "陈晔" and chen[3:9] == (
        "德育处", "中层", "德育主任（带教领导）", "2026–2027学年 第一学期",
        "2026–2027学年 第二学期", "一学年",
    )  # fmt: skip
    assert chen[9:] == (
        dt.datetime(2026, 9, 1), dt.datetime(2027, 6, 30), None, "已安排", rotations.title,
    )  # fmt: skip
    assert rows[3][1] == "卢懿蕾" and rows[3][11:13] == (dt.datetime(2026, 12, 1), "提前终止")
    assert rows[-1] == (f"市八初级中学：{rotations.title}",) + (None,) * 13


def test_each_export_is_audited_as_a_system_action(rotations, capsys, tmp_path):
    export_json(capsys, "--term", "2026-1")
    call_command("export", "assignments", "--school", "shiba", "--format", "xlsx",
                 "--output", str(tmp_path / "a.xlsx"))  # fmt: skip
    entries = AuditEntry.objects.filter(action="rotations.assignments.exported").order_by("seq")
    assert [(e.new["format"], e.new["term"], e.new["rows"], e.actor_id) for e in entries] == [
        ("json", "2026–2027学年 第一学期", 3, None), ("xlsx", None, 4, None),
    ]  # fmt: skip


def test_bad_filters_are_refused_with_a_chinese_message(rotations, school, other_school):
    def refused(*args: str) -> str:
        with pytest.raises(CommandError) as error:
            call_command("export", "assignments", "--school", "shiba", "--format", "json", *args)
        return str(error.value)

    assert "本校没有编号为999999的双向选择轮次" in refused("--round", "999999")
    assert "轮次应为编号" in refused("--round", "春季")
    assert "请只指定轮次（--round）或学期（--term）中的一项" in refused(
        "--round", str(rotations.pk), "--term", "2026-1"
    )
    assert "学期应写作“起始年份-学期”" in refused("--term", "下学期")
    assert "本校校历中没有这个学期" in refused("--term", "2031-1")
    assert "轮岗状态应为：planned（已安排）" in refused("--status", "done")
    assert "assignments 导出只接受" in refused("--gender", "F")
    with pytest.raises(CommandError, match="--round、--term 只用于 assignments 导出"):
        call_command("export", "roster", "--school", "shiba", "--term", "2026-1")
    with pytest.raises(DomainError, match="没有筛选条件colour"):
        run_export("assignments", school, actor=None, filters={"colour": "red"}, fmt="json")
    foreign = make_user(Role.PERSONNEL, school=other_school)
    with pytest.raises(DomainError, match="本校没有编号为"):
        run_export(
            "assignments", other_school, actor=foreign, filters={"round": rotations}, fmt="json"
        )


def test_only_those_who_watch_the_rounds_export_from_the_pages(rotations, school, other_school):
    for role in (Role.STAFF, Role.MENTOR):
        with pytest.raises(NotAllowed):
            run_export("assignments", school, actor=make_user(role, school=school), filters={},
                       fmt="json")  # fmt: skip
    stranger = make_user(Role.PERSONNEL, school=other_school)
    with pytest.raises(NotAllowed):
        run_export("assignments", school, actor=stranger, filters={}, fmt="json")
    decider = make_user(Role.DECISION, school=school)
    file = run_export("assignments", school, actor=decider, filters={"round": rotations.pk},
                      fmt="xlsx")  # fmt: skip
    assert file.filename == "市八初中-2026学年第一学期双向选择-轮岗安排.xlsx"
    (entry,) = AuditEntry.objects.filter(action="rotations.assignments.exported")
    assert entry.actor_id == decider.pk and entry.target_id == str(rotations.pk)
