"""Plain records for the pure eligibility tests: the school plan's ladder of posts, people,
rules cleaned by their type, and plans compiled against a context. No database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from houbei.eligibility.records import (
    Context,
    HonourRecord,
    PersonRecord,
    PostRef,
    Ruling,
    Spell,
    Target,
)
from houbei.eligibility.rules import (
    Plan,
    RuleDef,
    RuleResult,
    clean_rule,
    compile_plan,
    explain,
)

D = dt.date
DAY = dt.timedelta(days=1)

# The plan's ladder: 班主任 (1) → 年级组长, 教研组长 (2) → 教导处, 工会 (3) → (副)校级 (4).
# 工会 and 校级 do not count as "班主任或科室组长" here, so the default head set is the
# first four posts.
CLASS, GRADE, SUBJECT, OFFICE, UNION, LEADER = 1, 2, 3, 4, 5, 6
POSTS: dict[int, PostRef] = {
    CLASS: PostRef(CLASS, "class-teacher", "班主任", 1, True),
    GRADE: PostRef(GRADE, "grade-leader", "年级组长", 2, True),
    SUBJECT: PostRef(SUBJECT, "subject-leader", "教研组长", 2, True),
    OFFICE: PostRef(OFFICE, "academic-office", "教导处", 3, True),
    UNION: PostRef(UNION, "trade-union", "工会", 3, False),
    LEADER: PostRef(LEADER, "school-leader", "(副)校级", 4, False),
}
HEAD_POSTS = frozenset(p.id for p in POSTS.values() if p.counts_as_head)


def rule(
    type_: str, strength: str | None = None, *, key: str | None = None, **params: Any
) -> RuleDef:
    """A rule of ``type_`` with its parameters cleaned the way the rules page cleans them;
    the key defaults to the type."""
    cleaned_strength, cleaned = clean_rule(type=type_, strength=strength, params=params)
    return RuleDef(key or type_, type_, str(cleaned_strength), type_, cleaned)


def context(
    as_of: dt.date,
    *,
    target: Target | None = None,
    exemptions: Mapping[str, dict[int, str]] | None = None,
    rulings: Mapping[tuple[int, str], Ruling] | None = None,
    posts: Mapping[int, PostRef] | None = None,
) -> Context:
    return Context(
        as_of=as_of,
        posts=dict(POSTS if posts is None else posts),
        target=target or Target(),
        exemptions=dict(exemptions or {}),
        rulings=dict(rulings or {}),
    )


def plan(*rules: RuleDef, as_of: dt.date, **ctx: Any) -> Plan:
    return compile_plan(list(rules), context(as_of, **ctx))


def person(
    id: int = 1,
    *,
    spells: tuple[Spell, ...] | list[Spell] = (),
    honours: tuple[HonourRecord, ...] | list[HonourRecord] = (),
    **fields: Any,
) -> PersonRecord:
    return PersonRecord(id=id, spells=tuple(spells), honours=tuple(honours), **fields)


def spell(post_id: int, start: dt.date, end: dt.date | None = None) -> Spell:
    return Spell(post_id, start, end)


def only(plan: Plan, record: PersonRecord) -> RuleResult:
    """The result of the plan's single rule for ``record``."""
    (result,) = explain(plan, record).results
    return result
