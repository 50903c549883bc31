"""The matching run over a closed round, the administrator's moves (warned by the matching's
check, saved only with a reason; the held post and mentor overload refused), discarding,
and the confirmation into assignments."""

from __future__ import annotations

import datetime as dt

import pytest

from houbei.core.errors import ValidationFailed
from houbei.rotations.assignments import create_assignment
from houbei.rotations.explain import describe_outcome
from houbei.rotations.instance import build_instance
from houbei.rotations.models import Assignment, AssignmentStatus, MentorRole, Placement, RoundStatus
from houbei.rotations.proposal import (
    MoveNeedsReason,
    confirm_round,
    live_run,
    move_candidate,
    preview_move,
    review_proposal,
    run_matching,
)
from houbei.rotations.rounds import close_intentions, set_mentor_capacity, set_round_post

from ..factories import make_person
from .conftest import cadre, fill, last_entry

pytestmark = pytest.mark.django_db


@pytest.fixture
def matched(round_, admin, cadres, posts, mentors):
    """陈晔 wants 德育处 (a year) then 教导处, 黄蔚敏 德育处 then 总务处, 卢懿蕾 教导处;
    every post has one seat. The posts did not rank, so the list order breaks ties: 陈晔
    gets 德育处, 黄蔚敏 总务处, 卢懿蕾 教导处."""
    a, b, c = cadres
    fill(admin, round_, a, ["moral-office", "academic-office"], length="year")
    fill(admin, round_, b, ["moral-office", "general-office"])
    fill(admin, round_, c, ["academic-office"])
    close_intentions(actor=admin, round_=round_)
    run_matching(actor=admin, round_=round_)
    round_.refresh_from_db()
    return round_


def rows(round_):
    run = live_run(round_)
    return {p.person.name: p for p in Placement.objects.filter(run=run).select_related("person")}


def test_run_matching_stores_the_proposal_and_every_explanation(
    matched, admin, cadres, posts, mentors
):
    inst = build_instance(matched)  # nothing changed since the run
    expected = inst.match()
    placed = rows(matched)
    assert {n: (p.round_post.post.code, p.mentor) for n, p in placed.items()} == {
        "陈晔": ("moral-office", mentors["moral"]),
        "黄蔚敏": ("general-office", None),
        "卢懿蕾": ("academic-office", mentors["academic"]),
    }
    for outcome in expected.outcomes:
        row = next(p for p in placed.values() if p.person_id == outcome.candidate)
        assert row.explanation == describe_outcome(outcome, inst.names)
        assert row.proposed_post == row.round_post and row.choice == outcome.choice
    assert placed["陈晔"].length == "year" and placed["黄蔚敏"].length == "term"
    assert placed["黄蔚敏"].explanation == [
        "第2志愿：总务处",
        "德育处：名额已满，已安排岗位方排序在前的陈晔（其中陈晔与本人排序相同，按名单顺序优先）",
    ]
    run = live_run(matched)
    assert run.instance == inst.to_json()
    entry = last_entry("rotations.round.matched")
    assert entry.new["placed"] == 3 and entry.new["first_choice"] == 2
    assert review_proposal(matched).ok


def test_people_left_out_get_a_line_with_the_reason_and_cannot_be_moved(
    round_, admin, cadres, posts, years
):
    fill(admin, round_, cadres[0], ["moral-office"])
    create_assignment(
        actor=admin, person=cadres[0], post=posts["general-office"], start_term=years[0],
        length="term",
    )  # fmt: skip
    close_intentions(actor=admin, round_=round_)
    run_matching(actor=admin, round_=round_)
    row = rows(round_)["陈晔"]
    assert row.excluded and row.round_post is None
    assert row.explanation[0].endswith("时间重叠。本轮不参加匹配。")
    with pytest.raises(ValidationFailed) as refused:
        move_candidate(actor=admin, round_=round_, person=cadres[0], post=posts["moral-office"])
    assert refused.value.errors["person"][0].startswith("陈晔未参加本轮匹配：陈晔在2026-09-01至")


def test_run_matching_needs_at_least_one_form(round_, admin):
    close_intentions(actor=admin, round_=round_)
    with pytest.raises(ValidationFailed) as refused:
        run_matching(actor=admin, round_=round_)
    assert refused.value.errors == {"intentions": ["本轮没有人填报意向表，无法匹配。"]}


def test_a_move_that_breaks_a_rule_warns_and_needs_a_reason(matched, admin, cadres, posts):
    b = cadres[1]
    check = preview_move(round_=matched, person=b, post=posts["moral-office"])
    assert check.warnings == ["德育处安排了2人，超过名额1人"]
    assert check.refusals == [] and check.length == "term"
    with pytest.raises(MoveNeedsReason) as refused:
        move_candidate(actor=admin, round_=matched, person=b, post=posts["moral-office"])
    assert refused.value.warnings == check.warnings
    assert refused.value.errors == {
        "reason": ["此项调整会带来以下问题，须填写理由后才能保存：", "德育处安排了2人，超过名额1人"]
    }
    assert rows(matched)["黄蔚敏"].round_post.post == posts["general-office"]  # unchanged
    row = move_candidate(
        actor=admin, round_=matched, person=b, post=posts["moral-office"],
        reason="德育处本学期任务重，经校务会同意增加一人",
    )  # fmt: skip
    assert row.round_post.post == posts["moral-office"] and row.choice == 1
    assert row.move_reason.startswith("德育处本学期") and row.move_warnings == check.warnings
    assert row.proposed_post.post == posts["general-office"]  # what the matching proposed
    matched.refresh_from_db()
    assert matched.status == RoundStatus.ADJUSTED
    entry = last_entry("rotations.placement.moved")
    assert entry.old["post"] == "总务处" and entry.new["post"] == "德育处"
    assert entry.new["warnings"] == check.warnings and entry.reason.startswith("德育处本学期")
    assert review_proposal(matched).violations == ["德育处安排了2人，超过名额1人"]


def test_a_move_that_creates_a_blocking_pair_warns(matched, admin, cadres, posts):
    a = cadres[0]
    with pytest.raises(MoveNeedsReason) as refused:
        move_candidate(actor=admin, round_=matched, person=a, post=None)
    assert refused.value.warnings == [
        "陈晔未安排岗位，而其填报了德育处，该岗位尚有空位和带教名额",
        "陈晔未安排岗位，而其填报了教导处，该岗位名额已满，但岗位方将其排在卢懿蕾之前"
        "（仅因排序相同时的先后规则）",
        "黄蔚敏更希望去德育处（现安排在总务处），该岗位尚有空位和带教名额",
    ]
    row = move_candidate(actor=admin, round_=matched, person=a, post=None, reason="本人申请暂缓")
    assert row.round_post is None and row.mentor is None and row.length == ""


def test_a_move_without_new_problems_needs_no_reason(matched, admin, cadres, posts, mentors):
    # 黄蔚敏 did not list 人事室, and would rather have the 总务处 seat the move frees...
    check = preview_move(round_=matched, person=cadres[1], post=posts["personnel-office"])
    assert check.warnings == [
        "黄蔚敏：意向表中没有填报人事室",
        "黄蔚敏更希望去总务处（现安排在人事室），该岗位尚有空位和带教名额",
    ]
    # ...while giving 陈晔 another mentor of the same post changes no rule.
    with pytest.raises(ValidationFailed) as refused:
        move_candidate(
            actor=admin, round_=matched, person=cadres[0], post=posts["moral-office"],
            mentor=mentors["moral"], length="year",
        )  # fmt: skip
    assert refused.value.errors == {"post": ["调整前后相同，无需保存。"]}
    row = move_candidate(
        actor=admin, round_=matched, person=cadres[0], post=posts["moral-office"], length="term"
    )
    assert row.length == "term" and row.move_warnings == [] and row.move_reason == ""


def test_a_move_to_the_post_held_now_or_over_a_mentors_number_is_refused(
    round_, admin, cadres, posts, mentors
):
    a, b, _c = cadres
    set_round_post(
        actor=admin, round_=round_, post=posts["moral-office"], capacity=2,
        mentors=[mentors["moral"]],
    )  # fmt: skip
    set_mentor_capacity(actor=admin, round_=round_, mentor=mentors["moral"], capacity=1)
    fill(admin, round_, a, ["moral-office"])
    fill(admin, round_, b, ["moral-office", "general-office"])
    close_intentions(actor=admin, round_=round_)
    run_matching(actor=admin, round_=round_)
    assert rows(round_)["黄蔚敏"].round_post.post == posts["general-office"]  # mentor full
    with pytest.raises(ValidationFailed) as refused:
        move_candidate(
            actor=admin, round_=round_, person=b, post=posts["moral-office"],
            mentor=mentors["moral"], reason="坚持要去",
        )  # fmt: skip
    assert refused.value.errors == {"move": ["德育主任带教2人，超过其名额1人"]}
    with pytest.raises(ValidationFailed) as refused:
        move_candidate(
            actor=admin, round_=round_, person=a, post=posts["grade-leader"], reason="试试"
        )
    assert refused.value.errors == {"move": ["陈晔：年级组长是其现任岗位"]}
    with pytest.raises(ValidationFailed) as refused:
        move_candidate(
            actor=admin, round_=round_, person=a, post=posts["moral-office"], length="month"
        )
    assert "length" in refused.value.errors


def test_confirm_creates_the_assignments_with_mentors_and_calendar_dates(
    matched, admin, cadres, posts, mentors, years
):
    made = confirm_round(actor=admin, round_=matched)
    assert len(made) == 3
    by_name = {a.person.name: a for a in Assignment.objects.filter(round=matched)}
    a = by_name["陈晔"]
    assert (a.post, a.length, a.status) == (posts["moral-office"], "year", AssignmentStatus.PLANNED)
    assert (a.start_term, a.end_term) == (years[0], years[1])
    assert (a.start_date, a.end_date) == (dt.date(2026, 9, 1), dt.date(2027, 6, 30))
    assert a.placement == rows(matched)["陈晔"]
    links = [(m.person, m.role) for m in a.mentor_links.all()]
    assert links == [(mentors["moral"], MentorRole.LEADER)]
    c = by_name["卢懿蕾"]
    assert (c.end_term, c.end_date) == (years[0], years[0].end)
    assert not by_name["黄蔚敏"].mentor_links.exists()  # 总务处 has no mentor
    entry = last_entry("rotations.round.confirmed")
    assert sorted(entry.new["assignments"]) == sorted(
        ["陈晔：德育处", "黄蔚敏：总务处", "卢懿蕾：教导处"]
    )
    assert last_entry("rotations.assignment.created").new["round"] == matched.title


def test_confirm_refuses_an_overlap_and_a_mentor_overload_and_creates_nothing(
    matched, admin, cadres, posts, mentors, years, school
):
    create_assignment(
        actor=admin, person=cadres[2], post=posts["personnel-office"], start_term=years[0],
        length="term",
    )  # fmt: skip
    set_mentor_capacity_directly(matched, mentors["moral"], 1)
    other = cadre(school, "另一位")
    create_assignment(
        actor=admin, person=other, post=posts["trade-union"], start_term=years[0], length="term",
        mentors=[(mentors["moral"], MentorRole.LEADER)],
    )  # fmt: skip
    with pytest.raises(ValidationFailed) as refused:
        confirm_round(actor=admin, round_=matched)
    end = years[0].end.isoformat()
    assert refused.value.errors == {
        "person": [
            f"卢懿蕾在2026-09-01至{end}已有轮岗安排（人事室，已安排），"
            f"与本次安排（2026-09-01至{end}）时间重叠。"
        ],
        "mentors": [
            f"带教人员德育主任在{years[0]}已带教1人（另一位），名额为1人，不能再带教陈晔。"
        ],
    }
    assert not Assignment.objects.filter(round=matched).exists()
    matched.refresh_from_db()
    assert matched.status == RoundStatus.MATCHED


def set_mentor_capacity_directly(round_, mentor, capacity):
    """The round is past its set-up; the number is what a school changed before."""
    from houbei.rotations.models import RoundMentor

    RoundMentor.objects.update_or_create(
        round=round_, person=mentor, defaults={"capacity": capacity}
    )


def test_a_mentor_not_of_the_school_is_refused(matched, admin, cadres, posts, other_school):
    stranger = make_person(other_school, name="外校老师")
    with pytest.raises(ValidationFailed) as refused:
        move_candidate(
            actor=admin, round_=matched, person=cadres[1], post=posts["moral-office"],
            mentor=stranger, reason="x",
        )  # fmt: skip
    assert refused.value.errors == {"mentor": ["不是本校教职工：外校老师"]}


# --- every reserve cadre of the round is accounted for ----------------------------------------


def test_every_reserve_cadre_is_placed_or_unplaced_with_the_reason(
    round_, admin, school, cadres, posts
):
    """陈晔 is placed; 黄蔚敏 submitted no form; 卢懿蕾 withdrew hers; 周岚 listed only
    （副）校级, a level she is not eligible for. Each is in the proposal, with why (those
    left out of the matching are in the test above)."""
    from houbei.rotations.intentions import withdraw_intention
    from houbei.rotations.pages import proposal_of

    a, b, c = cadres
    d = cadre(school, "周岚")
    fill(admin, round_, a, ["moral-office"])
    fill(admin, round_, c, ["academic-office"])
    withdraw_intention(actor=admin, round_=round_, person=c, reason="家中有事")
    fill(admin, round_, d, ["school-leader"])
    close_intentions(actor=admin, round_=round_)
    run = run_matching(actor=admin, round_=round_)
    proposal = proposal_of(round_, run)
    assert [r.placement.person.name for r in proposal.placed] == ["陈晔"]
    [unplaced] = proposal.unplaced
    assert unplaced.placement.person == d
    assert unplaced.summary == "意向表所填岗位均不符合轮岗条件，未安排岗位"
    assert unplaced.reasons == ["（副）校级：岗位层级为校级，本人不符合该层级的任职条件"]
    assert proposal.excluded == []
    assert [(r.person.name, r.reason) for r in proposal.absent] == [
        ("黄蔚敏", "未提交意向表"),
        ("卢懿蕾", "已撤回意向表（家中有事）"),
    ]
    assert [r.person.staff_number for r in proposal.absent] == [b.staff_number, c.staff_number]
    assert proposal.not_placed == 3 and proposal.total == 2
    assert last_entry("rotations.round.matched").new["absent"] == ["黄蔚敏", "卢懿蕾"]


def test_the_absent_are_those_of_the_run_and_a_run_stored_before_them_reads_them(
    round_, admin, school, cadres
):
    """The absent are kept with the run (a cadre enrolled afterwards is not among them);
    a run whose stored instance predates them reads them from the pool as it is."""
    from houbei.rotations.models import MatchingRun
    from houbei.rotations.pages import proposal_of

    fill(admin, round_, cadres[0], ["moral-office"])
    close_intentions(actor=admin, round_=round_)
    run = run_matching(actor=admin, round_=round_)
    cadre(school, "后来者")
    names = [r.person.name for r in proposal_of(round_, run).absent]
    assert names == ["黄蔚敏", "卢懿蕾"]
    stored = dict(run.instance)
    del stored["absent"]
    MatchingRun.objects.filter(pk=run.pk).update(instance=stored)
    run.refresh_from_db()
    names = [r.person.name for r in proposal_of(round_, run).absent]
    assert names == ["黄蔚敏", "卢懿蕾", "后来者"]
