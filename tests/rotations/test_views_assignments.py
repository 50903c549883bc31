"""Assignments through the office's pages: the list with its filters (round, term, status,
post), the office's actions on one rotation (start, complete, end early with the reason,
goals, a mentor added or taken off with the reason) with each refusal naming its field,
and who rotated through each post."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from houbei.accounts.models import Role
from houbei.rotations.assignments import (
    create_assignment,
    end_assignment_early,
    start_assignment,
)
from houbei.rotations.models import AssignmentMentor, AssignmentStatus, MentorRole

from ..conftest import make_user
from ..factories import make_person
from ..selection.views_support import as_user, page, post
from .conftest import cadre, last_entry

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(client, admin):
    return as_user(client, admin)


@pytest.fixture
def planned(admin, cadres, posts, mentors, years):
    return create_assignment(
        actor=admin, person=cadres[0], post=posts["moral-office"], start_term=years[0],
        length="year", mentors=[(mentors["moral"], MentorRole.LEADER)], goals="提高组织协调能力",
    )  # fmt: skip


@pytest.fixture
def others(admin, cadres, posts, mentors, years):
    """黄蔚敏 at 教导处 in the second term (running), 卢懿蕾 at 总务处 in the first (ended)."""
    b = create_assignment(
        actor=admin, person=cadres[1], post=posts["academic-office"], start_term=years[1],
        length="term", mentors=[(mentors["academic"], MentorRole.LEADER)],
    )  # fmt: skip
    start_assignment(actor=admin, assignment=b)
    c = create_assignment(
        actor=admin, person=cadres[2], post=posts["general-office"], start_term=years[0],
        length="term",
    )  # fmt: skip
    end_assignment_early(actor=admin, assignment=c, on=dt.date(2026, 10, 31), reason="身体原因")
    return b, c


def url(name, *args):
    return reverse(f"rotations:{name}", args=args)


def test_the_list_is_filtered_by_round_term_status_and_post(office, planned, others, years, posts):
    text = page(office, url("assignments"))
    assert all(n in text for n in ("陈晔", "黄蔚敏", "卢懿蕾"))
    assert "已安排 <strong>1</strong>" in text and "轮岗中 <strong>1</strong>" in text
    assert '德育主任<small class="muted">（带教领导）' in text
    assert (
        url("assignment_manage", planned.pk) in text
        and f'href="{url("assignment", planned.pk)}"' in text
    )
    # 陈晔's year covers both terms of 2026; 黄蔚敏 is only in the second.
    text = page(office, url("assignments"), term=years[0].pk)
    assert "陈晔" in text and "卢懿蕾" in text and "黄蔚敏" not in text
    text = page(office, url("assignments"), status="active")
    assert "黄蔚敏" in text and "陈晔" not in text
    text = page(office, url("assignments"), post=posts["general-office"].pk)
    assert "卢懿蕾" in text and "实际结束 2026-10-31" in text and "陈晔" not in text
    text = page(office, url("assignments"), round="999")
    assert "轮次：" in text  # a round that is not the school's is named as a bad filter


def test_the_decision_body_reads_the_assignments_without_the_actions(client, planned, school):
    decider = make_user(Role.DECISION, school=school, username="decision-member")
    reader = as_user(client, decider)
    text = page(reader, url("assignments"))
    assert "陈晔" in text and f'href="{url("assignment", planned.pk)}"' in text
    assert url("assignment_manage", planned.pk) not in text
    text = page(reader, url("assignment_manage", planned.pk))
    assert "提高组织协调能力" in text and url("assignment_start", planned.pk) not in text


def test_a_rotation_is_started_and_completed_with_its_dates(office, planned):
    text = page(office, url("assignment_manage", planned.pk))
    assert "2026-09-01 — 2027-06-30" in text and url("assignment_start", planned.pk) in text
    assert (
        f'href="{url("assignment", planned.pk)}"' in text
    )  # the notes and tasks are on its own page
    text = post(office, url("assignment_start", planned.pk), {"on": "2026-08-01"})
    assert 'id="id_start_on_error">开始日期不能早于计划开始日期2026-09-01。' in text
    text = post(office, url("assignment_start", planned.pk), {"on": "2026-09-07"})
    assert "轮岗已开始。" in text and "实际开始" in text
    planned.refresh_from_db()
    assert planned.status == AssignmentStatus.ACTIVE and planned.started_on == dt.date(2026, 9, 7)
    text = post(office, url("assignment_complete", planned.pk), {"on": "2026-09-01"})
    assert 'id="id_complete_on_error">结束日期不能早于开始日期2026-09-07。' in text
    text = post(office, url("assignment_complete", planned.pk), {"on": ""})
    assert "轮岗已结束（已完成）。" in text
    planned.refresh_from_db()
    assert planned.status == AssignmentStatus.COMPLETED and planned.ended_on == planned.end_date
    assert last_entry("rotations.assignment.completed").new["status"] == "completed"
    # A completed rotation has no actions left; a late POST is told why.
    text = post(office, url("assignment_start", planned.pk), {})
    assert "状态：轮岗安排当前状态为“已完成”，不能开始轮岗。" in text


def test_ending_early_needs_the_date_and_the_reason(office, planned):
    address = url("assignment_end", planned.pk)
    text = post(office, address, {"on": "", "reason": ""})
    assert 'id="id_end_on_error"' in text and 'id="id_end_reason_error"' in text
    text = post(office, address, {"on": "2027-07-01", "reason": "半学期考察表现不佳"})
    assert "提前终止的日期应早于计划结束日期2027-06-30" in text
    text = post(office, address, {"on": "2026-12-31", "reason": "半学期考察表现不佳，终止锻炼"})
    assert "轮岗已提前终止。" in text and "半学期考察表现不佳，终止锻炼" in text
    planned.refresh_from_db()
    assert planned.status == AssignmentStatus.ENDED and planned.ended_on == dt.date(2026, 12, 31)
    assert last_entry("rotations.assignment.ended_early").reason.startswith("半学期考察")


def test_goals_are_set(office, planned):
    text = post(office, url("assignment_goals", planned.pk), {"goals": "加强调查研究能力"})
    assert "已保存锻炼目标。" in text
    planned.refresh_from_db()
    assert planned.goals == "加强调查研究能力"
    assert last_entry("rotations.assignment.goals_set").old["goals"] == "提高组织协调能力"
    text = post(office, url("assignment_goals", planned.pk), {"goals": "长" * 4001})
    assert 'id="id_goals_error"' in text


def test_a_mentor_is_added_and_taken_off_with_the_reason(
    office, planned, school, admin, cadres, posts, years, mentors
):
    master = make_person(school, name="王师傅")
    address = url("assignment_mentor_add", planned.pk)
    text = post(office, address, {"mentor": master.pk, "role": "master"})
    assert "已增加带教人员。" in text and "王师傅（师傅）" in text
    text = post(office, address, {"mentor": master.pk, "role": "master"})
    assert 'id="id_add_mentor_error">王师傅已是该轮岗的带教人员。' in text
    text = post(office, address, {"mentor": cadres[0].pk, "role": "master"})
    assert "陈晔不能做自己的带教人员。" in text
    # 德育主任 takes two a term by default: two more rotations fill them up.
    for person in (cadre(school, "甲"), cadre(school, "乙")):
        create_assignment(
            actor=admin, person=person, post=posts["trade-union"], start_term=years[0],
            length="term", mentors=[(mentors["academic"], MentorRole.LEADER)],
        )  # fmt: skip
    other = create_assignment(
        actor=admin, person=cadres[1], post=posts["general-office"], start_term=years[0],
        length="term",
    )  # fmt: skip
    text = post(
        office, url("assignment_mentor_add", other.pk),
        {"mentor": mentors["academic"].pk, "role": "leader"},
    )  # fmt: skip
    assert 'id="id_add_mentor_error">带教人员教导主任在' in text and "名额为2人" in text
    remove = url("assignment_mentor_remove", planned.pk)
    text = post(office, remove, {"mentor": master.pk, "reason": ""})
    assert 'id="id_remove_reason_error"' in text
    text = post(office, remove, {"mentor": master.pk, "reason": "调整分工"})
    assert "已撤换带教人员（保留记录）。" in text and "调整分工" in text
    link = AssignmentMentor.objects.get(assignment=planned, person=master)
    assert link.removed_at is not None and link.remove_reason == "调整分工"
    assert last_entry("rotations.assignment.mentor_removed").reason == "调整分工"


def test_another_schools_assignment_is_not_found(office, other_school):
    from houbei.organisation.models import Post
    from houbei.organisation.services import create_school_year

    create_school_year(actor=None, school=other_school, start_year=2026)
    stranger = cadre(other_school, "外校人员")
    theirs = create_assignment(
        actor=None, person=stranger,
        post=Post.objects.get(school=other_school, code="moral-office"),
        start_term=other_school.school_years.get().terms.order_by("start").first(), length="term",
    )  # fmt: skip
    assert office.get(url("assignment_manage", theirs.pk)).status_code == 404
    assert office.post(url("assignment_start", theirs.pk)).status_code == 404
    assert office.get(url("by_post_detail", theirs.post_id)).status_code == 404


def test_who_rotated_through_each_post(office, planned, others, posts):
    text = page(office, url("by_post"))
    assert url("by_post_detail", posts["moral-office"].pk) in text
    text = page(office, url("by_post_detail", posts["general-office"].pk))
    assert "卢懿蕾" in text and "提前终止" in text and "身体原因" in text
    assert "2026-09-01 — 2026-10-31" in text
    text = page(office, url("by_post_detail", posts["moral-office"].pk))
    assert "陈晔" in text and "德育主任" in text and "已安排" in text
    text = page(office, url("by_post_detail", posts["trade-union"].pk))
    assert "还没有人在该岗位轮岗锻炼。" in text


# --- documents -----------------------------------------------------------------------------


def test_the_office_downloads_a_rotations_notice_and_a_terms_length_table(
    office, planned, others, years
):
    text = page(office, url("assignment_manage", planned.pk))
    notice = url("assignment_document", planned.pk, "docx") + "?key=assignment-notice"
    assert notice.replace("&", "&amp;") in text
    response = office.get(notice)
    assert response.status_code == 200 and response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml"
    )
    assert "attachment" in response["Content-Disposition"]
    assert last_entry("rotations.document.exported").new["document"] == "assignment-notice"
    text = page(office, url("assignments"), term=years[0].pk)
    table = url("term_document", years[0].pk, "xlsx") + "?key=rotation-lengths"
    assert table in text
    response = office.get(table)
    assert response.status_code == 200 and response.content[:2] == b"PK"
    assert last_entry("rotations.document.exported").new["document"] == "rotation-lengths"


def test_a_document_that_cannot_be_made_sends_the_reader_back_with_the_reason(
    office, planned, years
):
    text = post_get(
        office, url("assignment_document", planned.pk, "xlsx") + "?key=assignment-notice"
    )
    assert "文书：没有这份文书，或不提供该格式。" in text
    empty = years[2]
    text = post_get(office, url("term_document", empty.pk, "docx") + "?key=rotation-lengths")
    assert f"学期：{empty}没有轮岗安排。" in text


def post_get(client, address):
    response = client.get(address, follow=True)
    assert response.status_code == 200
    return response.content.decode()


def test_the_lists_queries_do_not_grow_with_the_rotations(
    office, planned, school, admin, posts, mentors, years
):
    def queries(address):
        with CaptureQueriesContext(connection) as captured:
            assert office.get(address).status_code == 200
        return len(captured)

    addresses = [url("assignments"), url("by_post_detail", posts["trade-union"].pk)]

    def rotate(i):
        create_assignment(
            actor=admin, person=cadre(school, f"轮岗{i}"), post=posts["trade-union"],
            start_term=years[i % 2], length="term",
            mentors=[(make_person(school, name=f"师傅{i}"), MentorRole.MASTER)],
        )  # fmt: skip

    rotate(0)
    before = [queries(a) for a in addresses]
    for i in range(1, 9):
        rotate(i)
    assert [queries(a) for a in addresses] == before
    assert page(office, url("by_post_detail", posts["trade-union"].pk)).count("师傅") >= 8
