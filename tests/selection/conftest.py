"""A school staff that meets the plan's conditions, a rule set, and ``Walk``: a cycle
driven through its stages by the real services (ballots cast with real codes, ratings
opened, closed and released, reports written and signed off by two people)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pytest
from django.utils import timezone

from houbei.accounts.models import Role
from houbei.ballots import services as ballots
from houbei.ballots.models import Candidate
from houbei.ballots.ratings import services as ratings
from houbei.ballots.ratings.models import RoundStatus
from houbei.eligibility.services import create_rule_set
from houbei.people.models import Person
from houbei.selection import decision, inspection, opinions, recommendation, targets, workflow
from houbei.selection.models import (
    Choice,
    Cycle,
    CycleList,
    InspectionTalk,
    InspectionTarget,
    Level,
    OpinionSource,
    OpinionStance,
    RecommendationRound,
    Stage,
)
from houbei.selection.services import ListDraft, create_cycle

from ..factories import add_history, make_person

REF = dt.date(2021, 2, 26)  # the plan's 附1: 推荐时间 2021年2月26日
TODAY = timezone.localdate


def qualified(school, **fields) -> Person:
    person = make_person(
        school,
        joined_school_on=dt.date(2010, 9, 1),
        fit_for_duty=True,
        fit_for_duty_on=dt.date(2020, 9, 1),
        **fields,
    )
    add_history(person, "class-teacher", dt.date(2012, 9, 1), dt.date(2016, 7, 31))
    add_history(person, "grade-leader", dt.date(2016, 9, 1))
    return person


@pytest.fixture
def rule_set(school):
    return create_rule_set(
        actor=None, school=school, name="2021年选拔", reference_date=REF, is_default=True
    )


@pytest.fixture
def staff(school) -> list[Person]:
    """Nine people who meet every condition (the roll, by default, is all of them)."""
    return [
        qualified(school, name=n)
        for n in [
            "陈晔",
            "黄蔚敏",
            "卢懿蕾",
            "浦吉丽",
            "张兰兰",
            "陈静华",
            "奚莉",
            "余立群",
            "邹建琴",
        ]
    ]


@pytest.fixture
def actors(users):
    return users[Role.PERSONNEL], users[Role.DECISION]


@pytest.fixture
def cycle(school, rule_set, staff, actors) -> Cycle:
    return create_cycle(
        actor=actors[0],
        school=school,
        title="2021年后备干部选拔",
        year=2021,
        reference_date=REF,
        rule_set=rule_set,
        lists=[ListDraft(Level.DISTRICT, 2), ListDraft(Level.SCHOOL, 3)],
    )


def lists_of(cycle: Cycle) -> tuple[CycleList, CycleList]:
    district, school = CycleList.objects.filter(cycle=cycle).order_by("position")
    return district, school


OVER_QUOTA_REASON = "经人事室核实，区教育局同意本轮增加名额"


class Walk:
    """Moves a cycle forward through the services, one stage at a time."""

    def __init__(self, cycle: Cycle, staff: Sequence[Person], actors) -> None:
        self.cycle, self.staff = cycle, list(staff)
        self.admin, self.decider = actors
        self.district, self.school = lists_of(cycle)

    def refresh(self) -> Cycle:
        self.cycle.refresh_from_db()
        return self.cycle

    # 民主推荐
    def round(
        self, *, voters: int | None = None, marks: dict[str, list[str]] | None = None
    ) -> RecommendationRound:
        """A round in which ``voters`` of the roll (all by default) cast a ballot marking
        the names in ``marks`` (per level), counted."""
        round_ = recommendation.create_round(actor=self.admin, cycle=self.cycle)
        election = round_.election
        electorate = election.electorate
        codes = ballots.issue_slips(actor=self.admin, election=election, count=electorate)
        recommendation.open_round(actor=self.admin, round_=round_)
        wanted = marks or {
            Level.DISTRICT: [p.name for p in self.staff[:2]],
            Level.SCHOOL: [p.name for p in self.staff[:3]],
        }
        by_level = {self.district.pk: Level.DISTRICT, self.school.pk: Level.SCHOOL}
        ballot = {}
        for ballot_list_id, cycle_list_id in round_.list_map.items():
            names = wanted.get(by_level[cycle_list_id], [])
            ballot[ballot_list_id] = list(
                Candidate.objects.filter(
                    ballot_list_id=int(ballot_list_id), name__in=names
                ).values_list("pk", flat=True)
            )
        for code in codes[: electorate if voters is None else voters]:
            ballots.cast_ballot(election_id=election.pk, code=code, marks=ballot)
        recommendation.close_round(actor=self.admin, round_=round_)
        return recommendation.tally_round(actor=self.admin, round_=round_)

    def to_recommendation(self) -> Cycle:
        return workflow.start_recommendation(actor=self.admin, cycle=self.cycle)

    def to_opinions(self) -> Cycle:
        if self.refresh().stage == Stage.PREPARATION:
            self.to_recommendation()
        self.round()
        return workflow.start_opinions(actor=self.admin, cycle=self.cycle)

    # 征求意见
    def consult(self, people: Sequence[Person]) -> None:
        for person in people:
            for source in OpinionSource.values:
                opinions.record_opinion(
                    actor=self.admin, cycle=self.cycle, person=person, source=source,
                    stance=OpinionStance.SUPPORT,
                )  # fmt: skip

    def to_targets(self) -> Cycle:
        self.to_opinions()
        self.consult(self.staff[:5])
        return workflow.start_target_selection(actor=self.admin, cycle=self.cycle)

    # 确定考察对象: 3 for 2 district places, 4 for 3 school places (差额); 卢懿蕾 on both.
    def choose(self, published_days_ago: int = 3) -> None:
        targets.choose_targets(
            actor=self.decider, cycle=self.cycle,
            decided_on=TODAY() - dt.timedelta(days=max(5, published_days_ago)),
            targets={self.district: self.staff[:3], self.school: self.staff[1:5]},
        )  # fmt: skip
        targets.publish_inspection_notice(
            actor=self.admin, cycle=self.cycle,
            published_on=TODAY() - dt.timedelta(days=published_days_ago),
        )  # fmt: skip

    def to_inspection(self) -> Cycle:
        self.to_targets()
        self.choose()
        return workflow.start_inspection(actor=self.admin, cycle=self.cycle)

    # 组织考察
    def inspect(self) -> None:
        for target in self.active_targets():
            target.refresh_from_db()
            if target.rating_round is None:
                target = inspection.start_appraisal(
                    actor=self.admin, target=target, groups=[ratings.GroupDraft("教职工代表")]
                )
            rating_round = target.rating_round
            steps = {
                RoundStatus.DRAFT: ratings.open_round,
                RoundStatus.OPEN: ratings.close_round,
                RoundStatus.CLOSED: ratings.release_results,
            }
            while rating_round.status in steps:
                rating_round = steps[rating_round.status](
                    actor=self.admin, rating_round=rating_round
                )
            if not InspectionTalk.objects.filter(
                target__cycle=self.cycle, target__person=target.person
            ).exists():
                inspection.record_talk(
                    actor=self.admin, target=target, interviewee_name="谈话对象甲",
                    held_on=TODAY(), interviewer="人事室", summary="谈话要点",
                )  # fmt: skip
            inspection.save_report(actor=self.admin, target=target, text=f"{target}的考察材料")
            inspection.sign_off_report(actor=self.decider, target=target)

    def to_decision(self) -> Cycle:
        self.to_inspection()
        self.inspect()
        return workflow.start_decision(actor=self.admin, cycle=self.cycle)

    # 讨论决定
    def members(self, present: int = 5, expected: int = 5) -> list[decision.MemberDraft]:
        people = self.board(expected)
        return [
            decision.MemberDraft(p, present=i < present, main_leader=i == present - 1)
            for i, p in enumerate(people)
        ]

    def board(self, n: int) -> list[Person]:
        if not hasattr(self, "_board"):
            self._board = [
                make_person(self.cycle.school, name=f"校务会成员{i}") for i in range(1, 8)
            ]
        return self._board[:n]

    def decide_all(
        self, choice: str = Choice.AGREE, *, present: int = 5, expected: int = 5,
        held_on: dt.date | None = None, over_quota_reason: str = OVER_QUOTA_REASON,
    ):  # fmt: skip
        """One meeting deciding every active target alike. The walk's lists are 差额
        (3 targets for 2 places, 4 for 3): passing all of them needs a written reason."""
        members = self.members(present, expected)
        here = [m.person for m in members if m.present]
        return decision.record_meeting(
            actor=self.admin, cycle=self.cycle, held_on=held_on or TODAY() - dt.timedelta(days=40),
            members=members,
            votes={t: [(p, choice) for p in here] for t in self.active_targets()},
            over_quota_reason=over_quota_reason,
        )  # fmt: skip

    def to_notice(self, start: dt.date | None = None) -> Cycle:
        """Into 公示; by default one that began 30 days ago, so it has run its five
        working days even across the Spring Festival."""
        self.to_decision()
        self.decide_all(held_on=min(start, TODAY()) if start else None)
        return workflow.start_notice(
            actor=self.admin, cycle=self.cycle, start=start or TODAY() - dt.timedelta(days=30)
        )

    def to_done(self) -> Cycle:
        self.to_notice()
        return workflow.complete_cycle(actor=self.admin, cycle=self.cycle)

    def active_targets(self) -> list[InspectionTarget]:
        return list(
            InspectionTarget.objects.active()
            .filter(cycle=self.cycle)
            .select_related("person", "cycle_list")
            .order_by("cycle_list__position", "pk")
        )


@pytest.fixture
def walk(cycle, staff, actors) -> Walk:
    return Walk(cycle, staff, actors)
