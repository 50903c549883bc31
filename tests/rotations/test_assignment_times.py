"""A rotation's steps carry the time they were done: now by default, or the ``at`` a system
rebuilding a past rotation gives (the demo's), which its audit entry carries too; a time
in the future or without a time zone is refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from houbei.audit.models import AuditEntry
from houbei.rotations.assignments import (
    add_hard_task,
    add_mentor_note,
    complete_assignment,
    confirm_hard_task,
    create_assignment,
    record_task_outcome,
    set_goals,
    start_assignment,
)
from houbei.rotations.models import HardTask, MentorRole, TaskDifficulty, TaskKind

from .conftest import last_entry

pytestmark = pytest.mark.django_db


def ago(days: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


@pytest.fixture
def planned(admin, cadres, posts, mentors, years):
    return create_assignment(
        actor=admin, person=cadres[0], post=posts["moral-office"], start_term=years[0],
        length="term", mentors=[(mentors["moral"], MentorRole.LEADER)],
    )  # fmt: skip


def test_a_past_rotation_carries_the_time_of_each_step(planned, admin, mentors):
    times = {name: ago(d) for name, d in
             (("started", 50), ("goals", 49), ("note", 48), ("task", 47), ("outcome", 46),
              ("confirmed", 45), ("completed", 44))}  # fmt: skip
    started = start_assignment(actor=admin, assignment=planned, at=times["started"])
    assert last_entry("rotations.assignment.started").at == times["started"]
    set_goals(actor=admin, assignment=started, goals="学会统筹", at=times["goals"])
    assert last_entry("rotations.assignment.goals_set").at == times["goals"]
    note = add_mentor_note(
        actor=admin, assignment=started, author=mentors["moral"], text="第一次谈话",
        at=times["note"],
    )  # fmt: skip
    note.refresh_from_db()
    # Without a date of its own, the note is dated the day it was written.
    assert note.written_on == timezone.localdate(times["note"])
    assert note.created_at == times["note"]
    assert last_entry("rotations.note.added").at == times["note"]
    task = add_hard_task(
        actor=admin, assignment=started, title="开学典礼的组织", given_on=started.start_date,
        kinds=[TaskKind.HEAVY], difficulty=TaskDifficulty.HARD, at=times["task"],
    )  # fmt: skip
    task.refresh_from_db()
    assert task.created_at == times["task"]
    assert last_entry("rotations.task.added").at == times["task"]
    task = record_task_outcome(
        actor=admin, task=task, outcome="顺利完成", outcome_on=started.start_date,
        at=times["outcome"],
    )  # fmt: skip
    assert last_entry("rotations.task.outcome_recorded").at == times["outcome"]
    task = confirm_hard_task(actor=admin, task=task, mentor=mentors["moral"], at=times["confirmed"])
    task.refresh_from_db()
    assert task.confirmed_at == times["confirmed"]
    assert last_entry("rotations.task.confirmed").at == times["confirmed"]
    complete_assignment(actor=admin, assignment=started, at=times["completed"])
    assert last_entry("rotations.assignment.completed").at == times["completed"]


def test_the_start_and_the_confirmation_default_to_now(planned, admin, mentors):
    before = timezone.now()
    started = start_assignment(actor=admin, assignment=planned)
    task = add_hard_task(
        actor=admin, assignment=started, title="开学典礼的组织", given_on=started.start_date,
        kinds=[TaskKind.HEAVY], difficulty=TaskDifficulty.HARD,
    )  # fmt: skip
    record_task_outcome(actor=admin, task=task, outcome="顺利完成", outcome_on=started.start_date)
    task = confirm_hard_task(actor=admin, task=task, mentor=mentors["moral"])
    after = timezone.now()
    assert before <= task.confirmed_at <= after
    assert last_entry("rotations.task.confirmed").at == task.confirmed_at
    assert before <= last_entry("rotations.assignment.started").at <= after


@pytest.mark.parametrize(
    "when",
    [lambda: timezone.now() + dt.timedelta(hours=1), lambda: dt.datetime(2026, 9, 1, 10, 0)],
    ids=["future", "naive"],
)
def test_a_time_in_the_future_or_without_a_time_zone_is_refused(planned, admin, mentors, when):
    with pytest.raises(ValueError):
        start_assignment(actor=admin, assignment=planned, at=when())
    started = start_assignment(actor=admin, assignment=planned)
    task = add_hard_task(
        actor=admin, assignment=started, title="开学典礼的组织", given_on=started.start_date,
        kinds=[TaskKind.HEAVY], difficulty=TaskDifficulty.HARD,
    )  # fmt: skip
    record_task_outcome(actor=admin, task=task, outcome="顺利完成", outcome_on=started.start_date)
    with pytest.raises(ValueError):
        confirm_hard_task(actor=admin, task=task, mentor=mentors["moral"], at=when())
    with pytest.raises(ValueError):
        add_mentor_note(
            actor=admin, assignment=started, author=mentors["moral"], text="记录", at=when()
        )
    assert not HardTask.objects.get(pk=task.pk).is_confirmed
    assert not AuditEntry.objects.filter(action="rotations.task.confirmed").exists()
    assert not started.notes.exists()
