"""讨论决定, 公示 and 完成: the meeting's 2/3 attendance, passing with more than half of
the members who should attend, a divided body postponing, the main leader last; the
notice counted in working days across holidays and adjusted working days; objections
that hold the notice open, their four outcomes; the reserve pool."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from houbei.audit.models import AuditEntry
from houbei.core.errors import ValidationFailed
from houbei.organisation.models import DayKind
from houbei.organisation.services import add_workday_override
from houbei.selection import decision, notice, workflow
from houbei.selection.models import (
    Choice,
    DecisionMeeting,
    Level,
    ObjectionOutcome,
    Outcome,
    PoolEntry,
    PostponementResult,
    PublicNotice,
    Readiness,
    Stage,
)
from houbei.selection.targets import set_readiness

from .conftest import OVER_QUOTA_REASON

TODAY = timezone.localdate
AGO = lambda days: TODAY() - dt.timedelta(days=days)  # noqa: E731


# --- 讨论决定 ---------------------------------------------------------------------------


def test_a_meeting_below_two_thirds_attendance_cannot_decide(walk):
    walk.to_decision()
    with pytest.raises(ValidationFailed) as caught:
        walk.decide_all(present=3, expected=5)  # 3/5 < 2/3
    assert caught.value.errors == {
        "members": ["实到会成员3人，不足应到会成员5人的2/3，会议不能作出决定。"]
    }
    assert not DecisionMeeting.objects.exists()
    walk.decide_all(present=4, expected=6)  # 4/6 = 2/3: decides
    assert DecisionMeeting.objects.count() == 1


def test_passing_counts_the_members_who_should_attend_not_those_present(walk):
    walk.to_decision()
    # 6 should attend, 4 present, 3 agree: a majority of those present, not of the 6.
    members = walk.members(present=4, expected=6)
    here = [m.person for m in members if m.present]
    first, second = walk.active_targets()[:2]
    meeting = decision.record_meeting(
        actor=walk.admin, cycle=walk.cycle, held_on=AGO(1), members=members,
        votes={
            first: [(here[0], Choice.AGREE), (here[1], Choice.AGREE), (here[2], Choice.DEFER),
                    (here[3], Choice.AGREE)],
            second: [(p, Choice.AGREE) for p in here],
        },
    )  # fmt: skip
    outcomes = {d.target_id: d for d in meeting.decisions.all()}
    assert outcomes[first.pk].outcome == Outcome.POSTPONED
    assert (outcomes[first.pk].agree, outcomes[first.pk].defer) == (3, 1)
    assert outcomes[second.pk].outcome == Outcome.PASSED
    (entry,) = AuditEntry.objects.filter(action="selection.meeting.recorded")
    assert entry.new["expected"] == 6 and entry.new["present"] == 4
    assert "暂缓决定" in entry.new["decisions"][str(first)]["why"]


def test_a_divided_body_postpones_and_nobody_passing_holds_the_notice(walk):
    walk.to_decision()
    walk.decide_all(Choice.DEFER)
    with pytest.raises(ValidationFailed) as caught:
        workflow.start_notice(actor=walk.admin, cycle=walk.cycle, start=TODAY())
    assert caught.value.errors["stage"] == ["没有通过讨论决定的人选。"]
    # A later meeting decides again; its decision is the one that counts.
    walk.decide_all(Choice.AGREE, held_on=AGO(1))
    workflow.start_notice(actor=walk.admin, cycle=walk.cycle, start=TODAY())


def test_every_target_must_be_decided_before_the_notice(walk):
    walk.to_decision()
    members = walk.members()
    here = [m.person for m in members if m.present]
    first = walk.active_targets()[0]
    decision.record_meeting(
        actor=walk.admin, cycle=walk.cycle, held_on=AGO(1), members=members,
        votes={first: [(p, Choice.AGREE) for p in here]},
    )  # fmt: skip
    with pytest.raises(ValidationFailed, match="尚未讨论决定"):
        workflow.start_notice(actor=walk.admin, cycle=walk.cycle, start=TODAY())


def test_each_present_member_states_once_and_the_main_leader_last(walk):
    walk.to_decision()
    members = walk.members(present=4, expected=5)  # the 4th present is the main leader
    here = [m.person for m in members if m.present]
    absent = members[4].person
    target = walk.active_targets()[0]

    def attempt(statements):
        with pytest.raises(ValidationFailed) as caught:
            decision.record_meeting(
                actor=walk.admin, cycle=walk.cycle, held_on=AGO(1), members=members,
                votes={target: statements},
            )  # fmt: skip
        return caught.value.errors["votes"]

    leader_first = [(here[3], Choice.AGREE)] + [(p, Choice.AGREE) for p in here[:3]]
    assert attempt(leader_first) == [f"{target}：主要负责人应最后表态。"]
    assert attempt([(p, Choice.AGREE) for p in here[1:]]) == [f"{target}：{here[0].name}尚未表态。"]
    with_absent = [(absent, Choice.AGREE)] + [(p, Choice.AGREE) for p in here]
    assert attempt(with_absent) == [f"{target}：{absent.name}未到会或不是会议成员，不能表态。"]
    twice = [(here[0], Choice.AGREE)] + [(p, Choice.AGREE) for p in here]
    assert attempt(twice) == [f"{target}：有成员重复表态。"]
    assert not DecisionMeeting.objects.exists()


# --- 公示: working days ------------------------------------------------------------------


def test_the_notice_period_skips_the_holiday_and_counts_the_adjusted_working_day(db):
    # 2026: 1–7 October National Day; Saturday 10 October is worked.
    end, warnings = notice.notice_period(dt.date(2026, 9, 30), 5)
    assert end == dt.date(2026, 10, 12)  # 30 Sep, 8, 9, 10 (Saturday, worked), 12 Oct
    assert warnings == []
    # Over 2024's National Day: 27 Sep, 29 Sep (adjusted Sunday), 30 Sep, 8 and 9 Oct.
    assert notice.notice_period(dt.date(2024, 9, 27), 5)[0] == dt.date(2024, 10, 9)


def test_starting_the_notice_computes_its_end_on_the_school_calendar(walk):
    walk.to_notice(start=dt.date(2026, 9, 30))
    published = PublicNotice.objects.get(cycle=walk.cycle)
    assert (published.start, published.working_days, published.end) == (
        dt.date(2026, 9, 30), 5, dt.date(2026, 10, 12)
    )  # fmt: skip
    (entry,) = AuditEntry.objects.filter(action="selection.stage.notice_started")
    assert entry.new["end"] == "2026-10-12"


def test_a_rest_day_entered_in_the_calendar_lengthens_the_notice(walk):
    add_workday_override(
        actor=walk.admin, day=dt.date(2026, 10, 9), kind=DayKind.HOLIDAY, reason="临时调整"
    )
    walk.to_notice(start=dt.date(2026, 9, 30))
    assert PublicNotice.objects.get(cycle=walk.cycle).end == dt.date(2026, 10, 13)


def test_the_notice_cannot_start_before_the_decision(walk):
    walk.to_decision()
    walk.decide_all(held_on=AGO(3))
    with pytest.raises(ValidationFailed, match="不能早于讨论决定会议日期"):
        workflow.start_notice(actor=walk.admin, cycle=walk.cycle, start=AGO(4))


# --- 公示: closing and objections --------------------------------------------------------


def test_the_notice_cannot_close_before_its_end(walk):
    walk.to_notice(start=TODAY())
    end = PublicNotice.objects.get(cycle=walk.cycle).end
    with pytest.raises(ValidationFailed) as caught:
        workflow.complete_cycle(actor=walk.admin, cycle=walk.cycle)
    assert caught.value.errors["stage"] == [f"公示期至{end}（5个工作日），期满后方可结束公示。"]
    assert walk.refresh().stage == Stage.NOTICE


def test_an_open_objection_holds_the_notice_open(walk):
    walk.to_notice()
    target = walk.active_targets()[0]
    objection = notice.register_objection(
        actor=walk.admin, cycle=walk.cycle, target=target, signed=False, received_on=AGO(10),
        content="反映其工作作风问题",
    )  # fmt: skip
    with pytest.raises(ValidationFailed) as caught:
        workflow.complete_cycle(actor=walk.admin, cycle=walk.cycle)
    assert caught.value.errors["stage"] == ["有1件异议尚未处理完毕。"]
    notice.close_objection(
        actor=walk.admin, objection=objection, investigation="经核实，反映问题不存在",
        outcome=ObjectionOutcome.NO_PROBLEM,
    )  # fmt: skip
    workflow.complete_cycle(actor=walk.admin, cycle=walk.cycle)
    assert PoolEntry.objects.filter(target=target).exists()


def test_an_objection_left_open_by_a_reopening_still_holds_the_next_notice(walk):
    walk.to_notice()
    objection = notice.register_objection(
        actor=walk.admin, cycle=walk.cycle, target=walk.active_targets()[0], signed=False,
        received_on=AGO(10), content="反映其工作作风问题",
    )  # fmt: skip
    workflow.reopen_stage(
        actor=walk.admin, cycle=walk.cycle, stage=Stage.DECISION, reason="会议记录有误，重新讨论"
    )
    walk.decide_all(held_on=AGO(25))
    workflow.start_notice(actor=walk.admin, cycle=walk.cycle, start=AGO(20))
    assert PublicNotice.objects.filter(cycle=walk.cycle).count() == 2
    with pytest.raises(ValidationFailed) as caught:
        workflow.complete_cycle(actor=walk.admin, cycle=walk.cycle)
    assert caught.value.errors["stage"] == ["有1件异议尚未处理完毕。"]
    notice.close_objection(
        actor=walk.admin, objection=objection, investigation="经核实，反映问题不存在",
        outcome=ObjectionOutcome.NO_PROBLEM,
    )  # fmt: skip
    workflow.complete_cycle(actor=walk.admin, cycle=walk.cycle)


def test_signed_and_anonymous_objections(walk):
    walk.to_notice()
    target = walk.active_targets()[0]
    with pytest.raises(ValidationFailed) as caught:
        notice.register_objection(
            actor=walk.admin, cycle=walk.cycle, target=target, signed=True, received_on=AGO(9),
            content="反映问题",
        )  # fmt: skip
    assert caught.value.errors == {"reporter_name": ["请填写反映人。"]}
    with pytest.raises(ValidationFailed, match="匿名反映不记录"):
        notice.register_objection(
            actor=walk.admin, cycle=walk.cycle, target=target, signed=False, received_on=AGO(9),
            content="反映问题", reporter_name="某老师",
        )  # fmt: skip
    signed = notice.register_objection(
        actor=walk.admin, cycle=walk.cycle, target=target, signed=True, received_on=AGO(9),
        content="反映其考勤问题", reporter_name="王老师", reporter_contact="13800000000",
    )  # fmt: skip
    (entry,) = AuditEntry.objects.filter(action="selection.objection.registered")
    assert "王老师" not in str(entry.new)
    # A signed reporter must have been answered before the objection closes.
    with pytest.raises(ValidationFailed) as caught:
        notice.close_objection(
            actor=walk.admin, objection=signed, investigation="考勤记录无异常",
            outcome=ObjectionOutcome.NO_PROBLEM,
        )  # fmt: skip
    assert caught.value.errors == {
        "answer": ["请填写向反映人反馈的内容。"],
        "answered_on": ["署名反映的，请填写向反映人反馈的日期。"],
    }
    with pytest.raises(ValidationFailed) as caught:
        notice.close_objection(
            actor=walk.admin, objection=signed, investigation="考勤记录无异常",
            outcome=ObjectionOutcome.NO_PROBLEM, answer="经核实考勤正常",
        )  # fmt: skip
    assert caught.value.errors == {"answered_on": ["署名反映的，请填写向反映人反馈的日期。"]}
    # An answer, or a reminder talk, is recorded once given: not on a day still to come.
    with pytest.raises(ValidationFailed) as caught:
        notice.close_objection(
            actor=walk.admin, objection=signed, investigation="考勤记录无异常",
            outcome=ObjectionOutcome.MINOR, answer="经核实考勤正常",
            answered_on=TODAY() + dt.timedelta(days=1),
            reminder_talk_on=TODAY() + dt.timedelta(days=2),
        )  # fmt: skip
    assert caught.value.errors == {
        "reminder_talk_on": ["提醒谈话日期不能晚于今天。"],
        "answered_on": ["反馈日期不能晚于今天。"],
    }
    closed = notice.close_objection(
        actor=walk.admin, objection=signed, investigation="考勤记录无异常",
        outcome=ObjectionOutcome.NO_PROBLEM, answer="经核实考勤正常", answered_on=TODAY(),
    )  # fmt: skip
    assert not closed.is_open and closed.answer == "经核实考勤正常"


def test_a_minor_problem_needs_a_reminder_talk(walk):
    walk.to_notice()
    objection = notice.register_objection(
        actor=walk.admin, cycle=walk.cycle, target=walk.active_targets()[0], signed=False,
        received_on=AGO(9), content="反映问题",
    )  # fmt: skip
    with pytest.raises(ValidationFailed) as caught:
        notice.close_objection(
            actor=walk.admin, objection=objection, investigation="有轻微问题",
            outcome=ObjectionOutcome.MINOR,
        )  # fmt: skip
    assert caught.value.errors == {"reminder_talk_on": ["问题轻微的，请填写提醒谈话日期。"]}


def test_a_postponement_lasts_at_most_three_months_and_is_resolved_later(walk):
    walk.to_notice()
    target = walk.active_targets()[0]
    objection = notice.register_objection(
        actor=walk.admin, cycle=walk.cycle, target=target, signed=False, received_on=AGO(9),
        content="反映其经济问题",
    )  # fmt: skip
    too_late = TODAY() + dt.timedelta(days=100)
    with pytest.raises(ValidationFailed) as caught:
        notice.close_objection(
            actor=walk.admin, objection=objection, investigation="一时难以查实",
            outcome=ObjectionOutcome.UNVERIFIED, postponed_until=too_late,
        )  # fmt: skip
    assert "一般不超过3个月" in caught.value.errors["postponed_until"][0]
    notice.close_objection(
        actor=walk.admin, objection=objection, investigation="一时难以查实",
        outcome=ObjectionOutcome.UNVERIFIED, postponed_until=TODAY() + dt.timedelta(days=60),
    )  # fmt: skip
    workflow.complete_cycle(actor=walk.admin, cycle=walk.cycle)
    assert not PoolEntry.objects.filter(target=target).exists()
    others = len(walk.active_targets()) - 1
    assert PoolEntry.objects.filter(cycle=walk.cycle).count() == others
    notice.resolve_postponement(
        actor=walk.admin, objection=objection, result=PostponementResult.CLEARED,
        reason="经查证，反映问题不属实", resolved_on=TODAY(),
    )  # fmt: skip
    entry = PoolEntry.objects.get(target=target)
    assert entry.person == target.person
    (audit,) = AuditEntry.objects.filter(action="selection.objection.postponement_resolved")
    assert audit.new["pool_entry"] == entry.pk and audit.new["late"] is False


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def test_a_postponement_closed_in_the_past_is_limited_from_that_day(walk):
    """A notice of five months ago, its objection closed then (``at``): the postponement
    may last three months from that day, though that day is long past."""
    walk.to_notice(start=AGO(150))
    target = walk.active_targets()[0]
    objection = notice.register_objection(
        actor=walk.admin, cycle=walk.cycle, target=target, signed=False, received_on=AGO(149),
        content="反映其经济问题", at=_at(AGO(149)),
    )  # fmt: skip
    closed = _at(AGO(147), 16)
    with pytest.raises(ValidationFailed) as caught:
        notice.close_objection(
            actor=walk.admin, objection=objection, investigation="一时难以查实",
            outcome=ObjectionOutcome.UNVERIFIED, postponed_until=AGO(147) + dt.timedelta(days=100),
            at=closed,
        )  # fmt: skip
    assert "一般不超过3个月" in caught.value.errors["postponed_until"][0]
    until = AGO(147) + dt.timedelta(days=60)  # long before today
    closed_objection = notice.close_objection(
        actor=walk.admin, objection=objection, investigation="一时难以查实",
        outcome=ObjectionOutcome.UNVERIFIED, postponed_until=until, at=closed,
    )  # fmt: skip
    assert closed_objection.postponed_until == until and closed_objection.closed_at == closed
    assert closed_objection.registered_at == _at(AGO(149))
    entry = AuditEntry.objects.get(action="selection.objection.closed")
    assert entry.at == closed


def test_a_service_refuses_a_time_to_come(walk):
    walk.to_notice()
    objection = notice.register_objection(
        actor=walk.admin, cycle=walk.cycle, target=walk.active_targets()[0], signed=False,
        received_on=TODAY(), content="反映其经济问题",
    )  # fmt: skip
    with pytest.raises(ValueError):
        notice.close_objection(
            actor=walk.admin, objection=objection, investigation="不存在", outcome="none",
            at=timezone.now() + dt.timedelta(hours=1),
        )  # fmt: skip
    assert objection.is_open


def test_a_serious_problem_removes_the_person(walk):
    walk.to_notice()
    target = walk.active_targets()[0]
    objection = notice.register_objection(
        actor=walk.admin, cycle=walk.cycle, target=target, signed=False, received_on=AGO(9),
        content="反映其违反廉洁纪律",
    )  # fmt: skip
    notice.close_objection(
        actor=walk.admin, objection=objection, investigation="经查属实",
        outcome=ObjectionOutcome.SERIOUS,
    )  # fmt: skip
    workflow.complete_cycle(actor=walk.admin, cycle=walk.cycle)
    assert not PoolEntry.objects.filter(target=target).exists()
    with pytest.raises(ValidationFailed, match="未作暂缓处理"):
        notice.resolve_postponement(
            actor=walk.admin, objection=objection, result=PostponementResult.CLEARED,
            reason="x", resolved_on=TODAY(),
        )  # fmt: skip


def test_objections_are_only_about_names_on_the_notice(walk, staff):
    walk.to_decision()
    members = walk.members()
    here = [m.person for m in members if m.present]
    first, *rest = walk.active_targets()
    decision.record_meeting(
        actor=walk.admin, cycle=walk.cycle, held_on=AGO(40), members=members,
        votes={first: [(p, Choice.DISAGREE) for p in here],
               **{t: [(p, Choice.AGREE) for p in here] for t in rest}},
        over_quota_reason=OVER_QUOTA_REASON,
    )  # fmt: skip
    workflow.start_notice(actor=walk.admin, cycle=walk.cycle, start=AGO(30))
    with pytest.raises(ValidationFailed, match="不在公示名单上"):
        notice.register_objection(
            actor=walk.admin, cycle=walk.cycle, target=first, signed=False, received_on=AGO(9),
            content="反映问题",
        )  # fmt: skip


# --- 完成 -------------------------------------------------------------------------------


def test_completion_puts_who_passed_into_the_pool_for_two_years(walk, staff):
    walk.to_decision()
    lu_targets = [t for t in walk.active_targets() if t.person == staff[2]]
    set_readiness(actor=walk.admin, target=lu_targets[0], readiness=Readiness.NEAR)
    walk.decide_all(held_on=dt.date(2026, 4, 20))
    workflow.start_notice(actor=walk.admin, cycle=walk.cycle, start=dt.date(2026, 4, 21))
    workflow.complete_cycle(actor=walk.admin, cycle=walk.cycle)
    entries = list(PoolEntry.objects.filter(cycle=walk.cycle))
    assert len(entries) == 7  # 3 district, 4 school targets, all passed
    assert {e.valid_until for e in entries} == {dt.date(2028, 4, 19)}
    assert {e.decided_on for e in entries} == {dt.date(2026, 4, 20)}
    # One person on both lists has an entry for each.
    lu = {e.level: e.readiness for e in entries if e.person == staff[2]}
    assert lu == {Level.DISTRICT: Readiness.NEAR, Level.SCHOOL: Readiness.LONG}
    assert PublicNotice.objects.get(cycle=walk.cycle).closed_at is not None
    (entry,) = AuditEntry.objects.filter(action="selection.cycle.completed")
    assert len(entry.new["pool"]) == 7
    assert PoolEntry.objects.valid_on(dt.date(2027, 1, 1)).count() == 7
    assert PoolEntry.objects.valid_on(dt.date(2028, 4, 20)).count() == 0
