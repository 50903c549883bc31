"""讨论决定: a collective decision meeting decides each target. It can decide only with at
least 2/3 of its members present; each present member states 同意/不同意/缓议 on each
target, the main leader last; a target passes with more than half of the members who
should attend (``rules.decide``). A postponed target may be decided at a later meeting:
the latest decision on a target is the one that counts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from houbei.audit.services import record
from houbei.people.models import Person

from . import rules
from .common import (
    Refused,
    check_people,
    clean_text,
    day_of,
    lock_cycle,
    require_stage,
    stamp,
    user_of,
)
from .models import (
    Choice,
    Cycle,
    CycleList,
    Decision,
    DecisionMeeting,
    DecisionVote,
    InspectionTarget,
    MeetingMember,
    Outcome,
    Stage,
)


class OverQuota(Refused):
    """More targets of a list would pass than its places: the office must resolve it;
    the meeting is recorded only with a written reason, kept with it."""


@dataclass(frozen=True)
class MemberDraft:
    person: Person
    present: bool
    main_leader: bool = False


def record_meeting(
    *,
    actor: Any,
    cycle: Cycle,
    held_on: dt.date,
    members: Sequence[MemberDraft],
    votes: Mapping[InspectionTarget, Sequence[tuple[Person, str]]],
    note: str = "",
    over_quota_reason: str = "",
    at: dt.datetime | None = None,
) -> DecisionMeeting:
    """A decision meeting with its members (who should attend, who was present, the main
    leader) and, per target, each present member's statement in speaking order.

    Raises ValidationFailed, storing nothing, when fewer than the cycle's quorum (2/3) of
    the members are present (the meeting cannot decide), for a vote by an absent member
    or someone not a member, a member missing or twice on a target, the main leader not
    last, no main leader (主要负责人) among the members present, a target not active in
    this cycle, or a date after the day it is recorded (now, or ``at``).

    When more targets of a list would then have passed (this meeting's decisions and the
    ones that count from earlier meetings) than the list's places (``CycleList.quota``),
    raises OverQuota naming the list and the counts, unless ``over_quota_reason`` says
    why; the reason is kept in the meeting's note and its audit entry."""
    note = clean_text(note, field="note", label=_("备注"), limit=2000, required=False)
    over_quota_reason = clean_text(
        over_quota_reason, field="over_quota_reason", label=_("超出名额的理由"), limit=1000,
        required=False,
    )  # fmt: skip
    people = [m.person for m in members]
    errors: dict[str, list[str]] = {}
    if not members:
        errors["members"] = [_("请列出应到会成员。")]
    if len({p.pk for p in people}) != len(people):
        errors.setdefault("members", []).append(_("应到会成员有重复。"))
    leaders = [m for m in members if m.main_leader]
    if len(leaders) > 1:
        errors.setdefault("members", []).append(_("主要负责人只能有一人。"))
    elif members and not leaders:
        errors.setdefault("main_leader", []).append(
            _("主要负责人：请在到会成员中指定主要负责人（最后表态）。")
        )
    elif members and not leaders[0].present:
        errors.setdefault("main_leader", []).append(
            _("主要负责人：%(name)s未到会；请在到会成员中指定主要负责人（最后表态）。")
            % {"name": leaders[0].person.name}
        )
    if held_on > day_of(at):
        errors["held_on"] = [_("会议日期不能晚于今天。")]
    if not votes:
        errors["votes"] = [_("请记录对考察对象的表态。")]
    if errors:
        raise Refused(errors)
    expected = len(members)
    present = [m for m in members if m.present]
    with transaction.atomic():
        cycle = lock_cycle(cycle)
        require_stage(cycle, Stage.DECISION, doing=_("记录讨论决定"))
        check_people(cycle, people, field="members")
        problem = rules.meeting_quorum_problem(len(present), expected, cycle.decision_quorum)
        if problem:
            raise Refused({"members": [problem]})
        active = {
            t.pk: t
            for t in InspectionTarget.objects.active()
            .filter(cycle=cycle)
            .select_related("person", "cycle_list")
        }
        present_ids = {m.person.pk for m in present}
        leader = leaders[0].person.pk
        vote_errors: list[str] = []
        for target, statements in votes.items():
            if target.pk not in active:
                vote_errors.append(_("%(t)s不是本周期的考察对象。") % {"t": target})
                continue
            label = str(active[target.pk])
            said = [p.pk for p, _choice in statements]
            strangers = [p.name for p, _choice in statements if p.pk not in present_ids]
            if strangers:
                vote_errors.append(
                    _("%(t)s：%(names)s未到会或不是会议成员，不能表态。")
                    % {"t": label, "names": "、".join(strangers)}
                )
            if len(set(said)) != len(said):
                vote_errors.append(_("%(t)s：有成员重复表态。") % {"t": label})
            missing = [m.person.name for m in present if m.person.pk not in said]
            if missing:
                vote_errors.append(
                    _("%(t)s：%(names)s尚未表态。") % {"t": label, "names": "、".join(missing)}
                )
            if any(choice not in Choice.values for _p, choice in statements):
                vote_errors.append(_("%(t)s：表态只能是同意、不同意或缓议。") % {"t": label})
            if said and said[-1] != leader:
                vote_errors.append(_("%(t)s：主要负责人应最后表态。") % {"t": label})
        if vote_errors:
            raise Refused({"votes": vote_errors})
        verdicts = {}
        for target, statements in votes.items():
            chosen = [c for _p, c in statements]
            verdicts[target.pk] = rules.decide(
                expected=expected,
                agree=chosen.count(Choice.AGREE),
                disagree=chosen.count(Choice.DISAGREE),
                defer=chosen.count(Choice.DEFER),
                share=cycle.pass_share,
            )
        over = _over_quota(cycle, active, verdicts)
        if over and not over_quota_reason:
            hint = _("请人事室核实名额；确需超出名额通过的，请写明超出名额的理由后再保存。")
            raise OverQuota(
                {"over_quota_reason": [*over, hint]},
                message=_("通过人数超过名额：%(over)s%(hint)s")
                % {"over": "".join(over), "hint": hint},
            )
        if over:
            reason_line = _("超出名额通过的理由：%(r)s") % {"r": over_quota_reason}
            note = f"{note}\n{reason_line}" if note else reason_line
        meeting = DecisionMeeting.objects.create(
            cycle=cycle, held_on=held_on, expected=expected, present=len(present), note=note,
            recorded_by=user_of(actor),
        )  # fmt: skip
        stamp(meeting, "recorded_at", at)
        rows = {
            m.person.pk: MeetingMember.objects.create(
                meeting=meeting, person=m.person, present=m.present, main_leader=m.main_leader
            )
            for m in members
        }
        outcomes = {}
        for target, statements in votes.items():
            DecisionVote.objects.bulk_create(
                DecisionVote(meeting=meeting, target=target, member=rows[p.pk], choice=c,
                             order=i)
                for i, (p, c) in enumerate(statements, start=1)
            )  # fmt: skip
            chosen = [c for _p, c in statements]
            verdict = verdicts[target.pk]
            Decision.objects.create(
                meeting=meeting, target=target, outcome=verdict.outcome,
                agree=chosen.count(Choice.AGREE), disagree=chosen.count(Choice.DISAGREE),
                defer=chosen.count(Choice.DEFER),
            )  # fmt: skip
            outcomes[str(active[target.pk])] = {"outcome": verdict.outcome, "why": verdict.reason}
        record(
            actor=actor, action="selection.meeting.recorded", target=cycle,
            new={"held_on": held_on, "expected": expected, "present": len(present),
                 "decisions": outcomes, "over_quota": over},
            reason=over_quota_reason if over else "", at=at,
        )  # fmt: skip
    return meeting


def _over_quota(
    cycle: Cycle, active: Mapping[int, InspectionTarget], verdicts: Mapping[int, rules.Verdict]
) -> list[str]:
    """Per list, a sentence when more of its active targets would have passed than its
    places: this meeting's verdicts, and for the others the decision that counts."""
    earlier = latest_decisions(cycle)
    passed: dict[int, int] = {}
    for pk, target in active.items():
        if pk in verdicts:
            ok = verdicts[pk].outcome == Outcome.PASSED
        else:
            ok = pk in earlier and earlier[pk].outcome == Outcome.PASSED
        if ok:
            passed[target.cycle_list_id] = passed.get(target.cycle_list_id, 0) + 1
    return [
        _("%(list)s名额%(quota)d名，通过%(n)d名，超出%(more)d名。")
        % {"list": cl.name, "quota": cl.quota, "n": passed[cl.pk], "more": passed[cl.pk] - cl.quota}
        for cl in CycleList.objects.filter(cycle=cycle).order_by("position", "pk")
        if passed.get(cl.pk, 0) > cl.quota
    ]


def latest_decisions(cycle: Cycle) -> dict[int, Decision]:
    """The decision that counts for each target: the one of its latest meeting."""
    found: dict[int, Decision] = {}
    rows = (
        Decision.objects.filter(meeting__cycle=cycle)
        .select_related("meeting")
        .order_by("meeting__held_on", "meeting_id")
    )
    for decision in rows:
        found[decision.target_id] = decision
    return found


def passed_targets(cycle: Cycle) -> list[tuple[InspectionTarget, Decision]]:
    """Active targets whose decision that counts is 通过, with that decision."""
    decisions = latest_decisions(cycle)
    return [
        (t, decisions[t.pk])
        for t in InspectionTarget.objects.active()
        .filter(cycle=cycle)
        .select_related("person", "cycle_list")
        if t.pk in decisions and decisions[t.pk].outcome == Outcome.PASSED
    ]


def decision_problems(cycle: Cycle) -> list[str]:
    """What keeps the notice from starting: a target not yet decided, or none passed."""
    decisions = latest_decisions(cycle)
    targets = list(
        InspectionTarget.objects.active().filter(cycle=cycle).select_related("person", "cycle_list")
    )
    undecided = [str(t) for t in targets if t.pk not in decisions]
    problems = []
    if undecided:
        problems.append(_("尚未讨论决定：%(names)s。") % {"names": "、".join(undecided)})
    if not any(decisions.get(t.pk) and decisions[t.pk].outcome == Outcome.PASSED for t in targets):
        problems.append(_("没有通过讨论决定的人选。"))
    return problems
