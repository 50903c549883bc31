"""A rotation made by the personnel office outside a round: the form offers the school's
reserve cadres, its rotation posts and terms; a rotation is made with its mentors, goals
and the reason (in the audit trail); an overlap, the post held now, a length the post does
not allow, a mentor with too many mentees, a pool entry that has lapsed by the start and a
missing reason are refused, each naming its field; only the office may do it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from houbei.accounts.models import Role
from houbei.rotations.assignments import create_assignment
from houbei.rotations.models import Assignment, AssignmentStatus, MentorRole

from ..conftest import make_user
from ..factories import make_person
from ..selection.views_support import as_user, page
from .conftest import last_entry

pytestmark = pytest.mark.django_db

URL = reverse("rotations:assignment_create")


@pytest.fixture
def office(client, admin):
    return as_user(client, admin)


def data(person, post, term, **extra):
    return {
        "person": person.pk, "post": post.pk, "start_term": term.pk, "length": "term",
        "goals": "", "reason": "学期中因工作需要安排轮岗", **extra,
    }  # fmt: skip


def errors(response):
    assert response.status_code == 200
    return response.content.decode()


def test_the_form_offers_reserve_cadres_rotation_posts_and_terms(
    office, school, cadres, years, mentors
):
    make_person(school, name="不在库中的教师")
    text = page(office, URL)
    assert all(c.name in text for c in cadres)
    assert "不在库中的教师" not in text.split('name="leader"')[0]
    assert "德育处" in text and "2026–2027学年 第一学期" in text
    assert 'name="reason"' in text and "各岗位允许的轮岗时长" in text
    # The list of rotations links to the form.
    assert URL in page(office, reverse("rotations:assignments"))


def test_a_rotation_is_made_with_its_mentors_goals_and_reason(
    office, admin, cadres, posts, mentors, years
):
    response = office.post(
        URL,
        data(
            cadres[0],
            posts["moral-office"],
            years[1],
            length="year",
            leader=mentors["moral"].pk,
            master=mentors["class"].pk,
            goals="提高组织协调能力",
        ),
        follow=True,
    )
    made = Assignment.objects.get(person=cadres[0])
    assert response.redirect_chain[-1][0] == reverse("rotations:assignment_manage", args=[made.pk])
    text = response.content.decode()
    assert "已安排陈晔到德育处轮岗（2026–2027学年 第二学期起，一学年）。" in text
    assert made.round is None and made.status == AssignmentStatus.PLANNED
    assert made.end_term == years[2] and made.goals == "提高组织协调能力"
    roles = {link.person.name: link.role for link in made.mentor_links.all()}
    assert roles == {"德育主任": MentorRole.LEADER, "资深班主任": MentorRole.MASTER}
    entry = last_entry("rotations.assignment.created")
    assert entry.reason == "学期中因工作需要安排轮岗" and entry.actor_id == admin.pk


def test_an_overlap_and_the_post_held_now_are_refused_at_their_fields(
    office, admin, cadres, posts, years
):
    create_assignment(
        actor=admin, person=cadres[0], post=posts["academic-office"], start_term=years[0],
        length="year",
    )  # fmt: skip
    text = errors(office.post(URL, data(cadres[0], posts["moral-office"], years[1])))
    assert 'id="id_person_error"' in text and "时间重叠" in text
    text = errors(office.post(URL, data(cadres[1], posts["grade-leader"], years[0])))
    assert 'id="id_post_error"' in text and "黄蔚敏现任年级组长，不安排到现任岗位轮岗。" in text
    assert Assignment.objects.filter(person=cadres[1]).count() == 0


def test_a_length_the_post_does_not_allow_is_refused(office, cadres, posts, years):
    post = posts["moral-office"]
    post.allowed_lengths = ["year"]
    post.save(update_fields=["allowed_lengths"])
    text = errors(office.post(URL, data(cadres[0], post, years[0])))
    assert 'id="id_length_error"' in text and "德育处的轮岗时长只能是一学年。" in text


def test_a_mentor_with_too_many_mentees_is_refused_by_name(
    office, admin, school, cadres, posts, mentors, years
):
    for person, code in ((cadres[0], "academic-office"), (cadres[1], "general-office")):
        create_assignment(
            actor=admin, person=person, post=posts[code], start_term=years[0], length="term",
            mentors=[(mentors["moral"], MentorRole.LEADER)],
        )  # fmt: skip
    text = errors(
        office.post(
            URL, data(cadres[2], posts["moral-office"], years[0], leader=mentors["moral"].pk)
        )
    )
    alert = text[text.index('role="alert"') :]
    assert alert.index("带教人员德育主任在2026–2027学年 第一学期已带教2人") < alert.index("</div>")
    assert not Assignment.objects.filter(person=cadres[2]).exists()


def test_a_pool_entry_lapsed_by_the_start_and_a_missing_reason_are_refused(
    office, cadres, posts, mentors, years
):
    # The entries are valid until 2027-03-31; 2027学年第一学期 starts after.
    text = errors(office.post(URL, data(cadres[0], posts["moral-office"], years[2])))
    assert 'id="id_person_error"' in text and "不在后备干部库有效期内" in text
    text = errors(office.post(URL, data(cadres[0], posts["moral-office"], years[0], reason=" ")))
    assert 'id="id_reason_error"' in text
    text = errors(
        office.post(
            URL,
            data(
                cadres[0],
                posts["moral-office"],
                years[0],
                leader=mentors["moral"].pk,
                master=mentors["moral"].pk,
            ),
        )
    )
    assert "带教领导和师傅不能是同一人。" in text
    assert not Assignment.objects.exists()


def test_someone_not_in_the_pool_cannot_be_chosen(office, school, posts, years):
    teacher = make_person(school, name="不在库中的教师")
    text = errors(office.post(URL, data(teacher, posts["moral-office"], years[0])))
    assert 'id="id_person_error"' in text
    assert not Assignment.objects.exists()


def test_only_the_office_makes_a_rotation(client, school, cadres, posts, years):
    for role in (Role.DECISION, Role.MENTOR, Role.STAFF):
        as_user(client, make_user(role, school=school, username=f"x-{role}"))
        assert client.get(URL).status_code == 403
        assert client.post(URL, data(cadres[0], posts["moral-office"], years[0])).status_code == 403
    assert not Assignment.objects.exists()
    text = page(
        as_user(client, make_user(Role.DECISION, school=school)), reverse("rotations:assignments")
    )
    assert URL not in text
