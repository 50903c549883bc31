"""The cycle's state machine: the eight stages in one order, the transitions table with
its guards, one service per transition, and reopening.

A cycle only ever moves to the stage after its own (no stage is skipped), and only when
the transition's guard finds nothing in the way; it moves back only by reopening a
finished stage, with a written reason. Every move ends the live ``StageRecord`` of the
stage left, starts the one of the stage entered, and writes one audit entry in the same
transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houbei.audit.services import record
from houbei.eligibility.services import take_snapshot

from .common import Refused, clean_text, day_of, lock_cycle, moment
from .decision import decision_problems
from .inspection import inspection_problems
from .models import (
    STAGE_ORDER,
    Cycle,
    CycleList,
    DecisionMeeting,
    PublicNotice,
    RecommendationRound,
    RollMember,
    RoundOutcome,
    Stage,
    StageRecord,
    StageReopening,
    stage_index,
)
from .notice import closing_problems, fill_pool, open_notice
from .opinions import fully_consulted
from .recommendation import eligible_ids, latest_round
from .services import live_record
from .targets import notice_problems

Guard = Callable[[Cycle, dt.date], list[str]]


def _setup_problems(cycle: Cycle, today: dt.date) -> list[str]:
    problems = []
    if cycle.rule_set.archived_at is not None:
        problems.append(_("选拔条件“%(name)s”已归档，请另选。") % {"name": cycle.rule_set.name})
    if not CycleList.objects.filter(cycle=cycle).exists():
        problems.append(_("尚未设置后备干部名单及名额。"))
    if not RollMember.objects.active().filter(cycle=cycle).exists():
        problems.append(_("参加民主推荐人员名单为空。"))
    return problems


def _recommendation_problems(cycle: Cycle, today: dt.date) -> list[str]:
    last = latest_round(cycle)
    if last is None:
        return [_("尚未进行民主推荐。")]
    if last.outcome == RoundOutcome.PENDING:
        return [_("第%(n)d轮推荐尚未计票。") % {"n": last.number}]
    if last.outcome == RoundOutcome.VOID:
        return [
            _("第%(n)d轮推荐参加人数不足%(q)s，推荐无效；请进行新一轮推荐。")
            % {"n": last.number, "q": f"{cycle.quorum_numerator}/{cycle.quorum_denominator}"}
        ]
    return []


def _opinion_problems(cycle: Cycle, today: dt.date) -> list[str]:
    if not fully_consulted(cycle):
        return [_("尚未就任何人选同时征求学校领导班子和党支部的意见。")]
    return []


def _target_problems(cycle: Cycle, today: dt.date) -> list[str]:
    return notice_problems(cycle, today)


def _inspection_problems(cycle: Cycle, today: dt.date) -> list[str]:
    return inspection_problems(cycle)


def _decision_problems(cycle: Cycle, today: dt.date) -> list[str]:
    return decision_problems(cycle)


def _notice_problems(cycle: Cycle, today: dt.date) -> list[str]:
    return closing_problems(cycle, today)


@dataclass(frozen=True)
class Transition:
    source: Stage
    target: Stage
    action: str  # the audit code
    verb: Any  # what the button says
    guard: Guard


# The only moves forward. Each names the audit code it writes.
TRANSITIONS: tuple[Transition, ...] = (
    Transition(Stage.PREPARATION, Stage.RECOMMENDATION, action="selection.stage.recommendation_started",
               verb=gettext_lazy("开始民主推荐"), guard=_setup_problems),
    Transition(Stage.RECOMMENDATION, Stage.OPINIONS, action="selection.stage.opinions_started",
               verb=gettext_lazy("开始征求意见"), guard=_recommendation_problems),
    Transition(Stage.OPINIONS, Stage.TARGETS, action="selection.stage.targets_started",
               verb=gettext_lazy("开始确定考察对象"), guard=_opinion_problems),
    Transition(Stage.TARGETS, Stage.INSPECTION, action="selection.stage.inspection_started",
               verb=gettext_lazy("开始组织考察"), guard=_target_problems),
    Transition(Stage.INSPECTION, Stage.DECISION, action="selection.stage.decision_started",
               verb=gettext_lazy("提交讨论决定"), guard=_inspection_problems),
    Transition(Stage.DECISION, Stage.NOTICE, action="selection.stage.notice_started",
               verb=gettext_lazy("开始公示"), guard=_decision_problems),
    Transition(Stage.NOTICE, Stage.DONE, action="selection.cycle.completed",
               verb=gettext_lazy("结束公示，列入后备干部库"), guard=_notice_problems),
)  # fmt: skip

_INTO: dict[Stage, Transition] = {t.target: t for t in TRANSITIONS}
_FROM: dict[Stage, Transition] = {t.source: t for t in TRANSITIONS}


def next_transition(cycle: Cycle) -> Transition | None:
    """The move the cycle can make next (None once complete)."""
    return _FROM.get(Stage(cycle.stage))


def problems(cycle: Cycle, today: dt.date | None = None) -> list[str]:
    """What stands in the way of the next move, for a page to show; [] when it can go."""
    transition = next_transition(cycle)
    if transition is None:
        return []
    return transition.guard(cycle, today or timezone.localdate())


def _advance(
    *, actor: Any, cycle: Cycle, to: Stage,
    effect: Callable[[Cycle], dict[str, Any]] | None = None, at: dt.datetime | None = None,
) -> Cycle:  # fmt: skip
    """Move ``cycle`` into ``to`` now, or at ``at`` (``common.moment``): the transition's
    source must be the current stage, its guard must find nothing on that day; then the
    records, the stage, ``effect`` and the audit entry, all in one transaction."""
    transition = _INTO[to]
    with transaction.atomic():
        cycle = lock_cycle(cycle)
        if cycle.stage != transition.source:
            if stage_index(cycle.stage) >= stage_index(to):
                message = _("选拔周期已处于“%(now)s”阶段，不能再进入“%(to)s”。")
            else:
                message = _("当前阶段为“%(now)s”，不能跳过阶段直接进入“%(to)s”。")
            raise Refused({"stage": [message % {"now": cycle.get_stage_display(), "to": to.label}]})
        found = transition.guard(cycle, day_of(at))
        if found:
            raise Refused(
                {"stage": found},
                message=_("还不能%(verb)s：%(why)s")
                % {"verb": transition.verb, "why": "；".join(found)},
            )
        now = moment(at)
        leaving = live_record(cycle, transition.source)
        leaving.finished_at = now
        leaving.save(update_fields=["finished_at"])
        entering = live_record(cycle, to)
        entering.started_at = now
        if to == Stage.DONE:
            entering.finished_at = now
        entering.save(update_fields=["started_at", "finished_at"])
        cycle.stage = to
        cycle.save(update_fields=["stage"])
        extra = effect(cycle) if effect is not None else {}
        record(
            actor=actor,
            action=transition.action,
            target=cycle,
            old={"stage": transition.source.value},
            new={"stage": to.value, **extra},
            at=at,
        )
    return cycle


def start_recommendation(*, actor: Any, cycle: Cycle, at: dt.datetime | None = None) -> Cycle:
    """筹备 → 民主推荐. Freezes the eligibility result as of the reference date (an
    ``eligibility`` snapshot); refused if it finds nobody eligible."""

    def freeze(cycle: Cycle) -> dict[str, Any]:
        snapshot = take_snapshot(
            actor=actor,
            rule_set=cycle.rule_set,
            purpose=_("%(title)s 民主推荐") % {"title": cycle.title},
            as_of=cycle.reference_date,
        )
        cycle.eligibility_snapshot = snapshot
        cycle.save(update_fields=["eligibility_snapshot"])
        eligible = len(eligible_ids(cycle))
        if not eligible:
            raise Refused({"stage": [_("按选拔条件，基准日没有符合条件的人选。")]})
        return {"snapshot": snapshot.pk, "eligible": eligible}

    return _advance(actor=actor, cycle=cycle, to=Stage.RECOMMENDATION, effect=freeze, at=at)


def start_opinions(*, actor: Any, cycle: Cycle, at: dt.datetime | None = None) -> Cycle:
    """民主推荐 → 征求意见: the latest round was counted and reached its quorum."""

    def result(cycle: Cycle) -> dict[str, Any]:
        last = RecommendationRound.objects.filter(cycle=cycle).order_by("-number").first()
        return {"round": last.number if last else None}

    return _advance(actor=actor, cycle=cycle, to=Stage.OPINIONS, effect=result, at=at)


def start_target_selection(*, actor: Any, cycle: Cycle, at: dt.datetime | None = None) -> Cycle:
    """征求意见 → 确定考察对象: someone has the opinions of both the leadership and the
    party branch."""
    return _advance(actor=actor, cycle=cycle, to=Stage.TARGETS, at=at)


def start_inspection(*, actor: Any, cycle: Cycle, at: dt.datetime | None = None) -> Cycle:
    """确定考察对象 → 组织考察: targets chosen, their 考察预告 published the cycle's
    notice days (3) before."""
    return _advance(actor=actor, cycle=cycle, to=Stage.INSPECTION, at=at)


def start_decision(*, actor: Any, cycle: Cycle, at: dt.datetime | None = None) -> Cycle:
    """组织考察 → 讨论决定: every target's 民主测评 released and 考察材料 signed off."""
    return _advance(actor=actor, cycle=cycle, to=Stage.DECISION, at=at)


def start_notice(
    *, actor: Any, cycle: Cycle, start: dt.date, at: dt.datetime | None = None
) -> Cycle:
    """讨论决定 → 公示 from ``start``: every target decided, someone passed. The notice's
    last day is computed in working days (``notice.notice_period``)."""
    last_meeting = (
        DecisionMeeting.objects.filter(cycle=cycle)
        .order_by("-held_on")
        .values_list("held_on", flat=True)
        .first()
    )
    if last_meeting is not None and start < last_meeting:
        raise Refused({"start": [_("公示开始日期不能早于讨论决定会议日期。")]})

    def publish(cycle: Cycle) -> dict[str, Any]:
        notice = open_notice(actor=actor, cycle=cycle, start=start, at=at)
        return {"start": notice.start, "end": notice.end, "working_days": notice.working_days,
                "warnings": notice.warnings}  # fmt: skip

    return _advance(actor=actor, cycle=cycle, to=Stage.NOTICE, effect=publish, at=at)


def complete_cycle(*, actor: Any, cycle: Cycle, at: dt.datetime | None = None) -> Cycle:
    """公示 → 完成: no objection open and the notice run to its end. The people who passed
    and were not removed or postponed enter the reserve pool."""

    def finish(cycle: Cycle) -> dict[str, Any]:
        entries = fill_pool(cycle=cycle, at=at)
        cycle.completed_at = moment(at)
        cycle.save(update_fields=["completed_at"])
        return {"pool": [{"person": e.person.name, "level": e.level, "readiness": e.readiness,
                          "valid_until": e.valid_until} for e in entries]}  # fmt: skip

    return _advance(actor=actor, cycle=cycle, to=Stage.DONE, effect=finish, at=at)


def reopen_stage(*, actor: Any, cycle: Cycle, stage: str, reason: str) -> Cycle:
    """Go back to a finished ``stage`` of a cycle not yet complete, with a written reason.

    The current stage's attempt ends as interrupted; ``stage`` starts a new attempt and
    the stages after it get new planned attempts (deadline and responsible person carried
    over), so each will be gone through again. Stage data is kept; what is recorded anew
    supersedes it. A notice in progress is closed when going back before 公示. Raises
    ValidationFailed without a reason, for a complete cycle, or a stage not finished."""
    reason = clean_text(reason, field="reason", label=_("重新开启的理由"))
    if stage not in Stage.values:
        raise Refused({"stage": [_("阶段无效。")]})
    back_to = Stage(stage)
    with transaction.atomic():
        cycle = lock_cycle(cycle)
        current = Stage(cycle.stage)
        if current == Stage.DONE:
            raise Refused({"stage": [_("选拔周期已完成，不能重新开启。")]})
        if stage_index(back_to) >= stage_index(current):
            raise Refused(
                {"stage": [_("“%(stage)s”阶段尚未结束，无需重新开启。") % {"stage": back_to.label}]}
            )
        now = timezone.now()
        interrupted = live_record(cycle, current)
        interrupted.finished_at, interrupted.interrupted = now, True
        interrupted.save(update_fields=["finished_at", "interrupted"])
        for again in STAGE_ORDER[stage_index(back_to) : stage_index(current) + 1]:
            previous = live_record(cycle, again)
            StageRecord.objects.create(
                cycle=cycle, stage=again, attempt=previous.attempt + 1,
                deadline=previous.deadline, responsible=previous.responsible,
                started_at=now if again == back_to else None,
            )  # fmt: skip
        if stage_index(back_to) < stage_index(Stage.NOTICE):
            PublicNotice.objects.filter(cycle=cycle, closed_at__isnull=True).update(closed_at=now)
        StageReopening.objects.create(
            cycle=cycle, stage=back_to, from_stage=current, reason=reason,
            by=actor if getattr(actor, "pk", None) else None,
        )  # fmt: skip
        cycle.stage = back_to
        cycle.save(update_fields=["stage"])
        record(
            actor=actor, action="selection.stage.reopened", target=cycle,
            old={"stage": current.value}, new={"stage": back_to.value}, reason=reason,
        )  # fmt: skip
    return cycle
