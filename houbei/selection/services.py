"""Setting a cycle up (筹备): the cycle with its settings, its lists and places, its voter
roll, and the plan of each stage (deadline, responsible person).

The stage changes are in ``workflow``; what each stage records is in ``recommendation``,
``opinions``, ``targets``, ``inspection``, ``decision`` and ``notice``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houbei.audit.services import diff, record
from houbei.eligibility.models import RuleSet
from houbei.organisation.models import School
from houbei.people.models import Person

from .common import (
    Refused,
    check_people,
    clean_text,
    lock_cycle,
    moment,
    require_stage,
    stamp,
    user_of,
)
from .models import (
    STAGE_ORDER,
    Cycle,
    CycleList,
    Level,
    RollMember,
    Stage,
    StageRecord,
)


@dataclass(frozen=True)
class ListDraft:
    level: str
    quota: int
    name: str = ""


# The plan's 附1: 区级 5 names, 校级 11 names.
DEFAULT_LISTS = (ListDraft(Level.DISTRICT, 5), ListDraft(Level.SCHOOL, 11))
DEFAULT_ROLL_BASIS = gettext_lazy("在编在岗教职工")


@dataclass(frozen=True)
class Setting:
    label: Any
    kind: type
    low: int = 0
    high: int = 0


# Every setting of a cycle, with what a school may set it to.
SETTINGS: dict[str, Setting] = {
    "quorum_numerator": Setting(gettext_lazy("推荐参与率（分子）"), int, 1, 99),
    "quorum_denominator": Setting(gettext_lazy("推荐参与率（分母）"), int, 1, 99),
    "competitive": Setting(gettext_lazy("差额考察"), bool),
    "inspection_notice_days": Setting(gettext_lazy("考察预告提前天数"), int, 0, 30),
    "notice_working_days": Setting(gettext_lazy("公示期（工作日）"), int, 5, 30),
    "decision_quorum_numerator": Setting(gettext_lazy("讨论决定到会比例（分子）"), int, 1, 99),
    "decision_quorum_denominator": Setting(gettext_lazy("讨论决定到会比例（分母）"), int, 1, 99),
    "pass_numerator": Setting(gettext_lazy("通过比例（分子）"), int, 1, 99),
    "pass_denominator": Setting(gettext_lazy("通过比例（分母）"), int, 1, 99),
    "second_round_percent": Setting(gettext_lazy("再次推荐触发（最高得票率，%）"), int, 0, 100),
    "postponement_months": Setting(gettext_lazy("暂缓期限（月）"), int, 1, 12),
    "pool_years": Setting(gettext_lazy("后备干部库有效期（年）"), int, 1, 5),
}

# Shares that must stay within bounds: a quorum below half would let a minority decide.
_SHARES = (
    ("quorum", gettext_lazy("推荐参与率"), False),
    ("decision_quorum", gettext_lazy("讨论决定到会比例"), False),
    ("pass", gettext_lazy("通过比例"), True),
)


def settings_of(cycle: Cycle) -> dict[str, Any]:
    return {name: getattr(cycle, name) for name in SETTINGS}


def _clean_settings(values: Mapping[str, Any], base: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with ``values`` applied, checked; ValidationFailed naming each field."""
    errors: dict[str, list[str]] = {}
    cleaned = dict(base)
    for name, value in values.items():
        spec = SETTINGS.get(name)
        if spec is None:
            errors.setdefault("settings", []).append(_("未知的设置：%(name)s") % {"name": name})
            continue
        if spec.kind is bool:
            if not isinstance(value, bool):
                errors[name] = [_("%(label)s：请选择是或否。") % {"label": spec.label}]
                continue
        elif isinstance(value, bool) or not isinstance(value, int):
            errors[name] = [_("%(label)s：请填写整数。") % {"label": spec.label}]
            continue
        elif not spec.low <= value <= spec.high:
            errors[name] = [
                _("%(label)s应在%(low)d至%(high)d之间。")
                % {"label": spec.label, "low": spec.low, "high": spec.high}
            ]
            continue
        cleaned[name] = value
    for prefix, label, strict in _SHARES:
        num, den = cleaned[f"{prefix}_numerator"], cleaned[f"{prefix}_denominator"]
        too_high = num >= den if strict else num > den
        if 2 * num < den or too_high:
            bound = _("不低于1/2且低于1") if strict else _("不低于1/2且不超过1")
            errors.setdefault(f"{prefix}_numerator", []).append(
                _("%(label)s%(num)d/%(den)d：应%(bound)s。")
                % {"label": label, "num": num, "den": den, "bound": bound}
            )
    if errors:
        raise Refused(errors)
    return cleaned


def _default_settings() -> dict[str, Any]:
    fields = {f.name: f for f in Cycle._meta.concrete_fields}
    return {name: fields[name].get_default() for name in SETTINGS}


def _clean_lists(lists: Sequence[ListDraft]) -> list[ListDraft]:
    errors: list[str] = []
    seen: set[str] = set()
    cleaned = []
    for number, draft in enumerate(lists, start=1):
        if draft.level not in Level.values:
            errors.append(_("第%(n)d个名单：级别无效。") % {"n": number})
            continue
        if draft.level in seen:
            errors.append(_("第%(n)d个名单：级别重复。") % {"n": number})
        seen.add(draft.level)
        if draft.quota < 1:
            errors.append(_("第%(n)d个名单：名额至少为1。") % {"n": number})
        name = draft.name.strip() or _("%(level)s后备干部") % {"level": Level(draft.level).label}
        cleaned.append(ListDraft(draft.level, draft.quota, name[:60]))
    if not lists:
        errors.append(_("至少需要一个后备干部名单。"))
    if errors:
        raise Refused({"lists": errors})
    return cleaned


def default_roll(school: School) -> list[Person]:
    """The default voter roll: the school's current 在编在岗 staff."""
    return list(
        Person.objects.for_school(school).current().in_establishment_on_duty().order_by("pk")
    )


def create_cycle(
    *,
    actor: Any,
    school: School,
    title: str,
    year: int,
    reference_date: dt.date,
    rule_set: RuleSet,
    lists: Sequence[ListDraft] = DEFAULT_LISTS,
    roll: Sequence[Person] | None = None,
    settings: Mapping[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> Cycle:
    """A cycle in 筹备, with its lists, its voter roll (``roll``, by default all current
    在编在岗 staff) and one planned record per stage, 筹备 started (now, or ``at``).

    Raises ValidationFailed naming the field: no title or one the school already has, a
    year outside 2000…2100, a rule set of another school or archived, a bad list, a
    setting out of bounds, someone of another school on the roll."""
    title = clean_text(title, field="title", label=_("名称"), limit=120)
    errors: dict[str, list[str]] = {}
    if not 2000 <= year <= 2100:
        errors["year"] = [_("年度应在2000至2100之间。")]
    if rule_set.school_id != school.pk:
        errors["rule_set"] = [_("选拔条件不属于本校。")]
    elif rule_set.archived_at is not None:
        errors["rule_set"] = [_("选拔条件“%(name)s”已归档。") % {"name": rule_set.name}]
    if Cycle.objects.filter(school=school, title=title).exists():
        errors["title"] = [_("本校已有名为“%(title)s”的选拔周期。") % {"title": title}]
    if errors:
        raise Refused(errors)
    drafts = _clean_lists(lists)
    values = _clean_settings(settings or {}, _default_settings())
    people = default_roll(school) if roll is None else list(roll)
    _check_roll(school, people)
    try:
        with transaction.atomic():
            cycle = Cycle.objects.create(
                school=school, title=title, year=year, reference_date=reference_date,
                rule_set=rule_set, created_by=user_of(actor), **values,
            )  # fmt: skip
            CycleList.objects.bulk_create(
                CycleList(cycle=cycle, level=d.level, name=d.name, quota=d.quota, position=i)
                for i, d in enumerate(drafts)
            )
            basis = str(DEFAULT_ROLL_BASIS) if roll is None else ""
            RollMember.objects.bulk_create(
                RollMember(cycle=cycle, person=p, basis=basis, added_by=user_of(actor))
                for p in dict.fromkeys(people)
            )
            now = moment(at)
            stamp(cycle, "created_at", at)
            if at is not None:
                RollMember.objects.filter(cycle=cycle).update(added_at=at)
            StageRecord.objects.bulk_create(
                StageRecord(
                    cycle=cycle, stage=stage, started_at=now if stage == Stage.PREPARATION else None
                )
                for stage in STAGE_ORDER
            )
            record(
                actor=actor,
                action="selection.cycle.created",
                target=cycle,
                school=school,
                new={
                    "title": title, "year": year, "reference_date": reference_date,
                    "rule_set": rule_set.name, "settings": values,
                    "lists": [{"level": d.level, "name": d.name, "quota": d.quota}
                              for d in drafts],
                    "roll": len(dict.fromkeys(people)),
                },
                at=at,
            )  # fmt: skip
    except IntegrityError:
        raise Refused(
            {"title": [_("本校已有名为“%(title)s”的选拔周期。") % {"title": title}]}
        ) from None
    return cycle


def _check_roll(school: School, people: Sequence[Person]) -> None:
    strangers = [p.name for p in people if p.school_id != school.pk]
    if strangers:
        raise Refused({"roll": [_("不是本校教职工：%(names)s") % {"names": "、".join(strangers)}]})


_SETUP = _("修改筹备事项")


def update_settings(*, actor: Any, cycle: Cycle, changes: Mapping[str, Any]) -> Cycle:
    """Change settings of a cycle in 筹备. Raises ValidationFailed naming the field."""
    with transaction.atomic():
        cycle = lock_cycle(cycle)
        require_stage(cycle, Stage.PREPARATION, doing=_SETUP)
        before = settings_of(cycle)
        after = _clean_settings(changes, before)
        old, new = diff(before, after)
        if not new:
            return cycle
        for name, value in new.items():
            setattr(cycle, name, value)
        cycle.save(update_fields=list(new))
        record(actor=actor, action="selection.cycle.updated", target=cycle, old=old, new=new)
    return cycle


def update_cycle(
    *, actor: Any, cycle: Cycle, reference_date: dt.date | None = None,
    rule_set: RuleSet | None = None,
) -> Cycle:  # fmt: skip
    """Change the reference date or the rule set of a cycle in 筹备."""
    with transaction.atomic():
        cycle = lock_cycle(cycle)
        require_stage(cycle, Stage.PREPARATION, doing=_SETUP)
        before = {"reference_date": cycle.reference_date, "rule_set": cycle.rule_set.name}
        if rule_set is not None:
            if rule_set.school_id != cycle.school_id:
                raise Refused({"rule_set": [_("选拔条件不属于本校。")]})
            if rule_set.archived_at is not None:
                raise Refused(
                    {"rule_set": [_("选拔条件“%(name)s”已归档。") % {"name": rule_set.name}]}
                )
            cycle.rule_set = rule_set
        if reference_date is not None:
            cycle.reference_date = reference_date
        cycle.save(update_fields=["reference_date", "rule_set"])
        after = {"reference_date": cycle.reference_date, "rule_set": cycle.rule_set.name}
        old, new = diff(before, after)
        if new:
            record(actor=actor, action="selection.cycle.updated", target=cycle, old=old, new=new)
    return cycle


def set_list(*, actor: Any, cycle: Cycle, level: str, quota: int, name: str = "") -> CycleList:
    """Add a list of ``level`` or change its places (and name), in 筹备."""
    (draft,) = _clean_lists([ListDraft(level, quota, name)])
    with transaction.atomic():
        cycle = lock_cycle(cycle)
        require_stage(cycle, Stage.PREPARATION, doing=_SETUP)
        existing = CycleList.objects.filter(cycle=cycle, level=draft.level).first()
        if existing is None:
            position = CycleList.objects.filter(cycle=cycle).count()
            item = CycleList.objects.create(
                cycle=cycle, level=draft.level, name=draft.name, quota=draft.quota,
                position=position,
            )  # fmt: skip
            old: dict[str, Any] = {}
        else:
            item = existing
            old = {"name": item.name, "quota": item.quota}
            item.name = draft.name if name.strip() else item.name
            item.quota = draft.quota
            item.save(update_fields=["name", "quota"])
        record(
            actor=actor, action="selection.list.set", target=cycle,
            old=old or None, new={"level": item.level, "name": item.name, "quota": item.quota},
        )  # fmt: skip
    return item


def add_to_roll(
    *, actor: Any, cycle: Cycle, people: Sequence[Person], basis: str,
    at: dt.datetime | None = None,
) -> int:  # fmt: skip
    """Put ``people`` on the voter roll in 筹备 (now, or ``at``), with why (知情度、关联度、
    代表性). Those already on it are left as they are. Returns how many were added."""
    basis = clean_text(basis, field="basis", label=_("列入依据"), limit=200)
    with transaction.atomic():
        cycle = lock_cycle(cycle)
        require_stage(cycle, Stage.PREPARATION, doing=_("调整推荐人名单"))
        check_people(cycle, people, field="people")
        present = set(
            RollMember.objects.active().filter(cycle=cycle).values_list("person_id", flat=True)
        )
        new = [p for p in dict.fromkeys(people) if p.pk not in present]
        RollMember.objects.bulk_create(
            RollMember(cycle=cycle, person=p, basis=basis, added_by=user_of(actor)) for p in new
        )
        if at is not None:
            RollMember.objects.active().filter(cycle=cycle, person__in=new).update(
                added_at=moment(at)
            )
        if new:
            record(
                actor=actor, action="selection.roll.added", target=cycle,
                new={"people": [p.name for p in new], "basis": basis}, at=at,
            )  # fmt: skip
    return len(new)


def remove_from_roll(*, actor: Any, cycle: Cycle, person: Person, reason: str) -> RollMember:
    """Take a person off the voter roll in 筹备, with the reason (the row is kept)."""
    reason = clean_text(reason, field="reason", label=_("移出理由"), limit=300)
    with transaction.atomic():
        cycle = lock_cycle(cycle)
        require_stage(cycle, Stage.PREPARATION, doing=_("调整推荐人名单"))
        member = RollMember.objects.active().filter(cycle=cycle, person=person).first()
        if member is None:
            raise Refused({"person": [_("%(name)s不在推荐人名单上。") % {"name": person.name}]})
        member.removed_at, member.removed_by, member.removed_reason = (
            timezone.now(), user_of(actor), reason,
        )  # fmt: skip
        member.save(update_fields=["removed_at", "removed_by", "removed_reason"])
        record(
            actor=actor, action="selection.roll.removed", target=cycle,
            old={"person": person.name}, reason=reason,
        )  # fmt: skip
    return member


def roll_of(cycle: Cycle) -> list[Person]:
    """The people on the voter roll now."""
    return [
        m.person for m in RollMember.objects.active().filter(cycle=cycle).select_related("person")
    ]


def live_record(cycle: Cycle, stage: str) -> StageRecord:
    """The latest attempt of ``stage`` (every stage has one from the cycle's creation)."""
    return StageRecord.objects.filter(cycle=cycle, stage=stage).latest("attempt")


def plan_stage(
    *, actor: Any, cycle: Cycle, stage: str, deadline: dt.date | None,
    responsible: Person | None, at: dt.datetime | None = None,
) -> StageRecord:  # fmt: skip
    """Set the deadline and the responsible person of a stage not yet finished (now, or
    ``at``: the time of the audit entry)."""
    if stage not in Stage.values:
        raise Refused({"stage": [_("阶段无效。")]})
    with transaction.atomic():
        cycle = lock_cycle(cycle)
        item = live_record(cycle, stage)
        if item.finished_at is not None:
            raise Refused(
                {"stage": [_("“%(stage)s”阶段已结束。") % {"stage": item.get_stage_display()}]}
            )
        if responsible is not None:
            check_people(cycle, [responsible], field="responsible")
        before = {"deadline": item.deadline, "responsible": str(item.responsible or "")}
        item.deadline, item.responsible = deadline, responsible
        item.save(update_fields=["deadline", "responsible"])
        old, new = diff(before, {"deadline": deadline, "responsible": str(responsible or "")})
        record(
            actor=actor, action="selection.stage.planned", target=cycle,
            old={"stage": stage, **old}, new={"stage": stage, **new}, at=at,
        )  # fmt: skip
    return item
