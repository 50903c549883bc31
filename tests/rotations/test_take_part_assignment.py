"""One rotation's page and a mentor's mentees through the pages: who reads it (the cadre,
their mentors, the office) and who is refused (other staff, a mentor taken off, another
school), the mentor's notes, the 急、难、险、重 tasks given by a mentor, their outcomes
recorded by the cadre and confirmed by a mentor, each write refused to everyone else, bad
input named and kept, and the mentees page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from houbei.accounts.models import Role
from houbei.rotations.assignments import (
    add_hard_task,
    complete_assignment,
    create_assignment,
    record_task_outcome,
    remove_mentor,
    set_goals,
    start_assignment,
)
from houbei.rotations.models import HardTask, MentorNote, MentorRole

from ..conftest import make_user
from ..factories import make_person
from .conftest import last_entry
from .test_take_part_intention import as_user, page

pytestmark = pytest.mark.django_db


@pytest.fixture
def rotation(admin, cadres, posts, mentors, years):
    """陈晔 rotating at 德育处 in 2026学年第一学期, with 德育主任 as 带教领导 and
    资深班主任 as 师傅."""
    assignment = create_assignment(
        actor=admin, person=cadres[0], post=posts["moral-office"], start_term=years[0],
        length="term", goals="提高组织协调能力",
        mentors=[(mentors["moral"], MentorRole.LEADER), (mentors["class"], MentorRole.MASTER)],
    )  # fmt: skip
    return start_assignment(actor=admin, assignment=assignment)


@pytest.fixture
def task(admin, rotation) -> HardTask:
    return add_hard_task(
        actor=admin, assignment=rotation, title="运动会安全预案", kinds=["urgent", "risky"],
        given_on=rotation.start_date, difficulty=2, detail="三天内完成",
    )  # fmt: skip


def at(rotation, name="assignment", **extra) -> str:
    return reverse(f"rotations:{name}", kwargs={"pk": rotation.pk, **extra})


def test_the_cadre_reads_the_rotation(client, admin, rotation, task):
    set_goals(actor=admin, assignment=rotation, goals="提高组织协调能力和应急应变能力")
    as_user(client, rotation.person)
    html = page(client.get(at(rotation)))
    for text in [
        "陈晔 · 德育处", "带教领导：德育主任", "师傅：资深班主任", "2026–2027学年 第一学期",
        "一学期", "2026-09-01 — 2027-01-29", "提高组织协调能力和应急应变能力", "轮岗中",
        "新建轮岗安排", "开始轮岗", "修改轮岗锻炼目标", "运动会安全预案", "急、险", "较难",
        "三天内完成", "填写完成情况",
    ]:  # fmt: skip
        assert text in html, text
    # The cadre neither writes notes nor gives or confirms tasks, nor acts for the office.
    assert "添加带教记录" not in html and "确认任务和完成情况" not in html
    assert at(rotation, "assignment_manage") not in html
    assert "布置任务</summary>" not in html


def test_mentors_and_the_office_read_it_and_nobody_else(client, school, rotation):
    as_user(client, rotation.mentor_links.get(role=MentorRole.LEADER).person, Role.MENTOR)
    html = page(client.get(at(rotation)))
    assert "添加带教记录" in html and "布置任务" in html
    # Accounts not linked to anyone on the rotation: the office reads, others do not.
    for role, status in [
        (Role.PERSONNEL, 200), (Role.DECISION, 200), (Role.MENTOR, 403), (Role.STAFF, 403),
    ]:  # fmt: skip
        client.force_login(make_user(role, school=school, username=f"reader-{role}"))
        response = client.get(at(rotation))
        assert response.status_code == status, role
        if status == 200:
            # The office's own actions are on its page, linked from here.
            assert at(rotation, "assignment_manage") in page(response)
            assert "添加带教记录" not in page(response)
    as_user(client, make_person(school, name="另一位后备"))
    assert client.get(at(rotation)).status_code == 403


def test_a_mentor_taken_off_no_longer_reads_it(client, admin, rotation, mentors):
    remove_mentor(actor=admin, assignment=rotation, mentor=mentors["class"], reason="调岗")
    as_user(client, mentors["class"], Role.MENTOR)
    assert client.get(at(rotation)).status_code == 403
    client.logout()
    as_user(client, rotation.person)
    html = page(client.get(at(rotation)))
    assert "撤换过的带教人员" in html and "调岗" in html


def test_another_schools_rotation_is_not_found(client, other_school, rotation):
    person = make_person(other_school, name="外校人员")
    client.force_login(make_user(Role.PERSONNEL, school=other_school, username="other-hr"))
    assert client.get(at(rotation)).status_code == 404
    task = add_hard_task(
        actor=None, assignment=rotation, title="任务", kinds=["heavy"],
        given_on=rotation.start_date, difficulty=1,
    )  # fmt: skip
    as_user(client, person)
    for name, extra in [
        ("assignment_note_add", {}), ("assignment_task_add", {}),
        ("assignment_task_outcome", {"sub": task.pk}), ("assignment_task_confirm", {"sub": task.pk}),
    ]:  # fmt: skip
        assert client.post(at(rotation, name, **extra), {}).status_code == 404


def test_a_mentor_writes_a_note(client, rotation, mentors):
    user = as_user(client, mentors["moral"], Role.MENTOR)
    response = client.post(
        at(rotation, "assignment_note_add"),
        {"written_on": "2026-10-15", "text": "主动承担家长会组织工作，协调得当。"},
    )
    assert response.status_code == 302 and response["Location"].endswith("#notes")
    note = MentorNote.objects.get()
    assert (note.author, note.written_on, note.created_by) == (
        mentors["moral"], dt.date(2026, 10, 15), user,
    )  # fmt: skip
    assert last_entry("rotations.note.added").actor == user
    client.logout()
    as_user(client, rotation.person)
    assert "主动承担家长会组织工作" in page(client.get(at(rotation)))


def test_a_bad_note_is_named_and_kept(client, rotation, mentors):
    as_user(client, mentors["moral"], Role.MENTOR)
    response = client.post(
        at(rotation, "assignment_note_add"), {"written_on": "2026-08-01", "text": "开学前准备"}
    )
    assert response.status_code == 200
    html = page(response)
    assert "记录日期不能早于轮岗开始日期2026-09-01。" in html and "开学前准备" in html
    response = client.post(at(rotation, "assignment_note_add"), {"written_on": "", "text": ""})
    assert "这个字段是必填项。" in page(response)
    assert not MentorNote.objects.exists()


def test_only_a_mentor_writes_notes(client, school, rotation):
    as_user(client, rotation.person)
    url = at(rotation, "assignment_note_add")
    assert client.post(url, {"written_on": "2026-10-15", "text": "自己写"}).status_code == 403
    client.force_login(make_user(Role.PERSONNEL, school=school, username="office"))
    assert client.post(url, {"written_on": "2026-10-15", "text": "人事室"}).status_code == 403
    assert not MentorNote.objects.exists()


def test_a_mentor_gives_a_task(client, rotation, mentors):
    user = as_user(client, mentors["moral"], Role.MENTOR)
    response = client.post(
        at(rotation, "assignment_task_add"),
        {"title": "疫情应急值守", "kinds": ["urgent", "heavy"], "given_on": "2026-11-02",
         "difficulty": "3", "detail": "周末值守"},
    )  # fmt: skip
    assert response.status_code == 302
    task = HardTask.objects.get()
    assert (task.title, task.kinds, task.difficulty, task.created_by) == (
        "疫情应急值守", ["urgent", "heavy"], 3, user,
    )  # fmt: skip
    assert last_entry("rotations.task.added").actor == user


def test_a_bad_task_is_named_and_kept(client, rotation, mentors):
    as_user(client, mentors["moral"], Role.MENTOR)
    response = client.post(
        at(rotation, "assignment_task_add"),
        {"title": "期末考务", "given_on": "2027-03-01", "difficulty": "2"},
    )
    html = page(response)
    assert response.status_code == 200
    assert "请选择任务类型（急、难、险、重中的一项或几项）。" in html and 'value="期末考务"' in html
    response = client.post(
        at(rotation, "assignment_task_add"),
        {"title": "期末考务", "kinds": ["heavy"], "given_on": "2027-03-01", "difficulty": "2"},
    )
    assert "布置日期应在轮岗期间（2026-09-01至2027-01-29）。" in page(response)
    assert not HardTask.objects.exists()


def test_tasks_are_given_only_while_the_rotation_runs(client, admin, rotation, mentors):
    complete_assignment(actor=admin, assignment=rotation, on=rotation.end_date)
    as_user(client, mentors["moral"], Role.MENTOR)
    html = page(client.get(at(rotation)))
    assert "布置任务</summary>" not in html and "添加带教记录" not in html
    response = client.post(
        at(rotation, "assignment_task_add"),
        {"title": "补布置", "kinds": ["heavy"], "given_on": "2026-12-01", "difficulty": "1"},
    )
    assert "只有轮岗中才能布置任务" in page(response)


def test_the_cadre_records_the_outcome_and_a_mentor_confirms_it(client, rotation, task, mentors):
    cadre_user = as_user(client, rotation.person)
    url = at(rotation, "assignment_task_outcome", sub=task.pk)
    response = client.post(url, {"outcome": "预案通过安全检查", "outcome_on": "2026-09-05"})
    assert response.status_code == 302 and response["Location"].endswith(f"#task-{task.pk}")
    task.refresh_from_db()
    assert task.outcome == "预案通过安全检查" and task.outcome_on == dt.date(2026, 9, 5)
    assert last_entry("rotations.task.outcome_recorded").actor == cadre_user
    # A mentor may not write the outcome; the cadre may not confirm.
    confirm = at(rotation, "assignment_task_confirm", sub=task.pk)
    assert client.post(confirm).status_code == 403
    client.logout()
    mentor_user = as_user(client, mentors["class"], Role.MENTOR)
    assert client.post(url, {"outcome": "改写", "outcome_on": "2026-09-06"}).status_code == 403
    response = client.post(confirm, follow=True)
    assert "已确认“运动会安全预案”。" in page(response)
    task.refresh_from_db()
    assert task.confirmed_by == mentors["class"] and task.outcome == "预案通过安全检查"
    assert last_entry("rotations.task.confirmed").actor == mentor_user
    assert "资深班主任已于" in page(response)
    # Confirmed: the cadre's form is gone and a late change is refused.
    client.logout()
    as_user(client, rotation.person)
    assert "保存完成情况" not in page(client.get(at(rotation)))
    response = client.post(url, {"outcome": "再改", "outcome_on": "2026-09-07"})
    assert "带教人员已确认该任务，不能再修改完成情况。" in page(response)


def test_a_bad_outcome_is_named_and_kept(client, rotation, task):
    as_user(client, rotation.person)
    url = at(rotation, "assignment_task_outcome", sub=task.pk)
    response = client.post(url, {"outcome": "提前完成", "outcome_on": "2026-08-20"})
    html = page(response)
    assert response.status_code == 200
    assert "完成日期不能早于布置日期2026-09-01。" in html and "提前完成" in html
    task.refresh_from_db()
    assert task.outcome == ""


def test_confirming_without_an_outcome_says_so(client, rotation, task, mentors):
    as_user(client, mentors["moral"], Role.MENTOR)
    response = client.post(at(rotation, "assignment_task_confirm", sub=task.pk), follow=True)
    assert "请先填写完成情况，再由带教人员确认。" in page(response)
    task.refresh_from_db()
    assert not task.is_confirmed


def test_a_task_of_another_rotation_is_not_found(
    client, admin, rotation, cadres, posts, mentors, years
):
    other = start_assignment(
        actor=admin,
        assignment=create_assignment(
            actor=admin, person=cadres[1], post=posts["academic-office"], start_term=years[0],
            length="term", mentors=[(mentors["academic"], MentorRole.LEADER)],
        ),
    )  # fmt: skip
    theirs = add_hard_task(
        actor=admin, assignment=other, title="别人的任务", kinds=["heavy"],
        given_on=other.start_date, difficulty=1,
    )  # fmt: skip
    as_user(client, rotation.person)
    url = at(rotation, "assignment_task_outcome", sub=theirs.pk)
    assert client.post(url, {"outcome": "冒充", "outcome_on": "2026-09-05"}).status_code == 404
    assert client.get(at(other)).status_code == 403
    record_task_outcome(actor=admin, task=theirs, outcome="完成", outcome_on=other.start_date)
    client.logout()
    as_user(client, mentors["moral"], Role.MENTOR)
    confirm = at(rotation, "assignment_task_confirm", sub=theirs.pk)
    assert client.post(confirm).status_code == 404
    theirs.refresh_from_db()
    assert theirs.outcome == "完成" and not theirs.is_confirmed


def test_a_mentor_sees_current_and_past_mentees(
    client, admin, rotation, cadres, posts, mentors, years
):
    earlier = create_assignment(
        actor=admin, person=cadres[1], post=posts["moral-office"], start_term=years[1],
        length="term", mentors=[(mentors["moral"], MentorRole.LEADER)],
    )  # fmt: skip
    start_assignment(actor=admin, assignment=earlier)
    complete_assignment(actor=admin, assignment=earlier, on=earlier.end_date)
    as_user(client, mentors["moral"], Role.MENTOR)
    html = page(client.get(reverse("rotations:mentees")))
    current, past = html.split("以往带教")
    assert at(rotation) in current and "陈晔" in current and "带教领导" in current
    assert at(earlier) in past and "黄蔚敏" in past and "已完成" in past
    assert "我的带教对象：2 人次" in page(client.get(reverse("rotations:mine")))
    # Someone who mentors nobody sees empty lists, not someone else's.
    client.logout()
    as_user(client, make_person(rotation.school, name="新老师"), Role.MENTOR)
    html = page(client.get(reverse("rotations:mentees")))
    assert "目前没有已安排或正在轮岗的带教对象。" in html and "陈晔" not in html


def test_the_cadre_and_the_mentors_get_the_rotation_notice(client, school, rotation, mentors):
    notice = at(rotation, "assignment_notice", fmt="html")
    user = as_user(client, rotation.person)
    assert notice in page(client.get(at(rotation)))
    response = client.get(notice)
    assert response.status_code == 200 and "陈晔" in page(response) and "德育处" in page(response)
    assert last_entry("rotations.document.exported").actor == user
    client.logout()
    as_user(client, mentors["moral"], Role.MENTOR)
    assert client.get(at(rotation, "assignment_notice", fmt="docx")).status_code == 200
    client.logout()
    as_user(client, make_person(school, name="旁人"))
    assert client.get(notice).status_code == 403


def test_another_schools_rotation_notice_is_not_found(client, other_school, rotation):
    client.force_login(make_user(Role.PERSONNEL, school=other_school, username="other-hr"))
    assert client.get(at(rotation, "assignment_notice", fmt="docx")).status_code == 404
