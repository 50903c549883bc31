"""Evaluating a stored rule set: the database's side of ``rules``.

``evaluate`` reads a rule set, its exemptions and rulings and the school's posts, builds
the ``Context`` and the plan, computes everyone's ``Facts`` in bulk and judges them — a
fixed number of queries whatever the size of the school. ``explain_person`` does the same
for one person with explanations. ``what_if`` compares the stored rules with changed
parameters before anything is saved."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from houbei.organisation.models import LadderLevel
from houbei.people.models import Person

from . import loading
from .models import Exemption, Rule, RuleSet
from .models import Ruling as RulingRow
from .records import Context, PostRef, Ruling, Target
from .rules import (
    ELIGIBLE_VERDICTS,
    VERDICT_ORDER,
    AgeBand,
    Explanation,
    Facts,
    Judgements,
    Plan,
    RuleDef,
    RuleError,
    Strength,
    Verdict,
    clean_rule,
    compile_plan,
    explain,
    judge,
    shorts,
)


def parse_target(text: str | None, posts: Mapping[int, PostRef]) -> tuple[Target, str]:
    """``"level:3"`` or ``"post:<code>"`` → (Target, canonical text); anything else is no
    target (the rules' own default applies)."""
    text = (text or "").strip()
    kind, _sep, value = text.partition(":")
    if kind == "level" and value.isdigit() and int(value) in LadderLevel.values:
        return Target(level=int(value)), f"level:{int(value)}"
    if kind == "post":
        for post in posts.values():
            if post.code == value:
                return Target(post_id=post.id), f"post:{post.code}"
    return Target(), ""


def target_label(target: Target, posts: Mapping[int, PostRef], default_level: int | None) -> str:
    if target.post_id is not None and target.post_id in posts:
        post = posts[target.post_id]
        return _("目标岗位：%(post)s（%(level)s）") % {
            "post": post.name,
            "level": LadderLevel(post.ladder_level).label,
        }
    level = target.level if target.level is not None else default_level
    if level is None:
        return _("未指定目标层级")
    return _("目标层级：%(level)s") % {"level": LadderLevel(level).label}


def rule_rows(rule_set: RuleSet) -> list[Rule]:
    return list(rule_set.rules.filter(enabled=True).order_by("sort_order", "pk"))


def rule_defs(
    rules: Sequence[Rule], changes: Mapping[str, Mapping[str, Any]] | None = None
) -> list[RuleDef]:
    """The stored rules as ``RuleDef``; ``changes`` (key → parameter values, and optionally
    "strength") replaces parameters for a what-if. Raises RuleError for a bad change."""
    defs = []
    for rule in rules:
        params: Mapping[str, Any] = rule.params
        strength = rule.strength
        if changes and rule.key in changes:
            change = dict(changes[rule.key])
            strength = change.pop("strength", None) or strength
            try:
                strength, params = clean_rule(
                    type=rule.type, strength=strength, params={**rule.params, **change}
                )
            except RuleError as error:
                error.message = f"{rule.label}：{error.message}"
                raise
        defs.append(RuleDef(rule.key, rule.type, strength, rule.label, params))
    return defs


def context_for(
    rule_set: RuleSet,
    rules: Sequence[Rule],
    *,
    as_of: dt.date,
    target: Target,
    posts: dict[int, PostRef],
) -> Context:
    """Exemptions and rulings of the rule set (two queries)."""
    by_id = {r.pk: r.key for r in rules}
    exemptions: dict[str, dict[int, str]] = {}
    for rule_id, post_id, reason in (
        Exemption.objects.active()
        .filter(rule_id__in=by_id)
        .values_list("rule_id", "post_id", "reason")
    ):
        exemptions.setdefault(by_id[rule_id], {})[post_id] = reason
    rulings = {
        (r.person_id, by_id[r.rule_id]): Ruling(
            outcome=r.outcome,
            reason=r.reason,
            by=r.granted_by.display_name or r.granted_by.username if r.granted_by else _("系统"),
            on=timezone.localdate(r.granted_at),
        )
        for r in RulingRow.objects.active().filter(rule_id__in=by_id).select_related("granted_by")
    }
    return Context(as_of=as_of, posts=posts, target=target, exemptions=exemptions, rulings=rulings)


def default_level(rules: Sequence[Rule | RuleDef]) -> int | None:
    for rule in rules:
        if rule.type == "level_below":
            level = rule.params.get("target_level")
            return int(level) if level else None
    return None


@dataclass
class Row:
    person: Person
    verdict: str
    outcomes: tuple[str, ...]
    computed: tuple[str, ...]
    shorts: list[str]
    priority: int
    age: int | None

    @property
    def verdict_label(self) -> str:
        return str(Verdict(self.verdict).label)

    @property
    def eligible(self) -> bool:
        return self.verdict in ELIGIBLE_VERDICTS

    @property
    def cells(self) -> list[tuple[str, str, bool]]:
        """(outcome, short text, overridden) per rule."""
        return [
            (o, s, o != c)
            for o, s, c in zip(self.outcomes, self.shorts, self.computed, strict=True)
        ]


@dataclass
class Evaluation:
    rule_set: RuleSet
    rules: list[Rule]
    as_of: dt.date
    target: Target
    target_code: str
    target_label: str
    plan: Plan
    people: list[Person]
    facts: Sequence[Facts]
    judgements: Judgements
    _rows: list[Row] | None = field(default=None, repr=False)

    @property
    def rows(self) -> list[Row]:
        """Everyone, best first: verdict, then priority marks, then staff number."""
        if self._rows is None:
            by_id = {p.pk: p for p in self.people}
            rows = []
            for i, facts in enumerate(self.facts):
                j = self.judgements.row(i)
                person = by_id[facts.id]
                rows.append(
                    Row(
                        person=person,
                        verdict=j.verdict,
                        outcomes=j.outcomes,
                        computed=j.computed,
                        shorts=shorts(self.plan, facts),
                        priority=j.priority,
                        age=person.age_on(self.as_of),
                    )
                )
            rows.sort(
                key=lambda r: (
                    VERDICT_ORDER[Verdict(r.verdict)],
                    -r.priority,
                    r.person.staff_number,
                )
            )
            self._rows = rows
        return self._rows

    def counts(self) -> dict[str, int]:
        counted = Counter(self.judgements.verdicts)
        return {v.value: counted.get(v.value, 0) for v in Verdict}

    @property
    def in_scope(self) -> int:
        return len(self.judgements.verdicts) - self.counts()[Verdict.OUT_OF_SCOPE]

    def band_share(self) -> tuple[int, int, str] | None:
        """(inside, of in scope, band text) for the first age-band rule, or None."""
        for r, compiled in enumerate(self.plan.rules):
            if type(compiled.kind) is AgeBand:
                inside = total = 0
                for verdict, outcome in zip(
                    self.judgements.verdicts, self.judgements.computed[r], strict=True
                ):
                    if verdict == Verdict.OUT_OF_SCOPE:
                        continue
                    total += 1
                    inside += outcome == "pass"
                return inside, total, compiled.kind._band(compiled.prep)
        return None

    def eligible_ids(self) -> set[int]:
        return {
            pid
            for pid, verdict in zip(self.judgements.ids, self.judgements.verdicts, strict=True)
            if verdict in ELIGIBLE_VERDICTS
        }


def people_of(rule_set: RuleSet) -> QuerySet[Person]:
    """Who a rule set is evaluated over: the school's current (not archived) staff."""
    return Person.objects.for_school(rule_set.school).current()


def evaluate(
    rule_set: RuleSet,
    *,
    as_of: dt.date | None = None,
    target: str | None = None,
    changes: Mapping[str, Mapping[str, Any]] | None = None,
    rules: Sequence[Rule] | None = None,
    posts: dict[int, PostRef] | None = None,
    people: Sequence[Person] | None = None,
) -> Evaluation:
    """The rule set over the school's current staff as of ``as_of`` (default: the rule
    set's reference date, else today). Raises RuleError for an unusable change."""
    as_of = as_of or rule_set.reference_date or timezone.localdate()
    rules = list(rules) if rules is not None else rule_rows(rule_set)
    posts = posts if posts is not None else loading.post_refs(rule_set.school)
    parsed, code = parse_target(target, posts)
    defs = rule_defs(rules, changes)
    ctx = context_for(rule_set, rules, as_of=as_of, target=parsed, posts=posts)
    plan = compile_plan(defs, ctx)
    queryset = people_of(rule_set)
    people_list = list(people) if people is not None else list(queryset.order_by("pk"))
    facts = loading.bulk_facts(plan, queryset)
    return Evaluation(
        rule_set=rule_set,
        rules=list(rules),
        as_of=as_of,
        target=parsed,
        target_code=code,
        target_label=target_label(parsed, posts, default_level(defs)),
        plan=plan,
        people=people_list,
        facts=facts,
        judgements=judge(plan, facts),
    )


def explain_person(
    rule_set: RuleSet,
    person: Person,
    *,
    as_of: dt.date | None = None,
    target: str | None = None,
    changes: Mapping[str, Mapping[str, Any]] | None = None,
) -> tuple[Explanation, Plan, Target, str]:
    as_of = as_of or rule_set.reference_date or timezone.localdate()
    rules = rule_rows(rule_set)
    posts = loading.post_refs(rule_set.school)
    parsed, code = parse_target(target, posts)
    defs = rule_defs(rules, changes)
    ctx = context_for(rule_set, rules, as_of=as_of, target=parsed, posts=posts)
    plan = compile_plan(defs, ctx)
    record = loading.records_for([person])[0]
    return explain(plan, record), plan, parsed, code


@dataclass
class WhatIf:
    before: Evaluation
    after: Evaluation
    entered: list[Row]
    left: list[Row]
    changed: list[tuple[Row, Row]]  # verdict changed but eligibility did not


def what_if(
    rule_set: RuleSet,
    changes: Mapping[str, Mapping[str, Any]],
    *,
    as_of: dt.date | None = None,
    target: str | None = None,
) -> WhatIf:
    """Who would enter or leave the eligible list if ``changes`` were saved."""
    rules = rule_rows(rule_set)
    posts = loading.post_refs(rule_set.school)
    people = list(people_of(rule_set).order_by("pk"))
    before = evaluate(rule_set, as_of=as_of, target=target, rules=rules, posts=posts, people=people)
    after = evaluate(
        rule_set,
        as_of=as_of,
        target=target,
        changes=changes,
        rules=rules,
        posts=posts,
        people=people,
    )
    old = {r.person.pk: r for r in before.rows}
    entered, left, changed = [], [], []
    for row in after.rows:
        was = old[row.person.pk]
        if row.eligible and not was.eligible:
            entered.append(row)
        elif was.eligible and not row.eligible:
            left.append(was)
        elif row.verdict != was.verdict:
            changed.append((was, row))
    return WhatIf(before=before, after=after, entered=entered, left=left, changed=changed)


def strength_choices(rule: Rule) -> list[tuple[str, str]]:
    return [(s, str(Strength(s).label)) for s in rule.kind.strengths]
