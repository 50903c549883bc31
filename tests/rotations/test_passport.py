"""The rotation passport (posts held and rotated through, coverage of the ladder), who
rotated through a post, and a mentor's mentees."""

from __future__ import annotations

import datetime as dt

import pytest

from houbei.organisation.models import LadderLevel, TermNumber
from houbei.organisation.services import create_school_year
from houbei.rotations.assignments import (
    complete_assignment,
    create_assignment,
    end_assignment_early,
    remove_mentor,
    start_assignment,
)
from houbei.rotations.models import MentorRole
from houbei.rotations.passport import SpellKind, mentees_of, passport_of, rotations_through

from .conftest import term_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(school, admin, cadres, posts, mentors, years):
    """陈晔 rotated through 德育处 in 2025 第一学期 (completed) and is planned at 教导处 in
    2026 第一学期; a planned 总务处 rotation of 黄蔚敏 was stopped before it began."""
    create_school_year(actor=None, school=school, start_year=2025)
    done = create_assignment(
        actor=admin, person=cadres[0], post=posts["moral-office"],
        start_term=term_of(school, 2025, TermNumber.FIRST), length="term",
        mentors=[(mentors["moral"], MentorRole.LEADER)],
    )  # fmt: skip
    complete_assignment(actor=admin, assignment=start_assignment(actor=admin, assignment=done))
    planned = create_assignment(
        actor=admin, person=cadres[0], post=posts["academic-office"], start_term=years[0],
        length="term", mentors=[(mentors["academic"], MentorRole.LEADER)],
    )  # fmt: skip
    stopped = create_assignment(
        actor=admin, person=cadres[1], post=posts["general-office"], start_term=years[0],
        length="term", mentors=[(mentors["academic"], MentorRole.LEADER)],
    )  # fmt: skip
    end_assignment_early(actor=admin, assignment=stopped, on=dt.date(2026, 8, 1), reason="调离")
    return done, planned, stopped


def test_the_passport_lists_posts_and_rotations_and_the_ladder_they_cover(
    history, cadres, posts, django_assert_num_queries
):
    done, planned, _stopped = history
    with django_assert_num_queries(3):
        passport = passport_of(cadres[0], as_of=dt.date(2026, 10, 1))
    assert [(s.post.name, s.kind, s.start, s.end, s.status) for s in passport.spells] == [
        ("班主任", SpellKind.HISTORY, dt.date(2012, 9, 1), dt.date(2016, 7, 31), "任职"),
        ("年级组长", SpellKind.HISTORY, dt.date(2016, 9, 1), None, "任职"),
        ("德育处", SpellKind.ROTATION, done.start_date, done.end_date, "已完成"),
        ("教导处", SpellKind.ROTATION, planned.start_date, planned.end_date, "已安排"),
    ]
    assert passport.spells[2].assignment == done
    coverage = {level.level: level for level in passport.levels}
    assert [p.name for p in coverage[LadderLevel.CLASS].covered] == ["班主任"]
    assert [p.name for p in coverage[LadderLevel.TEAM].covered] == ["年级组长"]
    assert [p.name for p in coverage[LadderLevel.TEAM].missing] == ["教研组长"]
    # A planned rotation covers nothing yet: only 德育处 of the offices.
    assert [p.name for p in coverage[LadderLevel.OFFICE].covered] == ["德育处"]
    assert len(coverage[LadderLevel.OFFICE].missing) == 5
    assert coverage[LadderLevel.SCHOOL].covered == ()
    assert (passport.covered, passport.total) == (3, 10)
    assert coverage[LadderLevel.OFFICE].label == "中层"


def test_who_rotated_through_a_post(history, posts, cadres):
    done, _planned, _stopped = history
    assert list(rotations_through(posts["moral-office"])) == [done]
    assert list(rotations_through(posts["general-office"])) == []  # stopped before it began


def test_a_mentors_mentees(history, admin, cadres, mentors):
    _done, planned, _stopped = history
    assert list(mentees_of(mentors["academic"])) == [cadres[0]]  # the stopped one is over
    assert list(mentees_of(mentors["moral"])) == []  # completed
    assert list(mentees_of(mentors["moral"], current_only=False)) == [cadres[0]]
    remove_mentor(actor=admin, assignment=planned, mentor=mentors["academic"], reason="换人")
    assert list(mentees_of(mentors["academic"])) == []
