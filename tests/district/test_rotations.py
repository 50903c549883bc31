"""The district bureau's read-only view of its schools' rotations: per school the rounds,
the rotations running, planned, completed and ended early in the school year, and the
reserve cadres with and without a rotation, in a fixed number of queries; one school's list
of rotations without the office's actions; schools of another district are not shown."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from houbei.accounts.models import Role
from houbei.organisation.models import District, Term, TermNumber
from houbei.organisation.services import create_school, create_school_year
from houbei.rotations.assignments import (
    complete_assignment,
    create_assignment,
    end_assignment_early,
    start_assignment,
)
from houbei.rotations.file_pages import district_rotations
from houbei.rotations.models import MentorRole
from houbei.rotations.rounds import create_round

from ..conftest import make_user
from ..factories import make_person, post_of
from ..rotations.conftest import cadre

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 7)


def rotations_of(school, prefix=""):
    """2026学年 and 2027学年 in the calendar; five reserve cadres: one rotating, one
    planned, one completed and one ended early in 2026学年 第一学期, one without; an open
    round for the second term."""
    for year in (2026, 2027):
        create_school_year(actor=None, school=school, start_year=year)
    first, second = (
        Term.objects.get(school_year__school=school, school_year__start_year=2026, number=n)
        for n in (TermNumber.FIRST, TermNumber.SECOND)
    )
    mentor = make_person(school, name=f"{prefix}带教主任")
    people = [cadre(school, f"{prefix}{name}") for name in ("甲", "乙", "丙", "丁", "戊")]

    def make(person, code, term):
        return create_assignment(
            actor=None, person=person, post=post_of(school, code), start_term=term,
            length="term", mentors=[(mentor, MentorRole.LEADER)] if code == "moral-office" else [],
        )  # fmt: skip

    running = make(people[0], "moral-office", first)
    start_assignment(actor=None, assignment=running)
    make(people[1], "academic-office", second)
    done = make(people[2], "general-office", first)
    start_assignment(actor=None, assignment=done)
    complete_assignment(actor=None, assignment=done, on=dt.date(2026, 11, 30))
    ended = make(people[3], "personnel-office", first)
    start_assignment(actor=None, assignment=ended)
    end_assignment_early(actor=None, assignment=ended, on=dt.date(2026, 10, 31), reason="身体原因")
    create_round(actor=None, school=school, title=f"{prefix}第二学期双向选择", start_term=second)
    return people


@pytest.fixture
def world(school, other_school, district):
    far = District.objects.create(name="另一区", code="far")
    return {
        "people": rotations_of(school),
        "far": create_school(actor=None, district=far, name="外区中学", code="far-school"),
    }


@pytest.fixture
def bureau(client, district):
    client.force_login(make_user(Role.DISTRICT, district=district))
    return client


def test_the_counts_per_school(school, other_school, world) -> None:
    row, empty = district_rotations([school, other_school], today=TODAY)
    assert row.year is not None and row.year.start_year == 2026
    assert (row.running, row.planned, row.completed, row.ended) == (1, 1, 1, 1)
    # All five are in the pool; four have had a rotation (the one ended early had days).
    assert (row.reserve, row.reserve_rotated, row.reserve_without) == (5, 4, 1)
    assert [r.title for r in row.rounds] == ["第二学期双向选择"]
    assert row.status_rows == [("填报意向", 1)]
    assert (empty.running, empty.reserve, empty.rounds, empty.year) == (0, 0, [], None)
    # The next school year: last year's completions are no longer "this year".
    (later,) = district_rotations([school], today=dt.date(2027, 10, 1))
    assert later.year.start_year == 2027 and (later.completed, later.ended) == (0, 0)


def test_the_queries_do_not_grow_with_the_schools(school, other_school, world, district) -> None:
    third = create_school(actor=None, district=district, name="第三中学", code="third")
    rotations_of(third, prefix="三")
    counts = []
    for schools in ([school], [school, other_school, third]):
        with CaptureQueriesContext(connection) as captured:
            district_rotations(schools, today=TODAY)
        counts.append(len(captured))
    assert counts[0] == counts[1] == 4


def test_the_bureau_reads_its_schools_not_another_districts(bureau, school, world) -> None:
    response = bureau.get(reverse("district:rotations"))
    text = response.content.decode()
    assert response.status_code == 200
    assert school.name in text and "第二中学" in text and "外区中学" not in text
    assert "第二学期双向选择" in text and "填报意向" in text
    assert reverse("district:school_rotations", args=[school.pk]) in text
    assert (
        reverse("district:rotations") in bureau.get(reverse("district:overview")).content.decode()
    )


def test_one_schools_rotations_are_read_only(bureau, school, world) -> None:
    response = bureau.get(reverse("district:school_rotations", args=[school.pk]))
    text = response.content.decode()
    assert response.status_code == 200
    for name in ("甲", "乙", "丙", "丁"):
        assert f'<td data-label="轮岗人">{name}</td>' in text
    assert "德育处" in text and "带教主任" in text and "提前终止" in text
    # The one reserve cadre without a rotation is named; nothing can be done here.
    without = text[text.index("尚未轮岗的后备干部") :]
    assert '<li class="chip">戊</li>' in without
    main = text[text.index("<main") : text.index("</main>")]
    rotation_pages = reverse("rotations:assignments").removesuffix("assignments/")
    people_pages = reverse("people:list")
    assert "<form" not in main
    assert f'href="{rotation_pages}' not in main and f'href="{people_pages}' not in main


def test_another_districts_school_is_not_found_and_others_are_refused(
    client, bureau, school, world
) -> None:
    far = world["far"]
    assert bureau.get(reverse("district:school_rotations", args=[far.pk])).status_code == 404
    client.force_login(make_user(Role.SYSADMIN))
    text = client.get(reverse("district:rotations")).content.decode()
    assert school.name in text
    assert reverse("district:school_rotations", args=[school.pk]) not in text
    assert client.get(reverse("district:school_rotations", args=[school.pk])).status_code == 403
    client.force_login(make_user(Role.PERSONNEL, school=school))
    assert client.get(reverse("district:rotations")).status_code == 403
