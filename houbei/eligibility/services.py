"""Every change to rule sets, rules, exemptions and rulings, and taking snapshots: one
service each, atomic, the row locked, the audit entry written in the same transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from houbei.audit.services import diff, record
from houbei.core.errors import Conflict, ValidationFailed
from houbei.organisation.models import Post, School
from houbei.people.models import Person

from . import evaluation, loading
from .defaults import PLAN_RULES
from .models import Exemption, Rule, RuleSet, Ruling, RulingOutcome, Snapshot
from .records import Context
from .rules import RuleError, Strength, clean_rule, explain

REASON_MAX = 300
NAME_MAX = 100


def _reason(reason: str, *, field: str = "reason", limit: int = REASON_MAX) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationFailed({field: [_("请写明理由。")]})
    if len(reason) > limit:
        raise ValidationFailed({field: [_("理由不能超过%(n)d个字。") % {"n": limit}]})
    return reason


def _name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationFailed({"name": [_("请填写名称。")]})
    if len(name) > NAME_MAX:
        raise ValidationFailed({"name": [_("名称不能超过%(n)d个字。") % {"n": NAME_MAX}]})
    return name


def _rule_values(rule: Rule) -> dict[str, Any]:
    return {
        "key": rule.key,
        "type": rule.type,
        "strength": rule.strength,
        "label": rule.label,
        "params": rule.params,
        "enabled": rule.enabled,
    }


def _lock_set(rule_set: RuleSet) -> RuleSet:
    locked = RuleSet.objects.select_for_update().select_related("school").get(pk=rule_set.pk)
    if locked.archived_at is not None:
        raise Conflict(_("“%(name)s”已归档，不能再修改。") % {"name": locked.name})
    return locked


def create_rule_set(
    *,
    actor: Any,
    school: School,
    name: str,
    reference_date: dt.date | None = None,
    description: str = "",
    is_default: bool = False,
    rules: Sequence[tuple[str, str, str, object, Mapping[str, Any]]] | None = None,
) -> RuleSet:
    """A rule set with the plan's conditions (``defaults.PLAN_RULES``) unless ``rules``
    are given. Raises ValidationFailed for a duplicate name or a bad rule."""
    name = _name(name)
    if RuleSet.objects.filter(school=school, name=name).exists():
        raise ValidationFailed({"name": [_("本校已有名为“%(name)s”的选拔条件。") % {"name": name}]})
    specs = PLAN_RULES if rules is None else rules
    try:
        with transaction.atomic():
            if is_default:
                RuleSet.objects.filter(school=school, is_default=True).update(is_default=False)
            rule_set = RuleSet.objects.create(
                school=school,
                name=name,
                reference_date=reference_date,
                description=description,
                is_default=is_default,
            )
            for order, (key, type_, strength, label, params) in enumerate(specs, start=1):
                try:
                    strength, cleaned = clean_rule(type=type_, strength=strength, params=params)
                except RuleError as error:
                    raise ValidationFailed({"rules": [f"{label}：{error.message}"]}) from error
                Rule.objects.create(
                    rule_set=rule_set,
                    key=key,
                    type=type_,
                    strength=strength,
                    label=str(label),
                    params=cleaned,
                    sort_order=order * 10,
                )
            record(
                actor=actor,
                action="eligibility.rule_set.created",
                target=rule_set,
                school=school,
                new={
                    "name": name,
                    "reference_date": reference_date,
                    "is_default": is_default,
                    "rules": [_rule_values(r) for r in rule_set.rules.all()],
                },
            )
    except IntegrityError:
        raise ValidationFailed(
            {"name": [_("本校已有名为“%(name)s”的选拔条件。") % {"name": name}]}
        ) from None
    return rule_set


def update_rule_set(
    *,
    actor: Any,
    rule_set: RuleSet,
    name: str,
    reference_date: dt.date | None,
    description: str = "",
) -> RuleSet:
    name = _name(name)
    with transaction.atomic():
        locked = _lock_set(rule_set)
        if RuleSet.objects.filter(school=locked.school, name=name).exclude(pk=locked.pk).exists():
            raise ValidationFailed(
                {"name": [_("本校已有名为“%(name)s”的选拔条件。") % {"name": name}]}
            )
        before = {
            "name": locked.name,
            "reference_date": locked.reference_date,
            "description": locked.description,
        }
        locked.name, locked.reference_date, locked.description = name, reference_date, description
        locked.save(update_fields=["name", "reference_date", "description", "updated_at"])
        old, new = diff(
            before,
            {"name": name, "reference_date": reference_date, "description": description},
        )
        if new:
            record(
                actor=actor, action="eligibility.rule_set.updated", target=locked, old=old, new=new
            )
    return locked


def _lock_rule(rule: Rule) -> tuple[RuleSet, Rule]:
    rule_set = _lock_set(rule.rule_set)
    return rule_set, Rule.objects.select_for_update().get(pk=rule.pk)


def update_rule(
    *,
    actor: Any,
    rule: Rule,
    label: str,
    strength: str,
    params: Mapping[str, Any],
    enabled: bool = True,
    reason: str = "",
) -> Rule:
    """Change a rule's wording, strength, parameters or whether it applies. The parameters
    are checked by the rule's type, and against the school's posts. Raises
    ValidationFailed naming the parameter."""
    label = " ".join((label or "").split())
    if not label:
        raise ValidationFailed({"label": [_("请填写条件的表述。")]})
    with transaction.atomic():
        rule_set, locked = _lock_rule(rule)
        try:
            strength, cleaned = clean_rule(type=locked.type, strength=strength, params=params)
            # The posts a rule names must exist in this school.
            ctx = Context(as_of=timezone.localdate(), posts=loading.post_refs(rule_set.school))
            locked.kind.post_set(cleaned, ctx)
        except RuleError as error:
            raise ValidationFailed({error.field or "params": [error.message]}) from error
        before = _rule_values(locked)
        locked.label, locked.strength, locked.params, locked.enabled = (
            label[:120],
            strength,
            cleaned,
            enabled,
        )
        locked.save(update_fields=["label", "strength", "params", "enabled"])
        old, new = diff(before, _rule_values(locked))
        if new:
            record(
                actor=actor,
                action="eligibility.rule.updated",
                target=locked,
                school=rule_set.school,
                old=old,
                new=new,
                reason=" ".join((reason or "").split())[:REASON_MAX],
                target_label=f"{rule_set.name} · {locked.label}",
            )
    return locked


def grant_exemption(*, actor: Any, rule: Rule, post: Post, reason: str) -> Exemption:
    """Waive ``rule`` for the target post ``post`` ("个别岗位酌情处理")."""
    reason = _reason(reason)
    with transaction.atomic():
        rule_set, locked = _lock_rule(rule)
        if post.school_id != rule_set.school_id:
            raise ValidationFailed({"post": [_("岗位不属于本校。")]})
        if Exemption.objects.active().filter(rule=locked, post=post).exists():
            raise ValidationFailed({"post": [_("“%(post)s”已免除此条件。") % {"post": post.name}]})
        exemption = Exemption.objects.create(
            rule=locked, post=post, reason=reason, granted_by=_user(actor)
        )
        record(
            actor=actor,
            action="eligibility.exemption.granted",
            target=exemption,
            school=rule_set.school,
            new={"rule": locked.key, "post": post.code},
            reason=reason,
            target_label=f"{rule_set.name} · {locked.label} · {post.name}",
        )
    return exemption


def revoke_exemption(*, actor: Any, exemption: Exemption, reason: str) -> Exemption:
    reason = _reason(reason)
    with transaction.atomic():
        rule_set, _rule = _lock_rule(exemption.rule)
        locked = Exemption.objects.select_for_update().select_related("post").get(pk=exemption.pk)
        _revoke(locked, actor=actor, reason=reason, already=_("此免除已撤销。"))
        record(
            actor=actor,
            action="eligibility.exemption.revoked",
            target=locked,
            school=rule_set.school,
            old={"rule": _rule.key, "post": locked.post.code, "reason": locked.reason},
            reason=reason,
            target_label=f"{rule_set.name} · {_rule.label} · {locked.post.name}",
        )
    return locked


def _revoke(row: Exemption | Ruling, *, actor: Any, reason: str, already: str) -> None:
    """Mark a locked exemption or ruling revoked (rows are kept, never deleted)."""
    if row.revoked_at is not None:
        raise Conflict(already)
    row.revoked_at, row.revoked_by, row.revoke_reason = timezone.now(), _user(actor), reason
    row.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def record_ruling(*, actor: Any, rule: Rule, person: Person, outcome: str, reason: str) -> Ruling:
    """Set ``person``'s result on ``rule``: the record of a manual rule, or an override of
    a computed one. Replaces an earlier ruling (which stays, revoked, with this reason).
    The audit entry keeps the computed result it replaced."""
    reason = _reason(reason, limit=500)
    if outcome not in RulingOutcome.values:
        raise ValidationFailed({"outcome": [_("请选择“符合”或“不符合”。")]})
    with transaction.atomic():
        rule_set, locked = _lock_rule(rule)
        if person.school_id != rule_set.school_id:
            raise ValidationFailed({"person": [_("此人不属于本校。")]})
        explanation, _plan, _target, _code = evaluation.explain_person(rule_set, person)
        computed = next((r for r in explanation.results if r.key == locked.key), None)
        previous = (
            Ruling.objects.select_for_update().active().filter(rule=locked, person=person).first()
        )
        if previous is not None:
            _revoke(previous, actor=actor, reason=reason[:REASON_MAX], already="")
        ruling = Ruling.objects.create(
            rule=locked, person=person, outcome=outcome, reason=reason, granted_by=_user(actor)
        )
        kind = "recorded" if locked.strength == Strength.MANUAL else "overridden"
        record(
            actor=actor,
            action=f"eligibility.ruling.{kind}",
            target=person,
            school=rule_set.school,
            old={
                "computed": computed.computed if computed else None,
                "explanation": computed.text if computed else None,
                "previous": previous.outcome if previous else None,
            },
            new={"rule_set": rule_set.name, "rule": locked.label, "outcome": outcome},
            reason=reason,
        )
    return ruling


def revoke_ruling(*, actor: Any, ruling: Ruling, reason: str) -> Ruling:
    reason = _reason(reason)
    with transaction.atomic():
        rule_set, rule = _lock_rule(ruling.rule)
        locked = Ruling.objects.select_for_update().select_related("person").get(pk=ruling.pk)
        _revoke(locked, actor=actor, reason=reason, already=_("此认定已撤销。"))
        record(
            actor=actor,
            action="eligibility.ruling.revoked",
            target=locked.person,
            school=rule_set.school,
            old={"rule_set": rule_set.name, "rule": rule.label, "outcome": locked.outcome},
            reason=reason,
        )
    return locked


def snapshot_content(result: evaluation.Evaluation) -> tuple[list[Any], list[Any], dict[str, int]]:
    """The rules, per-person results (with explanations) and counts of an evaluation, as
    JSON-ready data."""
    rules = [
        {
            "key": c.rule.key,
            "type": c.rule.type,
            "strength": c.rule.strength,
            "label": c.rule.label,
            "params": dict(c.rule.params),
        }
        for c in result.plan.rules
    ]
    records = {r.id: r for r in loading.records_for(result.people)}
    people = []
    for row in result.rows:
        explained = explain(result.plan, records[row.person.pk])
        people.append(
            {
                "person_id": row.person.pk,
                "staff_number": row.person.staff_number,
                "name": row.person.name,
                "verdict": row.verdict,
                "priority": row.priority,
                "results": {
                    r.key: {"outcome": r.outcome, "computed": r.computed, "text": r.text}
                    for r in explained.results
                },
            }
        )
    return rules, people, result.counts()


def digest_of(content: Any) -> str:
    text = json.dumps(
        content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), cls=DjangoJSONEncoder
    )
    return hashlib.sha256(text.encode()).hexdigest()


def take_snapshot(
    *,
    actor: Any,
    rule_set: RuleSet,
    purpose: str,
    as_of: dt.date | None = None,
    target: str | None = None,
) -> Snapshot:
    """Freeze the current result of ``rule_set`` (as of ``as_of``, for ``target``) with
    every explanation, so a cycle that used it keeps it whatever the registry says later."""
    purpose = _reason(purpose, field="purpose", limit=200)
    with transaction.atomic():
        locked = _lock_set(rule_set)
        result = evaluation.evaluate(locked, as_of=as_of, target=target)
        rules, people, counts = snapshot_content(result)
        content = {
            "as_of": result.as_of.isoformat(),
            "target": result.target_code,
            "rules": rules,
            "results": people,
        }
        snap = Snapshot.objects.create(
            rule_set=locked,
            as_of=result.as_of,
            target=result.target_code,
            purpose=purpose,
            taken_by=_user(actor),
            rules=rules,
            results=people,
            counts=counts,
            digest=digest_of(content),
        )
        record(
            actor=actor,
            action="eligibility.snapshot.taken",
            target=snap,
            school=locked.school,
            new={
                "rule_set": locked.name,
                "as_of": result.as_of,
                "target": result.target_code,
                "counts": counts,
                "digest": snap.digest,
            },
            reason=purpose,
            target_label=f"{locked.name} · {result.as_of}",
        )
    return snap


def archive_rule_set(*, actor: Any, rule_set: RuleSet, reason: str) -> RuleSet:
    reason = _reason(reason, limit=200)
    with transaction.atomic():
        locked = _lock_set(rule_set)
        if locked.is_default:
            raise Conflict(_("学校默认条件不能归档；请先将其他条件设为默认。"))
        locked.archived_at, locked.archive_reason = timezone.now(), reason
        locked.save(update_fields=["archived_at", "archive_reason"])
        record(actor=actor, action="eligibility.rule_set.archived", target=locked, reason=reason)
    return locked


def apply_what_if(
    *, actor: Any, rule_set: RuleSet, changes: Mapping[str, Mapping[str, Any]], reason: str
) -> list[Rule]:
    """Save the parameter (and strength) changes previewed in a what-if, all or nothing,
    each rule's change in its own audit entry with the same reason."""
    reason = _reason(reason)
    rules = {r.key: r for r in rule_set.rules.all()}
    changed = []
    with transaction.atomic():
        for key, change in changes.items():
            rule = rules.get(key)
            if rule is None:
                raise ValidationFailed({"rules": [_("没有代码为“%(key)s”的条件。") % {"key": key}]})
            values = dict(change)
            strength = values.pop("strength", None) or rule.strength
            try:
                update_rule(
                    actor=actor,
                    rule=rule,
                    label=rule.label,
                    strength=strength,
                    params={**rule.params, **values},
                    enabled=rule.enabled,
                    reason=reason,
                )
            except ValidationFailed as error:
                raise ValidationFailed(
                    {
                        "rules": [
                            f"{rule.label}：{m}"
                            for messages in error.errors.values()
                            for m in messages
                        ]
                    }
                ) from error
            changed.append(rule)
    return changed
