"""民主推荐 through the pages: a round created, opened, closed and counted from the stage
page on a ballots election whose candidates are the eligible; a void round shown as such
and a second round; figures for the office once counted and for the decision body once
published; who was left out and why; 谈话调研推荐."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from houbei.accounts.models import Role
from houbei.ballots import services as ballots
from houbei.ballots.models import Candidate
from houbei.ballots.models import Status as ElectionStatus
from houbei.selection.models import RecommendationRound, RoundOutcome, TalkRecommendation

from ..factories import make_person
from .views_support import as_user, page, post

pytestmark = pytest.mark.django_db


def _vote(round_, codes, names):
    marks = {
        bl_id: list(
            Candidate.objects.filter(ballot_list_id=int(bl_id), name__in=names).values_list(
                "pk", flat=True
            )
        )
        for bl_id in round_.list_map
    }
    for code in codes:
        ballots.cast_ballot(election_id=round_.election_id, code=code, marks=marks)


def test_a_round_runs_from_the_stage_page(client, users, walk, staff):
    walk.to_recommendation()
    cycle = walk.cycle
    personnel = as_user(client, users[Role.PERSONNEL])
    url = reverse("selection:recommendation", args=[cycle.pk])
    text = post(personnel, reverse("selection:round_create", args=[cycle.pk]), {"mode": "slips"})
    assert "已新建第1轮推荐" in text
    round_ = RecommendationRound.objects.get(cycle=cycle)
    election = round_.election
    assert {c.person_id for c in Candidate.objects.filter(ballot_list__election=election)} == {
        p.pk for p in staff
    }
    assert reverse("ballots:detail", args=[election.pk]) in page(personnel, url)
    codes = ballots.issue_slips(actor=walk.admin, election=election, count=9)
    post(personnel, reverse("selection:round_open", args=[cycle.pk, round_.pk]))
    election.refresh_from_db()
    assert election.status == ElectionStatus.OPEN
    _vote(round_, codes[:8], [staff[0].name, staff[1].name])
    text = page(personnel, url)
    assert "已投票" in text and "居第1位" not in text  # turnout only while open
    post(personnel, reverse("selection:round_close", args=[cycle.pk, round_.pk]))
    text = post(personnel, reverse("selection:round_tally", args=[cycle.pk, round_.pk]))
    assert "第1轮推荐已计票。" in text
    round_.refresh_from_db()
    assert round_.outcome == RoundOutcome.VALID
    sentence = "共有8人参加推荐，发出推荐票9张，收回8张，其中有效票8张；推荐其为区级后备干部8票，占有效票100.0%，居第1位"
    assert sentence in page(personnel, url)
    # The decision body sees the figures once the results are published.
    decision = as_user(client, users[Role.DECISION])
    text = page(decision, url)
    assert sentence not in text and "各人得票在投票结果公布后可见。" in text
    ballots.publish_results(actor=walk.admin, election=election)
    assert sentence in page(decision, url)


def test_a_void_round_is_shown_as_such_and_a_second_round_follows(client, users, walk):
    walk.to_recommendation()
    cycle = walk.cycle
    walk.round(voters=4)
    personnel = as_user(client, users[Role.PERSONNEL])
    url = reverse("selection:recommendation", args=[cycle.pk])
    text = page(personnel, url)
    assert "参加推荐4人，未达到应参加人数9人的2/3，本轮推荐无效。" in text
    assert "无效（参与人数不足）" in text and "再进行一轮推荐" in text
    text = post(
        personnel, reverse("selection:advance", args=[cycle.pk]), {"stage": "recommendation"}
    )
    assert "还不能开始征求意见：第1轮推荐参加人数不足2/3，推荐无效；请进行新一轮推荐。" in text
    post(personnel, reverse("selection:round_create", args=[cycle.pk]), {"mode": "slips"})
    assert RecommendationRound.objects.filter(cycle=cycle).count() == 2
    # A round still to count: no third one.
    text = post(personnel, reverse("selection:round_create", args=[cycle.pk]), {"mode": "slips"})
    assert "第2轮推荐尚未计票。" in text
    assert RecommendationRound.objects.filter(cycle=cycle).count() == 2


def test_the_school_sees_who_was_left_out_and_why(client, users, walk, school):
    make_person(
        school, name="新来的老师", joined_school_on=dt.date(2019, 9, 1), fit_for_duty=True,
        fit_for_duty_on=dt.date(2020, 9, 1),
    )  # fmt: skip
    walk.to_recommendation()
    url = reverse("selection:recommendation", args=[walk.cycle.pk])
    for role in (Role.DECISION, Role.PERSONNEL):
        text = page(as_user(client, users[role]), url)
        assert "未列入的 1 人及原因" in text and "新来的老师" in text
        assert "在本校工作1年5个月（2019-09-01进校），要求满5年。" in text
        assert (
            "尚未记录（由组织考察等环节逐人记录）" not in text
        )  # the manual record excludes nobody
    text = page(as_user(client, users[Role.DISTRICT]), url)
    assert "新来的老师" not in text


def test_talk_recommendations_are_entered_as_a_table(client, users, walk, staff):
    walk.to_recommendation()
    cycle = walk.cycle
    personnel = as_user(client, users[Role.PERSONNEL])
    url = reverse("selection:talk_counts", args=[cycle.pk])
    page(personnel, url)
    key = f"c_{walk.district.pk}_{staff[0].pk}"
    text = post(personnel, url, {"interviewees": "12", key: "13"})
    assert "推荐人次应在0至谈话人数12之间" in text
    assert not TalkRecommendation.objects.exists()
    text = post(personnel, url, {"interviewees": "12", key: "7"})
    assert "已保存谈话调研推荐情况。" in text
    (row,) = TalkRecommendation.objects.filter(cycle=cycle)
    assert (row.person, row.cycle_list, row.count) == (staff[0], walk.district, 7)
    text = page(personnel, reverse("selection:recommendation", args=[cycle.pk]))
    assert "谈话 12 人。" in text
