"""确定考察对象: the decision body chooses the inspection targets per list, with the
recommendation figures beside each name, normally more than the places (差额); then the
考察预告 is published some days (3) before the inspection begins."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
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
    moment,
    require_stage,
    stamp,
    user_of,
)
from .models import (
    Cycle,
    CycleList,
    InspectionTarget,
    Readiness,
    Stage,
    TalkRecommendation,
    TargetSelection,
)
from .opinions import fully_consulted
from .recommendation import eligible_ids, latest_valid_round, standings


class AcknowledgementNeeded(Refused):
    """The choice breaks the 差额 expectation: shown to the decision body, who may go on
    only by acknowledging it with a reason."""


def votes_note(
    cycle_list: CycleList,
    person: Person,
    standing: Any,
    talks: int | None,
    interviewees: int,
) -> str:
    """What the decision body sees beside a name: the recommendation in the official
    wording, and the talk recommendations."""
    parts = []
    if standing is not None:
        parts.append(
            _("第%(n)d轮民主推荐：%(sentence)s")
            % {"n": standing.round_number, "sentence": standing.line.sentence}
        )
    else:
        parts.append(_("未列入民主推荐%(list)s候选人") % {"list": cycle_list.name})
    if interviewees:
        parts.append(
            _("谈话调研推荐：谈话%(n)d人，推荐%(c)d人次。") % {"n": interviewees, "c": talks or 0}
        )
    return "；".join(parts)


def choose_targets(
    *,
    actor: Any,
    cycle: Cycle,
    decided_on: dt.date,
    targets: Mapping[CycleList, Sequence[Person]],
    acknowledgement: str = "",
    at: dt.datetime | None = None,
) -> TargetSelection:
    """The decision body's choice of 考察对象, per list, in 确定考察对象.

    Every target must be eligible (the cycle's snapshot) and have the opinions of both
    the leadership and the party branch. A list with fewer targets than places, or (under
    差额) no more than its places, raises AcknowledgementNeeded naming it, unless an
    ``acknowledgement`` (why) is given, which is kept with the choice. A new choice
    withdraws earlier targets it does not name (now, or at ``at``). Raises
    ValidationFailed otherwise."""
    acknowledgement = clean_text(
        acknowledgement, field="acknowledgement", label=_("确认说明"), limit=1000, required=False
    )
    with transaction.atomic():
        cycle = lock_cycle(cycle)
        require_stage(cycle, Stage.TARGETS, doing=_("确定考察对象"))
        lists = list(CycleList.objects.filter(cycle=cycle).order_by("position", "pk"))
        if any(cl.cycle_id != cycle.pk for cl in targets):
            raise Refused({"targets": [_("名单不属于本选拔周期。")]})
        chosen = {cl.pk: list(dict.fromkeys(people)) for cl, people in targets.items()}
        everyone = [p for people in chosen.values() for p in people]
        if not everyone:
            raise Refused({"targets": [_("请至少确定一名考察对象。")]})
        check_people(cycle, everyone, field="targets")
        allowed, consulted = eligible_ids(cycle), fully_consulted(cycle)
        errors = []
        for cl in lists:
            for person in chosen.get(cl.pk, []):
                who = {"list": cl.name, "name": person.name}
                if person.pk not in allowed:
                    errors.append(_("%(list)s：%(name)s不符合选拔条件。") % who)
                elif person.pk not in consulted:
                    errors.append(_("%(list)s：尚未就%(name)s征求领导班子和党支部意见。") % who)
        if errors:
            raise Refused({"targets": errors})
        warnings = [
            w
            for cl in lists
            if (w := rules.target_warning(cl.name, len(chosen.get(cl.pk, [])), cl.quota,
                                          cycle.competitive))
        ]  # fmt: skip
        if warnings and not acknowledgement:
            raise AcknowledgementNeeded(
                {"targets": warnings},
                message=_("考察对象人数不符合差额考察要求，请写明理由后确认。"),
            )
        selection = TargetSelection.objects.create(
            cycle=cycle, decided_on=decided_on, warnings=warnings,
            acknowledgement=acknowledgement if warnings else "", by=user_of(actor),
        )  # fmt: skip
        stamp(selection, "at", at)
        round_ = latest_valid_round(cycle)
        figures = standings(round_) if round_ is not None else {}
        talks = {
            (t.cycle_list_id, t.person_id): t.count
            for t in TalkRecommendation.objects.filter(cycle=cycle)
        }
        wanted = {(cl_id, p.pk) for cl_id, people in chosen.items() for p in people}
        withdrawn = []
        for target in (
            InspectionTarget.objects.active()
            .filter(cycle=cycle)
            .select_related("person", "cycle_list")
        ):
            if (target.cycle_list_id, target.person_id) not in wanted:
                target.withdrawn_at = moment(at)
                target.withdrawn_reason = _("重新确定考察对象时未列入")
                target.save(update_fields=["withdrawn_at", "withdrawn_reason"])
                withdrawn.append(str(target))
        kept = set(
            InspectionTarget.objects.active()
            .filter(cycle=cycle)
            .values_list("cycle_list_id", "person_id")
        )
        by_id = {cl.pk: cl for cl in lists}
        for cl_id, people in chosen.items():
            for person in people:
                key = (cl_id, person.pk)
                note = votes_note(
                    by_id[cl_id], person, figures.get(key), talks.get(key),
                    cycle.talk_interviewees,
                )  # fmt: skip
                if key in kept:
                    InspectionTarget.objects.active().filter(
                        cycle_list_id=cl_id, person=person
                    ).update(selection=selection, votes_note=note)
                else:
                    InspectionTarget.objects.create(
                        cycle=cycle, cycle_list_id=cl_id, person=person, selection=selection,
                        votes_note=note,
                    )  # fmt: skip
        record(
            actor=actor, action="selection.targets.chosen", target=cycle,
            new={"decided_on": decided_on,
                 "targets": {by_id[k].name: [p.name for p in v] for k, v in chosen.items()},
                 "warnings": warnings, "withdrawn": withdrawn},
            reason=acknowledgement if warnings else "", at=at,
        )  # fmt: skip
    return selection


def publish_inspection_notice(
    *,
    actor: Any,
    cycle: Cycle,
    published_on: dt.date,
    reason: str = "",
    at: dt.datetime | None = None,
) -> int:
    """Record the day the 考察预告 of the current targets was published (the targets not
    yet announced), now or at ``at`` (published no later than that day, and not before
    the targets were chosen). Once every target is announced, the office may correct the
    day — the notice went up earlier or later than it entered — with the reason, until the
    inspection starts; the old day stays in the audit entry. Returns how many targets it
    announced or corrected."""
    reason = reason.strip()
    with transaction.atomic():
        cycle = lock_cycle(cycle)
        require_stage(cycle, Stage.TARGETS, doing=_("发布考察预告"))
        if published_on > day_of(at):
            raise Refused({"published_on": [_("发布日期不能晚于今天。")]})
        selection = cycle.target_selections.order_by("-pk").first()
        if selection is not None and published_on < selection.decided_on:
            raise Refused(
                {"published_on": [
                    _("发布日期不能早于确定考察对象的日期（%(day)s）。")
                    % {"day": selection.decided_on}
                ]}
            )  # fmt: skip
        active = InspectionTarget.objects.active().filter(cycle=cycle)
        pending = active.filter(notice_published_on__isnull=True)
        names = [str(t) for t in pending.select_related("person", "cycle_list")]
        if names:
            pending.update(notice_published_on=published_on)
            record(
                actor=actor, action="selection.targets.notice_published", target=cycle,
                new={"published_on": published_on, "targets": names}, at=at,
            )  # fmt: skip
            return len(names)
        announced = list(active.select_related("person", "cycle_list"))
        if not announced:
            raise Refused({"published_on": [_("尚未确定考察对象。")]})
        old = sorted({t.notice_published_on for t in announced if t.notice_published_on})
        if old == [published_on]:
            raise Refused(
                {"published_on": [
                    _("考察预告已登记于%(day)s发布；更正时请填写实际发布日期。")
                    % {"day": published_on}
                ]}
            )  # fmt: skip
        if not reason:
            raise Refused({"reason": [_("更正已登记的发布日期时，请写明更正理由。")]})
        active.update(notice_published_on=published_on)
        record(
            actor=actor, action="selection.targets.notice_published", target=cycle,
            old={"published_on": old[-1] if len(old) == 1 else [str(d) for d in old]},
            new={"published_on": published_on, "targets": [str(t) for t in announced]},
            reason=reason, at=at,
        )  # fmt: skip
    return len(announced)


def set_readiness(
    *, actor: Any, target: InspectionTarget, readiness: str, at: dt.datetime | None = None
) -> InspectionTarget:
    """近期可提拔 or 中长期培养, from the choice of targets until the notice ends. ``at``:
    when, for the audit entry."""
    if readiness not in Readiness.values:
        raise Refused({"readiness": [_("请选择近期可提拔或中长期培养。")]})
    with transaction.atomic():
        cycle = lock_cycle(target.cycle)
        require_stage(
            cycle, Stage.TARGETS, Stage.INSPECTION, Stage.DECISION, Stage.NOTICE,
            doing=_("设定成熟程度"),
        )  # fmt: skip
        target = (
            InspectionTarget.objects.active()
            .select_related("person", "cycle_list")
            .get(pk=target.pk)
        )
        old = target.readiness
        target.readiness = readiness
        target.save(update_fields=["readiness"])
        record(
            actor=actor, action="selection.target.readiness_set", target=cycle,
            old={"target": str(target), "readiness": old},
            new={"target": str(target), "readiness": readiness}, at=at,
        )  # fmt: skip
    return target


def notice_problems(cycle: Cycle, today: dt.date) -> list[str]:
    """What keeps the inspection from starting: no target, a 考察预告 not published, or
    published fewer than the cycle's notice days ago."""
    targets = list(
        InspectionTarget.objects.active().filter(cycle=cycle).select_related("person", "cycle_list")
    )
    if not targets:
        return [_("尚未确定考察对象。")]
    problems = []
    unannounced = [str(t) for t in targets if t.notice_published_on is None]
    if unannounced:
        problems.append(_("尚未发布考察预告：%(names)s。") % {"names": "、".join(unannounced)})
    days = dt.timedelta(days=cycle.inspection_notice_days)
    dates = [t.notice_published_on for t in targets if t.notice_published_on is not None]
    if dates and today < max(dates) + days:
        problems.append(
            _("考察预告于%(day)s发布，须提前%(n)d天，%(start)s起方可开始考察。"
              "如考察预告实际张贴得更早，请在“确定考察对象”页更正发布日期并写明理由（不早于确定考察对象的日期）。")
            % {"day": max(dates), "n": cycle.inspection_notice_days,
               "start": max(dates) + days}
        )  # fmt: skip
    return problems
