"""Properties of the pure evaluation on random records and random plans: merged service
never shrinks when a row is added, merging ignores order and is idempotent, verdicts do
not depend on the order of rows, and the columnar ``judge`` gives exactly what the
per-person reference gives (``facts_of`` + ``raw`` + strength + rulings + ``verdict_of``)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from houbei.eligibility.records import HonourRecord, PersonRecord, Ruling, Spell, Target
from houbei.eligibility.rules import (
    REGISTRY,
    FactsTable,
    Plan,
    RuleDef,
    Strength,
    clean_rule,
    compile_plan,
    explain,
    facts_of,
    judge,
    months_in,
    verdict_of,
)
from houbei.people import durations
from houbei.people.models import Establishment, PostStatus

from .records_factory import DAY, POSTS, D, context, plan, rule

LEAP_DAYS = [D(year, 2, 29) for year in range(1996, 2032, 4)]
NEAR_LEAP = [d + k * DAY for d in LEAP_DAYS for k in (-1, 0, 1)]
MONTH_ENDS = [D(y, m, 1) - DAY for y in range(2012, 2031) for m in (1, 2, 3, 5, 9, 10)]

some_day = st.one_of(
    st.dates(D(1995, 1, 1), D(2032, 12, 31)),
    st.sampled_from(NEAR_LEAP),
    st.sampled_from(MONTH_ENDS),
)
reference_day = st.one_of(
    st.dates(D(2012, 1, 1), D(2031, 12, 31)),
    st.sampled_from([d for d in NEAR_LEAP if d.year >= 2012]),
    st.sampled_from(MONTH_ENDS),
)
lengths = st.one_of(
    st.sampled_from((0, 1, 27, 28, 29, 30, 58, 59, 364, 365, 366, 730, 1095, 1826)),
    st.integers(0, 5000),
)


@st.composite
def intervals(draw: st.DrawFn) -> tuple[dt.date, dt.date | None]:
    start = draw(some_day)
    if draw(st.integers(0, 4)) == 0:
        return start, None
    return start, start + dt.timedelta(days=draw(lengths))


@st.composite
def interval_lists(draw: st.DrawFn, max_size: int = 7) -> list[tuple[dt.date, dt.date | None]]:
    """Rows that overlap, repeat and touch far more often than random dates would."""
    rows: list[tuple[dt.date, dt.date | None]] = []
    for _i in range(draw(st.integers(0, max_size))):
        mode = draw(st.sampled_from(("free", "touch", "repeat", "overlap") if rows else ("free",)))
        if mode == "free":
            rows.append(draw(intervals()))
            continue
        start, end = draw(st.sampled_from(rows))
        if mode == "repeat":
            rows.append((start, end))
            continue
        if mode == "touch":
            start = (end or start + dt.timedelta(days=400)) + DAY
        else:
            start += dt.timedelta(days=draw(st.integers(0, 400)))
        open_end = draw(st.integers(0, 4)) == 0
        rows.append((start, None if open_end else start + dt.timedelta(days=draw(lengths))))
    return rows


POST_IDS = [*POSTS, 99]  # 99: a row for a post the school no longer lists


@st.composite
def spell_lists(draw: st.DrawFn) -> tuple[Spell, ...]:
    rows = draw(interval_lists())
    return tuple(Spell(draw(st.sampled_from(POST_IDS)), start, end) for start, end in rows)


TITLES = (
    "优秀党员",
    "“勤朴”教师",
    '"勤朴"教师',
    "勤朴教师",
    "「勤朴」 教师",
    "优秀班主任",
    "优秀教师",
)
honours = st.builds(
    HonourRecord,
    title=st.sampled_from(TITLES),
    level=st.integers(1, 4),
    year=st.integers(2005, 2032),
)
records = st.builds(
    PersonRecord,
    id=st.just(0),
    birth_date=st.one_of(st.none(), st.dates(D(1955, 1, 1), D(2006, 12, 31)), st.sampled_from(LEAP_DAYS[:4])),
    joined_school_on=st.one_of(st.none(), some_day),
    establishment=st.sampled_from(Establishment.values),
    post_status=st.sampled_from(PostStatus.values),
    fit_for_duty=st.one_of(st.none(), st.booleans()),
    fit_for_duty_on=st.one_of(st.none(), some_day),
    spells=spell_lists(),
    honours=st.lists(honours, max_size=4).map(tuple),
)  # fmt: skip
people = st.lists(records, min_size=1, max_size=6).map(
    lambda rs: [dataclasses.replace(r, id=i + 1) for i, r in enumerate(rs)]
)

# --- random plans ---------------------------------------------------------------------

YEARS = st.sampled_from(["0", "0.1", "0.5", "1", "1.5", "2", "3", "5", "10"])
CODES = [p.code for p in POSTS.values()]


def _ages(pair: tuple[int | None, int | None]) -> dict[str, Any]:
    return {"min_age": pair[0], "max_age": pair[1]}


def _valid_band(pair: tuple[int | None, int | None]) -> bool:
    low, high = pair
    return (low, high) != (None, None) and (low is None or high is None or low <= high)


AGES = (
    st.tuples(st.none() | st.integers(20, 40), st.none() | st.integers(25, 60))
    .filter(_valid_band)
    .map(_ages)
)
PARAMS: dict[str, st.SearchStrategy[dict[str, Any]]] = {
    "years_at_school": st.fixed_dictionaries({"min_years": YEARS}),
    "years_in_posts": st.fixed_dictionaries(
        {"min_years": YEARS, "posts": st.lists(st.sampled_from(CODES), unique=True, max_size=3)}
    ),
    "level_below": st.fixed_dictionaries(
        {"min_years": YEARS, "target_level": st.none() | st.integers(1, 4)}
    ),
    "age_band": AGES,
    "scope_age": AGES,
    "honours": st.fixed_dictionaries(
        {
            "titles": st.lists(st.sampled_from(TITLES), min_size=1, max_size=3),
            "min_level": st.integers(1, 4),
        }
    ),
    "attestation": st.fixed_dictionaries({"valid_months": st.none() | st.integers(1, 24)}),
    "manual": st.just({}),
    "scope_establishment": st.fixed_dictionaries(
        {"values": st.lists(st.sampled_from(Establishment.values), min_size=1, unique=True)}
    ),
    "scope_post_status": st.fixed_dictionaries(
        {"values": st.lists(st.sampled_from(PostStatus.values), min_size=1, unique=True)}
    ),
}


@st.composite
def rule_defs(draw: st.DrawFn, index: int) -> RuleDef:
    type_ = draw(st.sampled_from(sorted(REGISTRY)))
    strength = draw(st.sampled_from(REGISTRY[type_].strengths))
    cleaned_strength, params = clean_rule(type=type_, strength=strength, params=draw(PARAMS[type_]))
    return RuleDef(f"r{index}", type_, str(cleaned_strength), type_, params)


@st.composite
def plans(draw: st.DrawFn, ids: list[int]) -> Plan:
    rules = [draw(rule_defs(i)) for i in range(draw(st.integers(1, 8)))]
    target = draw(
        st.one_of(
            st.just(Target()),
            st.builds(Target, level=st.integers(1, 4)),
            st.builds(Target, post_id=st.sampled_from(list(POSTS))),
            st.builds(Target, level=st.integers(1, 4), post_id=st.sampled_from(list(POSTS))),
        )
    )
    exemptions: dict[str, dict[int, str]] = {}
    for r in rules:
        if r.type == "level_below" and draw(st.booleans()):
            post = target.post_id if draw(st.booleans()) else draw(st.sampled_from(list(POSTS)))
            if post is not None:
                exemptions[r.key] = {post: "个别岗位酌情处理"}
    rulings = {
        (draw(st.sampled_from(ids)), draw(st.sampled_from(rules)).key): Ruling(
            draw(st.sampled_from(["pass", "fail"])), "考察组记录"
        )
        for _i in range(draw(st.integers(0, 4)))
    }
    ctx = context(draw(reference_day), target=target, exemptions=exemptions, rulings=rulings)
    return compile_plan(rules, ctx)


def reference(plan: Plan, record: PersonRecord) -> tuple[str, list[str], list[str], int]:
    """One person's verdict, outcomes, computed outcomes and priority, the slow way."""
    facts = facts_of(plan, record)
    computed, outcomes = [], []
    for c in plan.rules:
        soft = c.rule.strength == Strength.SOFT
        raw = c.kind.raw(facts, c.prep)
        computed.append("flag" if soft and raw == "fail" else raw)
        ruling = plan.ctx.rulings.get((record.id, c.rule.key))
        if ruling is None:
            outcomes.append(computed[-1])
        else:
            outcomes.append("flag" if soft and ruling.outcome == "fail" else ruling.outcome)
    strengths = [c.rule.strength for c in plan.rules]
    priority = sum(
        o == "pass" for s, o in zip(strengths, outcomes, strict=True) if s == Strength.PRIORITY
    )
    return verdict_of(strengths, outcomes), outcomes, computed, priority


def test_every_rule_type_has_a_parameter_strategy() -> None:
    assert set(PARAMS) == set(REGISTRY)


# --- merging --------------------------------------------------------------------------


@given(rows=interval_lists(), extra=intervals(), as_of=reference_day)
def test_adding_a_history_row_never_lowers_the_merged_months(
    rows: list[tuple[dt.date, dt.date | None]],
    extra: tuple[dt.date, dt.date | None],
    as_of: dt.date,
) -> None:
    assert months_in([*rows, extra], as_of) >= months_in(rows, as_of)


@given(record=records, extra=intervals(), post=st.sampled_from(POST_IDS), as_of=reference_day)
def test_adding_a_history_row_never_lowers_years_in_posts(
    record: PersonRecord,
    extra: tuple[dt.date, dt.date | None],
    post: int,
    as_of: dt.date,
) -> None:
    p = plan(
        rule("years_in_posts", min_years="3"),
        rule("years_in_posts", min_years="1", posts=["class-teacher", "trade-union"], key="own"),
        rule("level_below", min_years="1", target_level=3),
        as_of=as_of,
    )
    longer = dataclasses.replace(record, spells=(*record.spells, Spell(post, *extra)))
    before, after = facts_of(p, record).set_months, facts_of(p, longer).set_months
    assert all(a >= b for a, b in zip(after, before, strict=True)), (before, after)
    rank = {"fail": 0, "pass": 1}
    was, now = explain(p, record), explain(p, longer)
    for old, new in zip(was.results, now.results, strict=True):
        assert rank[new.outcome] >= rank[old.outcome]


@given(rows=interval_lists(), as_of=reference_day, data=st.data())
def test_merging_is_order_independent_and_idempotent(
    rows: list[tuple[dt.date, dt.date | None]], as_of: dt.date, data: st.DataObject
) -> None:
    merged = durations.merge_intervals(rows, as_of)
    shuffled = data.draw(st.permutations(rows))
    assert durations.merge_intervals(shuffled, as_of) == merged
    assert durations.merge_intervals(merged, as_of) == merged
    assert months_in(shuffled, as_of) == months_in(rows, as_of)
    assert months_in(merged, as_of) == months_in(rows, as_of)
    assert months_in(rows + rows, as_of) == months_in(rows, as_of)
    years, months = durations.merged_years_months(rows, as_of)
    assert years * 12 + months == months_in(rows, as_of)
    # Sorted, disjoint, not touching, and within [start, as_of].
    for (_a, end), (start, _b) in itertools.pairwise(merged):
        assert start > end + DAY
    assert all(start <= end <= as_of for start, end in merged)


@given(rows=interval_lists(max_size=5), as_of=reference_day)
def test_merged_intervals_cover_exactly_the_days_of_the_rows(
    rows: list[tuple[dt.date, dt.date | None]], as_of: dt.date
) -> None:
    def days(intervals: list[tuple[dt.date, dt.date]]) -> set[int]:
        return {
            d for start, end in intervals for d in range(start.toordinal(), end.toordinal() + 1)
        }

    clipped = [(s, min(e or as_of, as_of)) for s, e in rows if s <= as_of]
    assert days(durations.merge_intervals(rows, as_of)) == days(clipped)
    assert durations.total_days(rows, as_of) == len(days(clipped))


# --- order of rows --------------------------------------------------------------------


@given(group=people, data=st.data())
def test_the_verdict_does_not_depend_on_the_order_of_spells_or_honours(
    group: list[PersonRecord], data: st.DataObject
) -> None:
    p = data.draw(plans([r.id for r in group]))
    for record in group:
        shuffled = dataclasses.replace(
            record,
            spells=tuple(data.draw(st.permutations(record.spells))),
            honours=tuple(data.draw(st.permutations(record.honours))),
        )
        a, b = explain(p, record), explain(p, shuffled)
        assert a.verdict == b.verdict
        assert a.priority == b.priority
        assert [r.outcome for r in a.results] == [r.outcome for r in b.results]
        assert [r.computed for r in a.results] == [r.computed for r in b.results]
        assert [r.short for r in a.results] == [r.short for r in b.results]
        assert facts_of(p, record).set_months == facts_of(p, shuffled).set_months


# --- judge against the per-person reference -------------------------------------------


@given(group=people, data=st.data())
def test_judge_gives_verdict_of_person_by_person_and_explain_agrees(
    group: list[PersonRecord], data: st.DataObject
) -> None:
    p = data.draw(plans([r.id for r in group]))
    judged = judge(p, [facts_of(p, r) for r in group])
    assert judged.ids == [r.id for r in group]
    strengths = [c.rule.strength for c in p.rules]
    for i, record in enumerate(group):
        row = judged.row(i)
        verdict, outcomes, computed, priority = reference(p, record)
        assert list(row.outcomes) == outcomes
        assert list(row.computed) == computed
        assert row.verdict == verdict == verdict_of(strengths, row.outcomes)
        assert row.priority == priority
        explanation = explain(p, record)
        assert explanation.verdict == row.verdict
        assert explanation.priority == row.priority
        assert [r.outcome for r in explanation.results] == outcomes
        assert [r.computed for r in explanation.results] == computed


@given(group=people, data=st.data())
def test_column_gives_raw_for_everyone(group: list[PersonRecord], data: st.DataObject) -> None:
    p = data.draw(plans([r.id for r in group]))
    facts = [facts_of(p, r) for r in group]
    table = FactsTable.of(facts, len(p.post_sets))
    for c in p.rules:
        assert c.kind.column(table, c.prep) == [c.kind.raw(f, c.prep) for f in facts], c.rule


@given(group=people, data=st.data())
def test_every_result_has_an_explanation(group: list[PersonRecord], data: st.DataObject) -> None:
    p = data.draw(plans([r.id for r in group]))
    for record in group:
        for result in explain(p, record).results:
            assert result.text.strip(), result
            assert result.outcome in {"pass", "fail", "flag", "unknown"}


# --- figures against durations --------------------------------------------------------


@given(joined=some_day, as_of=reference_day, years=YEARS)
def test_years_at_school_agrees_with_closed_interval_months(
    joined: dt.date, as_of: dt.date, years: str
) -> None:
    p = plan(rule("years_at_school", min_years=years), as_of=as_of)
    (result,) = explain(p, PersonRecord(id=1, joined_school_on=joined)).results
    needed = round(float(years) * 12)
    if joined > as_of:
        # Not at the school on the reference day, whatever the requirement.
        assert result.outcome == "fail"
    else:
        served = durations.months_between(joined, as_of + DAY)
        assert result.outcome == ("pass" if served >= needed else "fail")
        assert durations.format_years_months(*divmod(served, 12)) in result.text


@given(
    birth=st.one_of(st.dates(D(1950, 1, 1), D(2010, 12, 31)), st.sampled_from(NEAR_LEAP)),
    as_of=reference_day,
    ages=AGES,
)
def test_age_band_agrees_with_full_years(
    birth: dt.date, as_of: dt.date, ages: dict[str, Any]
) -> None:
    p = plan(rule("age_band", "hard", **ages), as_of=as_of)
    (result,) = explain(p, PersonRecord(id=1, birth_date=birth)).results
    if birth > as_of:
        return
    age = durations.full_years_between(birth, as_of)
    low, high = ages["min_age"], ages["max_age"]
    inside = (low is None or age >= low) and (high is None or age <= high)
    assert result.outcome == ("pass" if inside else "fail")
    assert f"{age}周岁" in result.text
