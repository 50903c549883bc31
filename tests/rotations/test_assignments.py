"""Assignments: the period from the school calendar, the two rules (no overlap for a person,
no mentor over their number in a term) with their Chinese messages, the status changes,
goals, mentors, the mentor's notes and the 急、难、险、重 tasks."""

from __future__ import annotations

import datetime as dt

import pytest

from houbei.core.errors import ValidationFailed
from houbei.organisation.models import TermNumber
from houbei.rotations.assignments import (
    add_hard_task,
    add_mentor,
    add_mentor_note,
    complete_assignment,
    confirm_hard_task,
    create_assignment,
    end_assignment_early,
    record_task_outcome,
    remove_mentor,
    rotation_period,
    set_goals,
    start_assignment,
)
from houbei.rotations.models import (
    Assignment,
    AssignmentMentor,
    AssignmentStatus,
    MentorRole,
    TaskDifficulty,
    TaskKind,
)
from houbei.rotations.rounds import set_mentor_capacity

from ..factories import make_person
from .conftest import last_entry, term_of

pytestmark = pytest.mark.django_db

LEADER = MentorRole.LEADER


@pytest.fixture
def planned(admin, cadres, posts, mentors, years):
    return create_assignment(
        actor=admin, person=cadres[0], post=posts["moral-office"], start_term=years[0],
        length="year", mentors=[(mentors["moral"], LEADER)], goals="提高组织协调能力",
    )  # fmt: skip


@pytest.fixture
def active(admin, planned):
    return start_assignment(actor=admin, assignment=planned)


def test_the_end_date_comes_from_the_school_calendar(school, years):
    first, second, next_first = years
    term = rotation_period(first, "term")
    assert (term.end_term, term.start, term.end) == (first, first.start, first.end)
    year = rotation_period(first, "year")
    assert (year.end_term, year.end) == (second, dt.date(2027, 6, 30))
    # A year from 第二学期 runs into the next school year's 第一学期.
    across = rotation_period(second, "year")
    assert (across.end_term, across.end) == (next_first, next_first.end)
    last = term_of(school, 2027, TermNumber.SECOND)
    with pytest.raises(ValidationFailed) as refused:
        rotation_period(last, "year")
    assert refused.value.errors == {
        "length": [
            f"校历中还没有{last}之后的学期，无法计算一学年轮岗的结束日期，请先在校历中录入下一学年。"
        ]
    }


def test_create_assignment_makes_a_planned_rotation_with_its_mentors(
    planned, admin, mentors, years
):
    assert planned.status == AssignmentStatus.PLANNED
    assert (planned.start_date, planned.end_date) == (years[0].start, years[1].end)
    assert [(m.person, m.role) for m in planned.mentor_links.all()] == [(mentors["moral"], LEADER)]
    entry = last_entry("rotations.assignment.created")
    assert entry.actor == admin and entry.new["mentors"] == ["带教领导：德育主任"]
    assert entry.new["end_date"] == years[1].end.isoformat()


def test_an_overlapping_rotation_is_refused_with_a_clear_message(
    planned, admin, cadres, posts, years
):
    with pytest.raises(ValidationFailed) as refused:
        create_assignment(
            actor=admin, person=cadres[0], post=posts["general-office"], start_term=years[1],
            length="term",
        )  # fmt: skip
    assert refused.value.errors == {
        "person": [
            f"陈晔在2026-09-01至2027-06-30已有轮岗安排（德育处，已安排），与本次安排"
            f"（{years[1].start.isoformat()}至2027-06-30）时间重叠。"
        ]
    }
    # Once it ended early, the later term is free.
    end_assignment_early(actor=admin, assignment=planned, on=dt.date(2026, 12, 31), reason="调任")
    create_assignment(
        actor=admin, person=cadres[0], post=posts["general-office"], start_term=years[1],
        length="term",
    )  # fmt: skip


def test_a_mentor_over_their_number_is_refused_with_a_clear_message(
    admin, school, cadres, posts, mentors, years, round_
):
    set_mentor_capacity(actor=admin, round_=round_, mentor=mentors["moral"], capacity=1)
    create_assignment(
        actor=admin, person=cadres[0], post=posts["moral-office"], start_term=years[0],
        length="term", mentors=[(mentors["moral"], LEADER)],
    )  # fmt: skip
    with pytest.raises(ValidationFailed) as refused:
        create_assignment(
            actor=admin, person=cadres[1], post=posts["general-office"], start_term=years[0],
            length="term", mentors=[(mentors["moral"], LEADER)],
        )  # fmt: skip
    assert refused.value.errors == {
        "mentors": [f"带教人员德育主任在{years[0]}已带教1人（陈晔），名额为1人，不能再带教黄蔚敏。"]
    }
    # Outside the round's term the default number (2) applies.
    create_assignment(
        actor=admin, person=cadres[1], post=posts["general-office"], start_term=years[1],
        length="term", mentors=[(mentors["moral"], LEADER)],
    )  # fmt: skip


def test_create_assignment_refusals_name_their_field(
    admin, school, other_school, cadres, posts, mentors, years
):
    stranger = make_person(other_school, name="外校老师")
    cases = [
        ({"person": stranger}, "person", "不是本校教职工：外校老师"),
        ({"post": posts["grade-leader"]}, "post", "陈晔现任年级组长，不安排到现任岗位轮岗。"),
        ({"length": "month"}, "length", "时长应为一学期或一学年。"),
        ({"mentors": [(cadres[0], LEADER)]}, "mentors", "陈晔不能做自己的带教人员。"),
        ({"mentors": [(mentors["moral"], "boss")]}, "mentors", "带教人员身份应为带教领导或师傅。"),
    ]
    for change, field, message in cases:
        values = {"person": cadres[0], "post": posts["moral-office"], "start_term": years[0],
                  "length": "term", **change}  # fmt: skip
        with pytest.raises(ValidationFailed) as refused:
            create_assignment(actor=admin, **values)
        assert refused.value.errors == {field: [message]}, change
    assert not Assignment.objects.exists()


def test_the_status_changes_and_their_guards(planned, admin, years):
    with pytest.raises(ValidationFailed) as refused:
        complete_assignment(actor=admin, assignment=planned)
    assert refused.value.errors == {"status": ["轮岗安排当前状态为“已安排”，不能结束轮岗。"]}
    with pytest.raises(ValidationFailed) as refused:
        start_assignment(actor=admin, assignment=planned, on=dt.date(2026, 8, 1))
    assert refused.value.errors == {"on": ["开始日期不能早于计划开始日期2026-09-01。"]}
    started = start_assignment(actor=admin, assignment=planned, on=dt.date(2026, 9, 2))
    assert started.status == AssignmentStatus.ACTIVE and started.started_on == dt.date(2026, 9, 2)
    assert last_entry("rotations.assignment.started").new["started_on"] == "2026-09-02"
    done = complete_assignment(actor=admin, assignment=started)
    assert done.status == AssignmentStatus.COMPLETED and done.ended_on == years[1].end
    assert last_entry("rotations.assignment.completed").new["status"] == "completed"
    for service in (start_assignment, complete_assignment):
        with pytest.raises(ValidationFailed):
            service(actor=admin, assignment=done)


def test_ending_early_needs_a_reason_and_a_date_before_the_end(active, admin):
    with pytest.raises(ValidationFailed) as refused:
        end_assignment_early(actor=admin, assignment=active, on=dt.date(2026, 11, 6), reason=" ")
    assert refused.value.errors == {"reason": ["请填写终止理由。"]}
    with pytest.raises(ValidationFailed) as refused:
        end_assignment_early(actor=admin, assignment=active, on=dt.date(2027, 6, 30), reason="x")
    assert "on" in refused.value.errors
    ended = end_assignment_early(
        actor=admin, assignment=active, on=dt.date(2026, 11, 6), reason="半学期考察不称职，终止锻炼"
    )
    assert (ended.status, ended.ended_on) == (AssignmentStatus.ENDED, dt.date(2026, 11, 6))
    assert ended.end_reason == "半学期考察不称职，终止锻炼"
    entry = last_entry("rotations.assignment.ended_early")
    assert entry.reason == "半学期考察不称职，终止锻炼" and entry.old == {"status": "active"}


def test_a_planned_rotation_stopped_before_it_begins_keeps_no_days(planned, admin):
    ended = end_assignment_early(
        actor=admin, assignment=planned, on=dt.date(2026, 8, 20), reason="本人调离"
    )
    assert ended.ended_on == dt.date(2026, 8, 31)
    assert not Assignment.objects.overlapping(dt.date(2026, 1, 1), dt.date(2027, 12, 31)).exists()


def test_goals_change_while_the_rotation_lives(planned, admin, years):
    set_goals(actor=admin, assignment=planned, goals="缺什么补什么：调查研究能力")
    planned.refresh_from_db()
    assert planned.goals == "缺什么补什么：调查研究能力"
    entry = last_entry("rotations.assignment.goals_set")
    assert entry.old == {"goals": "提高组织协调能力"}
    end_assignment_early(actor=admin, assignment=planned, on=dt.date(2026, 8, 20), reason="调离")
    with pytest.raises(ValidationFailed) as refused:
        set_goals(actor=admin, assignment=planned, goals="x")
    assert refused.value.errors == {"status": ["轮岗安排已提前终止，不能再修改锻炼目标。"]}


def test_mentors_are_added_within_their_numbers_and_removed_with_a_reason(
    planned, admin, school, cadres, mentors, posts, years
):
    link = add_mentor(
        actor=admin, assignment=planned, mentor=mentors["class"], role=MentorRole.MASTER
    )
    assert link.role == MentorRole.MASTER
    assert last_entry("rotations.assignment.mentor_added").new["role"] == "master"
    with pytest.raises(ValidationFailed) as refused:
        add_mentor(actor=admin, assignment=planned, mentor=mentors["class"], role=LEADER)
    assert refused.value.errors == {"mentor": ["资深班主任已是该轮岗的带教人员。"]}
    # 资深班主任 may take two a term (the default): 陈晔 and 黄蔚敏 fill them.
    create_assignment(
        actor=admin, person=cadres[1], post=posts["class-teacher"], start_term=years[0],
        length="term", mentors=[(mentors["class"], MentorRole.MASTER)],
    )  # fmt: skip
    other = make_person(school, name="第三位")
    with pytest.raises(ValidationFailed) as refused:
        create_assignment(
            actor=admin, person=other, post=posts["class-teacher"], start_term=years[0],
            length="term", mentors=[(mentors["class"], MentorRole.MASTER)],
        )  # fmt: skip
    assert refused.value.errors["mentors"][0].startswith(
        f"带教人员资深班主任在{years[0]}已带教2人（陈晔、黄蔚敏），名额为2人"
    )
    with pytest.raises(ValidationFailed):
        remove_mentor(actor=admin, assignment=planned, mentor=mentors["class"], reason="")
    removed = remove_mentor(
        actor=admin, assignment=planned, mentor=mentors["class"], reason="工作调整"
    )
    assert removed.removed_at is not None
    assert AssignmentMentor.objects.filter(assignment=planned).count() == 2  # kept
    assert last_entry("rotations.assignment.mentor_removed").reason == "工作调整"
    # The place is free again.
    create_assignment(
        actor=admin, person=other, post=posts["class-teacher"], start_term=years[0],
        length="term", mentors=[(mentors["class"], MentorRole.MASTER)],
    )  # fmt: skip


def test_only_a_mentor_of_the_rotation_writes_its_notes(active, admin, mentors):
    note = add_mentor_note(
        actor=admin, assignment=active, author=mentors["moral"], text="主持德育例会，准备充分",
        written_on=dt.date(2026, 10, 8),
    )  # fmt: skip
    assert note.written_on == dt.date(2026, 10, 8)
    assert last_entry("rotations.note.added").new["text"] == "主持德育例会，准备充分"
    with pytest.raises(ValidationFailed) as refused:
        add_mentor_note(actor=admin, assignment=active, author=mentors["academic"], text="x")
    assert refused.value.errors == {"author": ["教导主任不是陈晔的带教人员，不能填写带教记录。"]}
    with pytest.raises(ValidationFailed) as refused:
        add_mentor_note(
            actor=admin, assignment=active, author=mentors["moral"], text="x",
            written_on=dt.date(2026, 8, 1),
        )  # fmt: skip
    assert "written_on" in refused.value.errors
    assert list(active.notes.all()) == [note]


def test_hard_tasks_are_given_recorded_and_confirmed_by_the_mentor(active, planned, admin, mentors):
    task = add_hard_task(
        actor=admin, assignment=active, title="台风天学生安全转移", given_on=dt.date(2026, 9, 15),
        kinds=[TaskKind.RISKY, TaskKind.URGENT], difficulty=TaskDifficulty.VERY_HARD,
    )  # fmt: skip
    assert task.kinds == ["urgent", "risky"] and task.kinds_display == "急、险"
    assert last_entry("rotations.task.added").new["task"] == "台风天学生安全转移"
    with pytest.raises(ValidationFailed) as refused:
        confirm_hard_task(actor=admin, task=task, mentor=mentors["moral"])
    assert refused.value.errors == {"outcome": ["请先填写完成情况，再由带教人员确认。"]}
    with pytest.raises(ValidationFailed) as refused:
        record_task_outcome(
            actor=admin, task=task, outcome="安全转移", outcome_on=dt.date(2026, 9, 1)
        )
    assert refused.value.errors == {"outcome_on": ["完成日期不能早于布置日期2026-09-15。"]}
    record_task_outcome(
        actor=admin, task=task, outcome="两小时内全部安全转移", outcome_on=dt.date(2026, 9, 15)
    )
    assert last_entry("rotations.task.outcome_recorded").new["outcome"] == "两小时内全部安全转移"
    with pytest.raises(ValidationFailed) as refused:
        confirm_hard_task(actor=admin, task=task, mentor=mentors["academic"])
    assert refused.value.errors == {"mentor": ["教导主任不是陈晔的带教人员，不能确认任务。"]}
    task = confirm_hard_task(actor=admin, task=task, mentor=mentors["moral"])
    assert task.is_confirmed and task.confirmed_by == mentors["moral"]
    assert last_entry("rotations.task.confirmed").new["confirmed_by"] == "德育主任"
    with pytest.raises(ValidationFailed) as refused:
        record_task_outcome(actor=admin, task=task, outcome="改写", outcome_on=dt.date(2026, 9, 16))
    assert refused.value.errors == {"outcome": ["带教人员已确认该任务，不能再修改完成情况。"]}


def test_hard_tasks_need_a_running_rotation_a_kind_and_a_date_within_it(planned, admin, years):
    values = {"title": "迎接督导检查", "given_on": dt.date(2026, 10, 1), "kinds": ["heavy"],
              "difficulty": TaskDifficulty.HARD}  # fmt: skip
    with pytest.raises(ValidationFailed) as refused:
        add_hard_task(actor=admin, assignment=planned, **values)
    assert refused.value.errors == {
        "status": ["轮岗安排当前状态为“已安排”，只有轮岗中才能布置任务。"]
    }
    active = start_assignment(actor=admin, assignment=planned)
    for change, field in [
        ({"kinds": []}, "kinds"),
        ({"kinds": ["easy"]}, "kinds"),
        ({"difficulty": 9}, "difficulty"),
        ({"given_on": dt.date(2027, 7, 1)}, "given_on"),
        ({"title": ""}, "title"),
    ]:
        with pytest.raises(ValidationFailed) as refused:
            add_hard_task(actor=admin, assignment=active, **{**values, **change})
        assert field in refused.value.errors, change
    assert not active.hard_tasks.exists()
