"""公示 and its objections, and the reserve pool the cycle ends in.

The notice runs at least 5 working days (the cycle's setting), counted on the national
working-day calendar of ``houbei.organisation.workdays`` (weekends, statutory holidays,
adjusted working days, and the administrator's corrections). Each objection is
registered as signed or anonymous, investigated and closed with one of the four outcomes
of 中组发〔2000〕18号; a signed reporter must have had an answer; a postponement lasts at
most the cycle's limit (3 months) and is resolved later, by clearing the person (who then
enters the pool) or removing them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from houbei.audit.services import record
from houbei.organisation.workdays import load_calendar

from . import rules
from .common import (
    Refused,
    clean_text,
    day_of,
    lock_cycle,
    moment,
    require_stage,
    stamp,
    user_of,
)
from .decision import passed_targets
from .models import (
    Cycle,
    Decision,
    InspectionTarget,
    Objection,
    ObjectionOutcome,
    PoolEntry,
    PostponementResult,
    PublicNotice,
    Stage,
)


def notice_period(start: dt.date, working_days: int) -> tuple[dt.date, list[str]]:
    """The last day of a notice that begins on ``start`` and runs ``working_days``
    working days (``start`` counted if it is one), with the calendar's warnings."""
    answer = load_calendar().end_of_period(start, working_days)
    return answer.value, answer.warnings


def open_notice(
    *, actor: Any, cycle: Cycle, start: dt.date, at: dt.datetime | None = None
) -> PublicNotice:
    """Inside the transition into 公示 (``workflow.start_notice``): the notice itself,
    published now or at ``at``."""
    end, warnings = notice_period(start, cycle.notice_working_days)
    notice = PublicNotice.objects.create(
        cycle=cycle, start=start, working_days=cycle.notice_working_days, end=end,
        warnings=warnings, published_by=user_of(actor),
    )  # fmt: skip
    stamp(notice, "published_at", at)
    return notice


def current_notice(cycle: Cycle) -> PublicNotice | None:
    return PublicNotice.objects.filter(cycle=cycle).order_by("-pk").first()


def _the_notice(cycle: Cycle) -> PublicNotice:
    notice = current_notice(cycle)
    if notice is None or notice.closed_at is not None:
        raise Refused({"notice": [_("没有正在进行的公示。")]})
    return notice


def register_objection(
    *,
    actor: Any,
    cycle: Cycle,
    target: InspectionTarget,
    signed: bool,
    received_on: dt.date,
    content: str,
    reporter_name: str = "",
    reporter_contact: str = "",
    evidence: str = "",
    at: dt.datetime | None = None,
) -> Objection:
    """An objection about a person on the current notice, registered now or at ``at``
    (received no later than that day). A signed one names its reporter (who will be
    answered); an anonymous one keeps no name."""
    content = clean_text(content, field="content", label=_("反映内容"), limit=10_000)
    evidence = clean_text(evidence, field="evidence", label=_("证据材料"), limit=10_000,
                          required=False)  # fmt: skip
    if signed:
        reporter_name = clean_text(reporter_name, field="reporter_name", label=_("反映人"),
                                   limit=50)  # fmt: skip
        reporter_contact = clean_text(reporter_contact, field="reporter_contact",
                                      label=_("联系方式"), limit=100, required=False)  # fmt: skip
    elif reporter_name.strip() or reporter_contact.strip():
        raise Refused({"reporter_name": [_("匿名反映不记录反映人姓名和联系方式。")]})
    with transaction.atomic():
        cycle = lock_cycle(cycle)
        require_stage(cycle, Stage.NOTICE, doing=_("登记异议"))
        notice = _the_notice(cycle)
        if target.pk not in {t.pk for t, _d in passed_targets(cycle)}:
            raise Refused({"target": [_("%(t)s不在公示名单上。") % {"t": target}]})
        if received_on < notice.start or received_on > day_of(at):
            raise Refused({"received_on": [_("收到日期应在公示开始之后，且不晚于今天。")]})
        objection = Objection.objects.create(
            notice=notice, target=target, signed=signed,
            reporter_name=reporter_name if signed else "",
            reporter_contact=reporter_contact if signed else "",
            received_on=received_on, content=content, evidence=evidence,
            registered_by=user_of(actor),
        )  # fmt: skip
        stamp(objection, "registered_at", at)
        # The reporter's name is not repeated in the trail: whoever reads the audit page
        # need not learn who complained.
        record(
            actor=actor, action="selection.objection.registered", target=cycle,
            new={"objection": objection.pk, "about": str(target), "signed": signed,
                 "received_on": received_on}, at=at,
        )  # fmt: skip
    return objection


def close_objection(
    *,
    actor: Any,
    objection: Objection,
    investigation: str,
    outcome: str,
    reminder_talk_on: dt.date | None = None,
    answer: str = "",
    answered_on: dt.date | None = None,
    postponed_until: dt.date | None = None,
    at: dt.datetime | None = None,
) -> Objection:
    """Close an objection, now or at ``at``, with what the investigation found and one of
    the four outcomes.

    问题轻微 needs the date of the reminder talk; 暂缓 the date it lasts until, after the
    day it is closed and at most the cycle's limit (3 months) from it; a signed objection
    the answer given to its reporter and when. Raises ValidationFailed naming the field."""
    investigation = clean_text(investigation, field="investigation", label=_("调查核实情况"),
                               limit=10_000)  # fmt: skip
    if outcome not in ObjectionOutcome.values:
        raise Refused({"outcome": [_("请选择处理结果。")]})
    with transaction.atomic():
        cycle = lock_cycle(objection.notice.cycle)
        require_stage(cycle, Stage.NOTICE, doing=_("处理异议"))
        objection = Objection.objects.select_for_update().get(pk=objection.pk)
        if not objection.is_open:
            raise Refused({"objection": [_("该异议已处理完毕。")]})
        today = day_of(at)
        errors: dict[str, list[str]] = {}
        if outcome == ObjectionOutcome.MINOR and reminder_talk_on is None:
            errors["reminder_talk_on"] = [_("问题轻微的，请填写提醒谈话日期。")]
        if outcome == ObjectionOutcome.UNVERIFIED:
            limit = rules.add_months(today, cycle.postponement_months)
            if postponed_until is None:
                errors["postponed_until"] = [_("暂缓的，请填写暂缓期限。")]
            elif not today < postponed_until <= limit:
                errors["postponed_until"] = [
                    _("暂缓期限应在今天之后，且一般不超过%(n)d个月（%(limit)s）。")
                    % {"n": cycle.postponement_months, "limit": limit}
                ]
        elif postponed_until is not None:
            errors["postponed_until"] = [_("只有暂缓的才填写暂缓期限。")]
        if objection.signed:
            try:
                answer = clean_text(answer, field="answer", label=_("向反映人反馈的内容"),
                                    limit=5000)  # fmt: skip
            except Refused as refused:  # named beside the other fields' errors, not alone
                errors.update(refused.errors)
            if answered_on is None:
                errors["answered_on"] = [_("署名反映的，请填写向反映人反馈的日期。")]
        for field, day, label in (
            ("reminder_talk_on", reminder_talk_on, _("提醒谈话日期")),
            ("answered_on", answered_on if objection.signed else None, _("反馈日期")),
        ):
            if day is not None and day > today:
                errors[field] = [_("%(label)s不能晚于今天。") % {"label": label}]
        if errors:
            raise Refused(errors)
        objection.investigation, objection.outcome = investigation, outcome
        objection.reminder_talk_on = reminder_talk_on
        objection.answer, objection.answered_on = (
            (answer, answered_on) if objection.signed else ("", None)
        )
        objection.postponed_until = postponed_until
        objection.closed_by, objection.closed_at = user_of(actor), moment(at)
        objection.save()
        record(
            actor=actor, action="selection.objection.closed", target=cycle,
            new={"objection": objection.pk, "about": str(objection.target), "outcome": outcome,
                 "postponed_until": postponed_until, "answered": bool(objection.answered_on)},
            at=at,
        )  # fmt: skip
    return objection


def closing_problems(cycle: Cycle, today: dt.date) -> list[str]:
    """What keeps the notice from closing: an objection still open, or the notice not run
    to its end (it may close the day after its last day)."""
    notice = current_notice(cycle)
    if notice is None or notice.closed_at is not None:
        return [_("没有正在进行的公示。")]
    problems = []
    # Of every notice of the cycle: one left open by a reopening still has to be dealt with.
    still_open = Objection.objects.filter(notice__cycle=cycle, closed_at__isnull=True).count()
    if still_open:
        problems.append(_("有%(n)d件异议尚未处理完毕。") % {"n": still_open})
    if today <= notice.end:
        problems.append(
            _("公示期至%(end)s（%(n)d个工作日），期满后方可结束公示。")
            % {"end": notice.end, "n": notice.working_days}
        )
    return problems


# --- the reserve pool ------------------------------------------------------------------


def _enter(
    cycle: Cycle, target: InspectionTarget, decision: Decision, *, at: dt.datetime | None = None
) -> PoolEntry:
    decided_on = decision.meeting.held_on
    entry = PoolEntry.objects.create(
        school=cycle.school, cycle=cycle, target=target, person=target.person,
        level=target.cycle_list.level, readiness=target.readiness, decided_on=decided_on,
        valid_until=rules.pool_valid_until(decided_on, cycle.pool_years),
    )  # fmt: skip
    stamp(entry, "created_at", at)
    return entry


def fill_pool(*, cycle: Cycle, at: dt.datetime | None = None) -> list[PoolEntry]:
    """Inside the transition into 完成 (``workflow.complete_cycle``): close the notice (now,
    or at ``at``) and
    put into the pool everyone who passed, unless an objection removed them (问题严重)
    or postponed them (暂缓, not yet cleared — ``resolve_postponement`` does it then)."""
    notice = current_notice(cycle)
    if notice is not None and notice.closed_at is None:
        notice.closed_at = moment(at)
        notice.save(update_fields=["closed_at"])
    entries = []
    for target, decision in passed_targets(cycle):
        if not _clear(target) or PoolEntry.objects.filter(target=target).exists():
            continue
        entries.append(_enter(cycle, target, decision, at=at))
    return entries


def _clear(target: InspectionTarget) -> bool:
    for objection in Objection.objects.filter(target=target):
        if objection.outcome == ObjectionOutcome.SERIOUS:
            return False
        if (
            objection.outcome == ObjectionOutcome.UNVERIFIED
            and objection.postponement_result != PostponementResult.CLEARED
        ):
            return False
    return True


def resolve_postponement(
    *, actor: Any, objection: Objection, result: str, reason: str, resolved_on: dt.date
) -> Objection:
    """Conclude a postponement (暂缓): cleared — the person enters the pool, at once if
    the cycle is complete, else when it completes — or removed. Allowed while the cycle is
    in 公示 or complete."""
    reason = clean_text(reason, field="reason", label=_("结论依据"), limit=5000)
    if result not in PostponementResult.values:
        raise Refused({"result": [_("请选择暂缓结论。")]})
    with transaction.atomic():
        cycle = lock_cycle(objection.notice.cycle)
        require_stage(cycle, Stage.NOTICE, Stage.DONE, doing=_("了结暂缓事项"))
        objection = (
            Objection.objects.select_for_update().select_related("target").get(pk=objection.pk)
        )
        if objection.outcome != ObjectionOutcome.UNVERIFIED:
            raise Refused({"objection": [_("该异议未作暂缓处理。")]})
        if objection.postponement_result:
            raise Refused({"objection": [_("该暂缓事项已了结。")]})
        if resolved_on > timezone.localdate():
            raise Refused({"resolved_on": [_("了结日期不能晚于今天。")]})
        objection.postponement_result = result
        objection.postponement_resolved_on = resolved_on
        objection.postponement_reason = reason
        objection.save(
            update_fields=["postponement_result", "postponement_resolved_on", "postponement_reason"]
        )
        entry = None
        if cycle.stage == Stage.DONE and result == PostponementResult.CLEARED:
            decided = dict((t.pk, d) for t, d in passed_targets(cycle))
            target = objection.target
            if (
                target.pk in decided
                and _clear(target)
                and not PoolEntry.objects.filter(target=target).exists()
            ):
                entry = _enter(cycle, target, decided[target.pk])
        record(
            actor=actor, action="selection.objection.postponement_resolved", target=cycle,
            new={"objection": objection.pk, "about": str(objection.target), "result": result,
                 "resolved_on": resolved_on, "late": resolved_on > (objection.postponed_until
                                                                   or resolved_on),
                 "pool_entry": entry.pk if entry else None},
            reason=reason,
        )  # fmt: skip
    return objection
