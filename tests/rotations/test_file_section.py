"""The 轮岗锻炼 section of a staff file: the office's page of a person and one's own file
show the person's rotations (post, ladder level, mentors, dates, length, status, a link to
the rotation), the ladder coverage and a 意向表 in a round not yet confirmed; a mentor's own
file lists the rotations they mentor. The section costs the same number of queries for one
rotation as for several."""

from __future__ import annotations

import pytest
from django.urls import reverse

from houbei.accounts.models import Role
from houbei.rotations.assignments import create_assignment, start_assignment
from houbei.rotations.models import MentorRole

from ..conftest import make_user
from ..factories import make_person
from ..selection.views_support import as_user, page
from .conftest import fill

pytestmark = pytest.mark.django_db


def detail(person):
    return reverse("people:detail", kwargs={"pk": person.pk})


def assign(admin, person, post, term, mentor=None, length="term"):
    return create_assignment(
        actor=admin, person=person, post=post, start_term=term, length=length,
        mentors=[(mentor, MentorRole.LEADER)] if mentor else [],
    )  # fmt: skip


@pytest.fixture
def rotation(admin, cadres, posts, mentors, years):
    made = assign(admin, cadres[0], posts["moral-office"], years[0], mentors["moral"], "year")
    start_assignment(actor=admin, assignment=made)
    return made


def linked_user(person, role=Role.STAFF):
    user = make_user(role, school=person.school, username=f"u-{person.staff_number}")
    person.user = user
    person.save(update_fields=["user"])
    return user


def test_the_office_reads_a_persons_rotations_ladder_and_links(client, admin, rotation, cadres):
    text = page(as_user(client, admin), detail(cadres[0]))
    section = text[text.index('id="rotations"') :]
    assert "轮岗锻炼" in section and "德育处" in section
    assert "德育主任" in section and "带教领导" in section
    assert "2026-09-01" in section and "轮岗中" in section and "一学年" in section
    assert reverse("rotations:assignment", args=[rotation.pk]) in section
    assert reverse("rotations:assignment_manage", args=[rotation.pk]) in section
    # The ladder: 德育处 is covered now the rotation has begun; the other posts are not yet.
    assert "一岗多能" in section and "✓ 德育处" in section
    assert '<span class="chip rotation-missing">教导处</span>' in section
    assert "校级后备干部" in section or "后备干部，有效期至" in section


def test_the_decision_body_reads_the_section_without_the_offices_actions(
    client, school, rotation, cadres
):
    text = page(as_user(client, make_user(Role.DECISION, school=school)), detail(cadres[0]))
    assert reverse("rotations:assignment", args=[rotation.pk]) in text
    assert reverse("rotations:assignment_manage", args=[rotation.pk]) not in text


def test_an_intention_in_a_round_not_yet_confirmed_is_shown(client, admin, round_, cadres):
    fill(admin, round_, cadres[1], ["academic-office", "moral-office"])
    text = page(as_user(client, admin), detail(cadres[1]))
    section = text[text.index('id="rotations"') :]
    assert "双向选择意向" in section and round_.title in section
    assert section.index("教导处") < section.index("德育处")
    assert reverse("rotations:round", args=[round_.pk]) in section


def test_someone_without_rotations_has_a_short_section(client, admin, school):
    teacher = make_person(school, name="普通教师")
    text = page(as_user(client, admin), detail(teacher))
    assert "没有轮岗锻炼记录。" in text and "一岗多能" not in text


def test_ones_own_file_shows_ones_rotations_and_a_mentor_sees_their_mentees(
    client, rotation, cadres, mentors
):
    own = reverse("people:own")
    text = page(as_user(client, linked_user(cadres[0])), own)
    section = text[text.index('id="rotations"') :]
    assert "德育处" in section and reverse("rotations:assignment", args=[rotation.pk]) in section
    assert reverse("rotations:assignment_manage", args=[rotation.pk]) not in section
    assert "带教的轮岗" not in section

    text = page(as_user(client, linked_user(mentors["moral"], Role.MENTOR)), own)
    section = text[text.index('id="rotations"') :]
    assert "带教的轮岗" in section and "陈晔 · 德育处" in section
    assert reverse("rotations:assignment", args=[rotation.pk]) in section
    # The mentor may open the mentee's rotation, not another cadre's.
    assert client.get(reverse("rotations:assignment", args=[rotation.pk])).status_code == 200


def test_another_teacher_does_not_see_someone_elses_rotations(client, school, rotation):
    teacher = make_person(school, name="其他教师")
    text = page(as_user(client, linked_user(teacher)), reverse("people:own"))
    assert "德育处" not in text and "没有轮岗锻炼记录。" in text
    assert client.get(detail(rotation.person)).status_code == 403


def test_the_sections_queries_do_not_grow_with_the_rotations(
    client, admin, cadres, posts, mentors, years, django_assert_num_queries
):
    one, several = cadres[0], cadres[1]
    assign(admin, one, posts["moral-office"], years[0], mentors["moral"])
    for term, code, mentor in (
        (years[0], "academic-office", "academic"),
        (years[1], "moral-office", "moral"),
        (years[2], "general-office", None),
    ):
        assign(admin, several, posts[code], term, mentors.get(mentor or ""))
    as_user(client, admin)
    counts = []
    for person in (one, several):
        # The page's own ten (session, user, school, person, history, honours, appraisals,
        # audit, the add forms' school and posts) and the section's five: rotations,
        # their mentors, the school's rotation posts, pool entries, 意向表
        with django_assert_num_queries(15):
            response = client.get(detail(person))
        assert response.status_code == 200
        counts.append(len(response.context["rotation"].assignments))
    assert counts == [1, 3]


def test_the_own_files_queries_do_not_grow_with_the_rotations(
    client, admin, cadres, posts, mentors, years, django_assert_num_queries
):
    one, several = cadres[0], cadres[1]
    assign(admin, one, posts["moral-office"], years[0], mentors["moral"])
    for term, code in ((years[0], "academic-office"), (years[1], "moral-office")):
        assign(admin, several, posts[code], term, mentors["academic"])
    for person, n in ((one, 1), (several, 2)):
        as_user(client, linked_user(person))
        with django_assert_num_queries(13):
            response = client.get(reverse("people:own"))
        assert len(response.context["rotation"].assignments) == n
    # A mentor's own file lists the rotations they mentor, in the same number of queries.
    as_user(client, linked_user(mentors["academic"], Role.MENTOR))
    with django_assert_num_queries(13):
        response = client.get(reverse("people:own"))
    assert len(response.context["rotation"].mentoring) == 2
