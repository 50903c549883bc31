"""民主推荐: rounds of 会议推荐 by secret ballot, run by ``houbei.ballots`` (an election per
round, created, opened, closed and tallied through its services), and the counts of
谈话调研推荐.

A round is void when fewer than the quorum (2/3 of the roll by default) took part; its
votes scatter when the best-placed person of a list has less than the trigger share
(30 %). A new round may follow a void or scattered one; the cycle moves on only from a
valid one (``workflow``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from houbei.audit.services import record
from houbei.ballots import services as ballots
from houbei.ballots.models import Candidate, Mode
from houbei.ballots.models import Status as ElectionStatus
from houbei.ballots.results import CandidateLine, percent, results_of
from houbei.eligibility.rules import ELIGIBLE_VERDICTS
from houbei.people.models import Person

from . import rules
from .common import Refused, check_people, lock_cycle, moment, require_stage
from .models import (
    Cycle,
    CycleList,
    RecommendationRound,
    RoundOutcome,
    Stage,
    TalkRecommendation,
)
from .services import roll_of

_DOING = _("进行民主推荐")


def eligible_ids(cycle: Cycle) -> set[int]:
    """Who the cycle's eligibility snapshot (taken when the recommendation began) found
    eligible, flagged ones included."""
    snapshot = cycle.eligibility_snapshot
    if snapshot is None:
        return set()
    return {
        int(row["person_id"]) for row in snapshot.results if row.get("verdict") in ELIGIBLE_VERDICTS
    }


def latest_round(cycle: Cycle) -> RecommendationRound | None:
    return RecommendationRound.objects.filter(cycle=cycle).order_by("-number").first()


def latest_valid_round(cycle: Cycle) -> RecommendationRound | None:
    return (
        RecommendationRound.objects.filter(cycle=cycle, outcome=RoundOutcome.VALID)
        .select_related("election")
        .order_by("-number")
        .first()
    )


def _candidates_of(round_: RecommendationRound) -> dict[int, list[Person]]:
    """The previous round's candidates per cycle list id."""
    by_list: dict[int, list[Person]] = {}
    rows = (
        Candidate.objects.filter(ballot_list__election=round_.election)
        .select_related("person")
        .order_by("ballot_list__position", "position")
    )
    for c in rows:
        cycle_list_id = round_.list_map.get(str(c.ballot_list_id))
        if cycle_list_id is not None and c.person is not None:
            by_list.setdefault(int(cycle_list_id), []).append(c.person)
    return by_list


def create_round(
    *,
    actor: Any,
    cycle: Cycle,
    mode: str = Mode.SLIPS,
    candidates: Mapping[CycleList, Sequence[Person]] | None = None,
    at: dt.datetime | None = None,
) -> RecommendationRound:
    """A new round of 会议推荐: a draft election (``ballots.create_election``) with one
    ballot list per cycle list and its places as the most a voter may mark, the roll's
    size as the electorate (a roll-mode election gets the roll itself).

    Candidates: by default, in the first round everyone the eligibility snapshot found
    eligible, on every list; in a later round the previous round's. Raises
    ValidationFailed outside 民主推荐, while the previous round is not tallied, when the
    previous round is valid with votes not scattered (no new round is needed), for a
    candidate not eligible or of another school, or an empty list. ``at``: when, for the
    audit entry (now by default)."""
    with transaction.atomic():
        cycle = lock_cycle(cycle)
        require_stage(cycle, Stage.RECOMMENDATION, doing=_DOING)
        previous = latest_round(cycle)
        if previous is not None:
            if previous.outcome == RoundOutcome.PENDING:
                raise Refused({"round": [_("第%(n)d轮推荐尚未计票。") % {"n": previous.number}]})
            if previous.outcome == RoundOutcome.VALID and not previous.scattered:
                raise Refused(
                    {
                        "round": [
                            _("第%(n)d轮推荐有效且票数集中，无需再次推荐。")
                            % {"n": previous.number}
                        ]
                    }
                )
        lists = list(CycleList.objects.filter(cycle=cycle).order_by("position", "pk"))
        allowed = eligible_ids(cycle)
        if candidates is None:
            if previous is None:
                pool = list(Person.objects.filter(pk__in=allowed).order_by("staff_number"))
                chosen = {cl.pk: pool for cl in lists}
            else:
                chosen = _candidates_of(previous)
        else:
            unknown = [cl for cl in candidates if cl.cycle_id != cycle.pk]
            if unknown:
                raise Refused({"candidates": [_("名单不属于本选拔周期。")]})
            chosen = {cl.pk: list(people) for cl, people in candidates.items()}
        errors: list[str] = []
        for cl in lists:
            people = chosen.get(cl.pk, [])
            check_people(cycle, people, field="candidates")
            if not people:
                errors.append(_("%(list)s：没有候选人。") % {"list": cl.name})
            outside = [p.name for p in people if p.pk not in allowed]
            if outside:
                errors.append(
                    _("%(list)s：%(names)s不符合选拔条件。")
                    % {"list": cl.name, "names": "、".join(outside)}
                )
        if errors:
            raise Refused({"candidates": errors})
        number = previous.number + 1 if previous is not None else 1
        roll = roll_of(cycle)
        election = ballots.create_election(
            actor=actor,
            school=cycle.school,
            title=_("%(title)s 第%(n)d轮民主推荐") % {"title": cycle.title, "n": number},
            lists=[ballots.ListDraft(cl.name, cl.quota, chosen[cl.pk]) for cl in lists],
            mode=mode,
            electorate=len(roll),
            quorum=cycle.quorum,
        )
        if mode == Mode.ROLL:
            ballots.set_roll(actor=actor, election=election, people=roll)
        ballot_lists = list(election.lists.order_by("position"))
        round_ = RecommendationRound.objects.create(
            cycle=cycle,
            number=number,
            election=election,
            list_map={str(bl.pk): cl.pk for bl, cl in zip(ballot_lists, lists, strict=True)},
        )
        record(
            actor=actor, action="selection.round.created", target=cycle,
            new={"round": number, "election": election.pk, "mode": mode, "electorate": len(roll),
                 "candidates": {cl.name: len(chosen[cl.pk]) for cl in lists}}, at=at,
        )  # fmt: skip
    return round_


def _locked_round(round_: RecommendationRound) -> tuple[Cycle, RecommendationRound]:
    cycle = lock_cycle(round_.cycle)
    require_stage(cycle, Stage.RECOMMENDATION, doing=_DOING)
    return cycle, RecommendationRound.objects.select_related("election").get(pk=round_.pk)


def open_round(*, actor: Any, round_: RecommendationRound) -> RecommendationRound:
    """Start voting (``ballots.open_election``), in 民主推荐 only."""
    with transaction.atomic():
        _cycle, round_ = _locked_round(round_)
        ballots.open_election(actor=actor, election=round_.election)
    return round_


def close_round(*, actor: Any, round_: RecommendationRound) -> RecommendationRound:
    """Stop voting (``ballots.close_election``), in 民主推荐 only."""
    with transaction.atomic():
        _cycle, round_ = _locked_round(round_)
        ballots.close_election(actor=actor, election=round_.election)
    return round_


def tally_round(
    *, actor: Any, round_: RecommendationRound, at: dt.datetime | None = None
) -> RecommendationRound:
    """Count the round (``ballots.tally_election`` if it is closed) and conclude, now or
    at ``at``: valid or void by the cycle's quorum, scattered or not by its second-round
    trigger."""
    with transaction.atomic():
        cycle, round_ = _locked_round(round_)
        if round_.outcome != RoundOutcome.PENDING:
            raise Refused({"round": [_("本轮推荐已计票。")]})
        election = round_.election
        if election.status == ElectionStatus.CLOSED:
            ballots.tally_election(actor=actor, election=election)
            election.refresh_from_db()
        elif election.status not in (ElectionStatus.TALLIED, ElectionStatus.PUBLISHED):
            raise Refused({"round": [_("投票尚未结束，不能计票。")]})
        results = results_of(election)
        turnout = results.turnout
        void_reason = rules.round_quorum_problem(
            turnout.participants, turnout.electorate, cycle.quorum
        )
        tops = {
            lines.result.name: max((c.share for c in lines.result.candidates), default=Fraction(0))
            for lines in results.lists
        }
        round_.participants, round_.electorate = turnout.participants, turnout.electorate
        round_.outcome = RoundOutcome.VOID if void_reason else RoundOutcome.VALID
        round_.scattered = any(
            rules.scattered(share, cycle.second_round_share) for share in tops.values()
        )
        round_.top_shares = {name: percent(share) for name, share in tops.items()}
        round_.concluded_at = moment(at)
        round_.save(
            update_fields=["participants", "electorate", "outcome", "scattered", "top_shares",
                           "concluded_at"]
        )  # fmt: skip
        record(
            actor=actor, action="selection.round.tallied", target=cycle,
            new={"round": round_.number, "outcome": round_.outcome,
                 "participants": turnout.participants, "electorate": turnout.electorate,
                 "scattered": round_.scattered, "top_shares": round_.top_shares},
            reason=void_reason, at=at,
        )  # fmt: skip
    return round_


@dataclass(frozen=True)
class Standing:
    """A person's figures on one list of a counted round."""

    round_number: int
    line: CandidateLine


def standings(round_: RecommendationRound) -> dict[tuple[int, int], Standing]:
    """(cycle list id, person id) → figures, for a counted round."""
    results = results_of(round_.election)
    person_of = dict(
        Candidate.objects.filter(ballot_list__election=round_.election).values_list(
            "pk", "person_id"
        )
    )
    out: dict[tuple[int, int], Standing] = {}
    for lines in results.lists:
        cycle_list_id = round_.list_map.get(str(lines.result.id))
        if cycle_list_id is None:
            continue
        for line in lines.candidates:
            person_id = person_of.get(line.result.id)
            if person_id is not None:
                out[(int(cycle_list_id), person_id)] = Standing(round_.number, line)
    return out


@dataclass(frozen=True)
class TalkCount:
    cycle_list: CycleList
    person: Person
    count: int


def record_talk_recommendations(
    *, actor: Any, cycle: Cycle, interviewees: int, counts: Sequence[TalkCount],
    at: dt.datetime | None = None,
) -> int:  # fmt: skip
    """The results of 谈话调研推荐 as a whole table: how many were talked to, and per list
    how many named each person. People recorded before and not named now are set to 0
    (kept, so the change shows). Raises ValidationFailed outside 民主推荐, for a count
    above the number talked to, a list of another cycle or a person of another school.
    Returns the number of rows written. ``at``: when, for the audit entry."""
    errors: list[str] = []
    if interviewees < 1:
        errors.append(_("谈话人数至少为1。"))
    for item in counts:
        if item.count < 0 or item.count > interviewees:
            errors.append(
                _("%(list)s %(name)s：推荐人次应在0至谈话人数%(n)d之间。")
                % {"list": item.cycle_list.name, "name": item.person.name, "n": interviewees}
            )
    if errors:
        raise Refused({"counts": errors})
    with transaction.atomic():
        cycle = lock_cycle(cycle)
        require_stage(cycle, Stage.RECOMMENDATION, doing=_("记录谈话调研推荐"))
        if any(item.cycle_list.cycle_id != cycle.pk for item in counts):
            raise Refused({"counts": [_("名单不属于本选拔周期。")]})
        check_people(cycle, [item.person for item in counts], field="counts")
        before = {
            f"{t.cycle_list.name}·{t.person.name}": t.count
            for t in TalkRecommendation.objects.filter(cycle=cycle).select_related(
                "cycle_list", "person"
            )
        }
        named = {(item.cycle_list.pk, item.person.pk) for item in counts}
        stale = TalkRecommendation.objects.filter(cycle=cycle)
        for row in stale:
            if (row.cycle_list_id, row.person_id) not in named:
                row.count = 0
                row.save(update_fields=["count"])
        for item in counts:
            TalkRecommendation.objects.update_or_create(
                cycle=cycle, cycle_list=item.cycle_list, person=item.person,
                defaults={"count": item.count},
            )  # fmt: skip
        old_interviewees = cycle.talk_interviewees
        cycle.talk_interviewees = interviewees
        cycle.save(update_fields=["talk_interviewees"])
        after = {f"{i.cycle_list.name}·{i.person.name}": i.count for i in counts}
        record(
            actor=actor, action="selection.talks.recorded", target=cycle,
            old={"interviewees": old_interviewees, "counts": before},
            new={"interviewees": interviewees, "counts": after}, at=at,
        )  # fmt: skip
    return len(counts)
