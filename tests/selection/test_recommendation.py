"""民主推荐: rounds run on ballots elections, the 2/3 quorum that voids a round and keeps
the cycle where it is, the second round when votes scatter, 谈话调研推荐."""

from __future__ import annotations

import pytest

from houbei.audit.models import AuditEntry
from houbei.ballots.models import BallotList, Mode, RollEntry
from houbei.ballots.models import Status as ElectionStatus
from houbei.core.errors import ValidationFailed
from houbei.selection import recommendation, workflow
from houbei.selection.models import Level, RoundOutcome, Stage
from houbei.selection.recommendation import TalkCount
from houbei.selection.services import update_settings

from ..factories import make_person


def test_the_first_round_lists_everyone_eligible_with_the_lists_places(walk, staff, school):
    make_person(school, name="新教师")  # joined 2010 but no head posts: not eligible
    walk.to_recommendation()
    round_ = recommendation.create_round(actor=walk.admin, cycle=walk.cycle)
    election = round_.election
    assert round_.number == 1 and election.status == ElectionStatus.DRAFT
    assert election.electorate == len(staff)
    lists = list(BallotList.objects.filter(election=election).order_by("position"))
    assert [(bl.name, bl.quota) for bl in lists] == [("区级后备干部", 2), ("校级后备干部", 3)]
    for bl in lists:
        assert {c.person for c in bl.candidates.all()} == set(staff)
    (entry,) = AuditEntry.objects.filter(action="selection.round.created")
    assert entry.new["round"] == 1 and entry.new["electorate"] == len(staff)


def test_a_round_below_two_thirds_is_void_and_the_cycle_cannot_move_on(walk, staff):
    walk.to_recommendation()
    round_ = walk.round(voters=5)  # 5 of 9 < 2/3
    assert round_.outcome == RoundOutcome.VOID
    assert (round_.participants, round_.electorate) == (5, 9)
    (entry,) = AuditEntry.objects.filter(action="selection.round.tallied")
    assert entry.reason == "参加推荐5人，未达到应参加人数9人的2/3，本轮推荐无效。"
    with pytest.raises(ValidationFailed) as caught:
        workflow.start_opinions(actor=walk.admin, cycle=walk.cycle)
    assert caught.value.errors["stage"] == [
        "第1轮推荐参加人数不足2/3，推荐无效；请进行新一轮推荐。"
    ]
    # A second round is possible, and a valid one lets the cycle move on.
    second = walk.round(voters=6)  # 6 of 9 = 2/3
    assert (second.number, second.outcome) == (2, RoundOutcome.VALID)
    workflow.start_opinions(actor=walk.admin, cycle=walk.cycle)
    assert walk.refresh().stage == Stage.OPINIONS


def test_a_valid_round_with_concentrated_votes_needs_no_second_round(walk):
    walk.to_recommendation()
    round_ = walk.round()
    assert round_.outcome == RoundOutcome.VALID and not round_.scattered
    assert round_.top_shares == {"区级后备干部": "100.0%", "校级后备干部": "100.0%"}
    with pytest.raises(ValidationFailed) as caught:
        recommendation.create_round(actor=walk.admin, cycle=walk.cycle)
    assert caught.value.errors == {"round": ["第1轮推荐有效且票数集中，无需再次推荐。"]}


def test_scattered_votes_allow_a_second_round_of_the_same_candidates(walk, staff):
    walk.to_recommendation()
    # Everyone marks only the name after their own: nobody gets more than 1 of 9 (11.1 %).
    round_ = recommendation.create_round(actor=walk.admin, cycle=walk.cycle)
    from houbei.ballots import services as ballots
    from houbei.ballots.models import Candidate

    codes = ballots.issue_slips(actor=walk.admin, election=round_.election, count=9)
    recommendation.open_round(actor=walk.admin, round_=round_)
    for i, code in enumerate(codes):
        marks = {
            bl_id: list(
                Candidate.objects.filter(
                    ballot_list_id=int(bl_id), person=staff[(i + 1) % 9]
                ).values_list("pk", flat=True)
            )
            for bl_id in round_.list_map
        }
        ballots.cast_ballot(election_id=round_.election_id, code=code, marks=marks)
    recommendation.close_round(actor=walk.admin, round_=round_)
    round_ = recommendation.tally_round(actor=walk.admin, round_=round_)
    assert round_.outcome == RoundOutcome.VALID and round_.scattered
    assert round_.top_shares["区级后备干部"] == "11.1%"
    second = recommendation.create_round(actor=walk.admin, cycle=walk.cycle)
    assert second.number == 2
    assert {c.person for c in second.election.lists.first().candidates.all()} == set(staff)


def test_a_round_not_yet_counted_holds_the_cycle_and_any_new_round(walk):
    walk.to_recommendation()
    round_ = recommendation.create_round(actor=walk.admin, cycle=walk.cycle)
    with pytest.raises(ValidationFailed, match="第1轮推荐尚未计票"):
        workflow.start_opinions(actor=walk.admin, cycle=walk.cycle)
    with pytest.raises(ValidationFailed, match="尚未计票"):
        recommendation.create_round(actor=walk.admin, cycle=walk.cycle)
    with pytest.raises(ValidationFailed, match="投票尚未结束"):
        recommendation.tally_round(actor=walk.admin, round_=round_)


def test_candidates_must_be_eligible(walk, school):
    newcomer = make_person(school, name="新教师")
    walk.to_recommendation()
    with pytest.raises(ValidationFailed) as caught:
        recommendation.create_round(
            actor=walk.admin, cycle=walk.cycle,
            candidates={walk.district: [newcomer], walk.school: walk.staff[:4]},
        )  # fmt: skip
    assert caught.value.errors == {"candidates": ["区级后备干部：新教师不符合选拔条件。"]}


def test_a_roll_round_puts_the_cycles_roll_on_the_election(walk, staff):
    walk.to_recommendation()
    round_ = recommendation.create_round(actor=walk.admin, cycle=walk.cycle, mode=Mode.ROLL)
    assert set(
        RollEntry.objects.filter(election=round_.election).values_list("person", flat=True)
    ) == {p.pk for p in staff}


def test_rounds_are_run_only_in_the_recommendation_stage(walk):
    walk.to_opinions()
    with pytest.raises(ValidationFailed, match="当前阶段为“征求意见”，不能进行民主推荐"):
        recommendation.create_round(actor=walk.admin, cycle=walk.cycle)


def test_talk_recommendations_are_recorded_as_a_table(walk, staff):
    walk.to_recommendation()
    with pytest.raises(ValidationFailed) as caught:
        recommendation.record_talk_recommendations(
            actor=walk.admin, cycle=walk.cycle, interviewees=10,
            counts=[TalkCount(walk.district, staff[0], 11)],
        )  # fmt: skip
    assert "推荐人次应在0至谈话人数10之间" in caught.value.text()
    recommendation.record_talk_recommendations(
        actor=walk.admin, cycle=walk.cycle, interviewees=10,
        counts=[TalkCount(walk.district, staff[0], 7), TalkCount(walk.school, staff[1], 4)],
    )  # fmt: skip
    recommendation.record_talk_recommendations(
        actor=walk.admin, cycle=walk.cycle, interviewees=12,
        counts=[TalkCount(walk.district, staff[0], 8)],
    )  # fmt: skip
    counts = {(t.cycle_list.level, t.person.name): t.count for t in walk.cycle.talk_counts.all()}
    assert counts == {(Level.DISTRICT, staff[0].name): 8, (Level.SCHOOL, staff[1].name): 0}
    walk.refresh()
    assert walk.cycle.talk_interviewees == 12
    last = AuditEntry.objects.filter(action="selection.talks.recorded").order_by("-seq").first()
    assert last.old["interviewees"] == 10 and last.new["interviewees"] == 12


def test_the_cycles_quorum_is_the_elections(walk):
    """A cycle that asks 3/4 gets elections whose turnout pages and summaries say 3/4."""
    update_settings(
        actor=walk.admin, cycle=walk.cycle, changes={"quorum_numerator": 3, "quorum_denominator": 4}
    )
    walk.to_recommendation()
    election = recommendation.create_round(actor=walk.admin, cycle=walk.cycle).election
    assert (election.quorum_numerator, election.quorum_denominator) == (3, 4)
