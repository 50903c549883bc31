"""Length-of-service rules at their boundaries: years at this school, years in head posts,
years at the level below the target. Closed intervals, open end = the reference day
(``houbei.people.durations``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import translation

from houbei.eligibility.records import Spell, Target
from houbei.eligibility.rules import (
    Plan,
    RuleError,
    RuleResult,
    Verdict,
    explain,
    facts_of,
    judge,
)
from houbei.people import durations

from .records_factory import (
    CLASS,
    DAY,
    GRADE,
    LEADER,
    OFFICE,
    SUBJECT,
    UNION,
    D,
    only,
    person,
    plan,
    rule,
    spell,
)

# --- years at this school -------------------------------------------------------------


def school_plan(as_of: dt.date, min_years: str = "5") -> Plan:
    return plan(rule("years_at_school", min_years=min_years), as_of=as_of)


def test_years_at_school_passes_at_exactly_five_years_and_fails_one_day_short() -> None:
    as_of = D(2021, 7, 31)
    exact = person(joined_school_on=D(2016, 8, 1))  # [2016-08-01, 2021-07-31] is 60 months
    short = person(joined_school_on=D(2016, 8, 2))
    with translation.override("zh-hans"):
        passed = only(school_plan(as_of), exact)
        failed = only(school_plan(as_of), short)
    assert passed.outcome == "pass"
    assert passed.text == "在本校工作5年（2016-08-01进校），要求满5年。"
    assert failed.outcome == "fail"
    assert failed.text == "在本校工作4年11个月（2016-08-02进校），要求满5年。"
    assert failed.short == "4年11个月"


@pytest.mark.parametrize(
    "as_of",
    [
        D(2021, 7, 31),
        D(2021, 2, 27),  # the day after is 28 Feb: 2016-02-29 still has 60 months
        D(2021, 2, 28),
        D(2020, 2, 28),
        D(2020, 2, 29),
        D(2021, 3, 30),
        D(2021, 3, 31),
        D(2021, 12, 31),
        D(2021, 1, 30),
    ],
)
def test_years_at_school_bound_is_the_latest_join_day_with_sixty_closed_months(
    as_of: dt.date,
) -> None:
    """The latest joining day that passes has 60 whole months in [joined, as_of]; the
    next day has fewer. Checked against durations, not against the rule's own bound."""
    p = school_plan(as_of)
    day = durations.add_months(as_of, -61)
    results = []
    while day <= durations.add_months(as_of, -59):
        expected = durations.months_between(day, as_of + DAY) >= 60
        outcome = only(p, person(joined_school_on=day)).outcome
        results.append((day, outcome))
        assert outcome == ("pass" if expected else "fail"), day
        day += DAY
    outcomes = [o for _d, o in results]
    # Monotone: every pass comes before every fail.
    assert outcomes == sorted(outcomes, key=lambda o: o != "pass")
    assert "pass" in outcomes and "fail" in outcomes


def test_years_at_school_on_29_february_reference_counts_to_the_day_after() -> None:
    as_of = D(2021, 2, 27)
    assert only(school_plan(as_of), person(joined_school_on=D(2016, 2, 29))).outcome == "pass"
    assert only(school_plan(as_of), person(joined_school_on=D(2016, 3, 1))).outcome == "fail"


def test_years_at_school_with_fractional_years_counts_months() -> None:
    as_of = D(2021, 7, 31)
    p = school_plan(as_of, "1.5")
    assert only(p, person(joined_school_on=D(2020, 2, 1))).outcome == "pass"
    result = only(p, person(joined_school_on=D(2020, 2, 2)))
    assert result.outcome == "fail"
    assert result.text.endswith("要求满1.5年。")


def test_years_at_school_with_zero_years_needs_only_to_have_joined_by_the_reference_day() -> None:
    # "0" is an allowed value; compiling it used to raise ValueError (months_between of a
    # day before its start) instead of giving a plan.
    p = school_plan(D(2021, 7, 31), "0")
    assert only(p, person(joined_school_on=D(2021, 7, 31))).outcome == "pass"
    assert only(p, person(joined_school_on=D(2021, 8, 1))).outcome == "fail"
    assert only(p, person(joined_school_on=None)).outcome == "unknown"


def test_years_at_school_missing_join_date_is_unknown_and_says_so() -> None:
    p = school_plan(D(2021, 7, 31))
    record = person(joined_school_on=None)
    result = only(p, record)
    assert result.outcome == "unknown"
    assert "缺少入校时间" in result.text
    assert "要求满5年" in result.text
    assert result.short == "?"
    assert explain(p, record).verdict == Verdict.INCOMPLETE


def test_years_at_school_future_join_date_fails_and_names_both_dates() -> None:
    result = only(school_plan(D(2021, 7, 31)), person(joined_school_on=D(2021, 9, 1)))
    assert result.outcome == "fail"
    assert result.text == "入校时间（2021-09-01）晚于基准日（2021-07-31），要求满5年。"


def test_years_at_school_joined_on_the_reference_day_has_less_than_a_month() -> None:
    result = only(school_plan(D(2021, 7, 31)), person(joined_school_on=D(2021, 7, 31)))
    assert result.outcome == "fail"
    assert result.text.startswith("在本校工作不足1个月")


# --- years in head posts --------------------------------------------------------------

AS_OF = D(2018, 8, 31)


def head_plan(as_of: dt.date = AS_OF, **params: Any) -> Plan:
    return plan(rule("years_in_posts", **{"min_years": "3", **params}), as_of=as_of)


def head(*spells: Spell, as_of: dt.date = AS_OF, **params: Any) -> RuleResult:
    return only(head_plan(as_of, **params), person(spells=spells))


def test_years_in_posts_passes_at_exactly_three_years_and_fails_one_day_short() -> None:
    with translation.override("zh-hans"):
        exact = head(spell(CLASS, D(2015, 9, 1), D(2018, 8, 31)))
        short = head(spell(CLASS, D(2015, 9, 2), D(2018, 8, 31)))
    assert exact.outcome == "pass"
    assert exact.text == "担任班主任或科室组长累计3年（班主任 2015-09-01至基准日），要求满3年。"
    assert short.outcome == "fail"
    assert short.text == (
        "担任班主任或科室组长累计2年11个月（班主任 2015-09-02至基准日），要求满3年。"
    )


def test_years_in_posts_counts_overlapping_posts_once() -> None:
    result = head(
        spell(CLASS, D(2015, 9, 1), D(2017, 8, 31)),
        spell(GRADE, D(2016, 9, 1), D(2018, 8, 31)),
    )
    assert result.outcome == "pass"
    assert "累计3年（" in result.text  # not 4 years
    more = head(
        spell(CLASS, D(2015, 9, 1), D(2017, 8, 31)),
        spell(GRADE, D(2016, 9, 1), D(2018, 8, 31)),
        min_years="3.5",
    )
    assert more.outcome == "fail"


def test_years_in_posts_counts_a_repeated_row_once() -> None:
    row = spell(CLASS, D(2016, 9, 1), D(2018, 8, 31))
    result = head(row, row, row)
    assert result.outcome == "fail"
    assert "累计2年（" in result.text


def test_years_in_posts_touching_rows_merge_and_a_gap_loses_the_odd_days() -> None:
    touching = head(
        spell(CLASS, D(2015, 9, 1), D(2016, 8, 31)),
        spell(SUBJECT, D(2016, 9, 1), D(2018, 8, 31)),
    )
    assert touching.outcome == "pass"
    assert "累计3年（" in touching.text
    # One day missing: 11 whole months + 2 years; the odd days of each stretch are dropped.
    gap = head(
        spell(CLASS, D(2015, 9, 1), D(2016, 8, 30)),
        spell(SUBJECT, D(2016, 9, 1), D(2018, 8, 31)),
    )
    assert gap.outcome == "fail"
    assert "累计2年11个月（" in gap.text


def test_years_in_posts_open_end_counts_up_to_and_including_the_reference_day() -> None:
    open_row = spell(CLASS, D(2015, 9, 1))
    assert head(open_row).outcome == "pass"
    result = head(open_row, as_of=D(2018, 8, 30))
    assert result.outcome == "fail"
    assert result.text == (
        "担任班主任或科室组长累计2年11个月（班主任 2015-09-01至今），要求满3年。"
    )


def test_years_in_posts_end_after_the_reference_day_is_clipped() -> None:
    result = head(spell(CLASS, D(2015, 9, 1), D(2020, 8, 31)), as_of=D(2018, 8, 30))
    assert result.outcome == "fail"
    assert "累计2年11个月" in result.text
    assert "至基准日" in result.text


def test_years_in_posts_rows_starting_after_the_reference_day_count_for_nothing() -> None:
    result = head(
        spell(CLASS, D(2018, 9, 1), D(2025, 8, 31)),
        spell(GRADE, D(2018, 9, 1)),
    )
    assert result.outcome == "fail"
    assert result.text == "无班主任或科室组长任职记录，要求满3年。"
    assert result.short == "0"


def test_years_in_posts_row_starting_on_the_reference_day_counts_that_day() -> None:
    p = head_plan()
    record = person(spells=[spell(CLASS, AS_OF)])
    assert facts_of(p, record).set_months == [0]
    assert "班主任 2018-08-31至今" in only(p, record).text


def test_years_in_posts_by_default_ignores_posts_not_counting_as_head() -> None:
    result = head(spell(UNION, D(2010, 9, 1)), spell(LEADER, D(2010, 9, 1)))
    assert result.outcome == "fail"
    assert result.text.startswith("无班主任或科室组长任职记录")


def test_years_in_posts_with_chosen_posts_counts_only_those() -> None:
    result = head(
        spell(UNION, D(2015, 9, 1)),
        spell(CLASS, D(2000, 9, 1)),
        posts=["trade-union"],
    )
    assert result.outcome == "pass"
    assert result.text == "担任工会累计3年（工会 2015-09-01至今），要求满3年。"


def test_years_in_posts_and_level_below_with_zero_years_always_pass() -> None:
    assert head(min_years="0").outcome == "pass"
    assert only(below_plan(target=Target(level=3), min_years="0"), person()).outcome == "pass"


def test_years_in_posts_with_unknown_post_code_is_refused_when_compiled() -> None:
    with pytest.raises(RuleError) as error:
        head_plan(posts=["no-such-post"])
    assert error.value.field == "posts"
    assert "no-such-post" in error.value.message


def test_years_in_posts_lists_at_most_four_rows_and_says_how_many() -> None:
    rows = [spell(CLASS, D(2010 + i, 9, 1), D(2011 + i, 6, 30)) for i in range(6)]
    result = head(*rows)
    assert result.text.count("班主任 ") == 4
    assert "等6段" in result.text


# --- one year at the level below ------------------------------------------------------


def below_plan(
    as_of: dt.date = AS_OF,
    *,
    target: Target | None = None,
    exemptions: dict[str, dict[int, str]] | None = None,
    **params: Any,
) -> Plan:
    return plan(
        rule("level_below", key="level-below", **{"min_years": "1", **params}),
        as_of=as_of,
        target=target,
        exemptions=exemptions,
    )


TEAM_YEAR = spell(GRADE, D(2017, 9, 1), D(2018, 8, 31))  # exactly one year at level 2


def test_level_below_passes_at_exactly_one_year_and_fails_one_day_short() -> None:
    p = below_plan(target=Target(level=3))
    with translation.override("zh-hans"):
        exact = only(p, person(spells=[TEAM_YEAR]))
        short = only(p, person(spells=[spell(SUBJECT, D(2017, 9, 2), D(2018, 8, 31))]))
    assert exact.outcome == "pass"
    assert exact.text == (
        "在下一级岗位（年级组长、教研组长）工作1年（年级组长 2017-09-01至基准日），要求满1年。"
    )
    assert short.outcome == "fail"
    assert short.text == (
        "在下一级岗位（年级组长、教研组长）工作11个月（教研组长 2017-09-02至基准日），要求满1年。"
    )


def test_level_below_without_any_target_is_unknown_and_says_so() -> None:
    p = below_plan()
    record = person(spells=[TEAM_YEAR])
    result = only(p, record)
    assert result.outcome == "unknown"
    assert result.text == "未指定目标岗位层级，无法判断下一级岗位经历（要求满1年）。"
    assert result.short == "?"
    assert explain(p, record).verdict == Verdict.INCOMPLETE


def test_level_below_uses_the_rules_default_target_level() -> None:
    p = below_plan(target_level=3)
    assert only(p, person(spells=[TEAM_YEAR])).outcome == "pass"
    assert only(p, person(spells=[spell(CLASS, D(2010, 9, 1))])).outcome == "fail"


@pytest.mark.parametrize("where", ["context", "rule"])
def test_level_below_for_the_lowest_target_level_does_not_apply(where: str) -> None:
    p = below_plan(target=Target(level=1)) if where == "context" else below_plan(target_level=1)
    record = person(spells=[])
    result = only(p, record)
    assert result.outcome == "pass"
    assert result.computed == "pass"
    assert result.text == "目标层级为最低一级，无下一级岗位要求。"
    assert result.short == "—"
    # The columnar fast path agrees with the per-person reference.
    assert judge(p, [facts_of(p, record)]).outcomes == [["pass"]]


def test_level_below_target_post_fixes_the_level() -> None:
    # (副)校级 is level 4: the level below is 教导处 and 工会 (level 3), not 年级组长.
    p = below_plan(target=Target(level=3, post_id=LEADER), target_level=2)
    assert only(p, person(spells=[TEAM_YEAR])).outcome == "fail"
    result = only(p, person(spells=[spell(UNION, D(2017, 9, 1))]))
    assert result.outcome == "pass"
    assert result.text.startswith("在下一级岗位（教导处、工会）工作1年（工会 2017-09-01至今）")


def test_level_below_target_post_on_the_first_rung_does_not_apply() -> None:
    result = only(below_plan(target=Target(post_id=CLASS)), person())
    assert result.outcome == "pass"


def test_level_below_without_rows_at_the_level_below_says_so() -> None:
    result = only(
        below_plan(target=Target(post_id=OFFICE)), person(spells=[spell(CLASS, D(2000, 9, 1))])
    )
    assert result.outcome == "fail"
    assert result.text == "无下一级岗位（年级组长、教研组长）任职记录，要求满1年。"


def test_level_below_exemption_for_the_target_post_passes_and_names_the_reason() -> None:
    reason = "校级岗位由上级统筹，酌情处理"
    p = below_plan(target=Target(post_id=LEADER), exemptions={"level-below": {LEADER: reason}})
    result = only(p, person())
    assert result.outcome == "pass"
    assert result.exempt_reason == reason
    assert result.text == f"目标岗位“(副)校级”免除此条件：{reason}"
    assert result.short == "免"


def test_level_below_exemption_applies_only_to_its_post_and_its_rule() -> None:
    other_post = below_plan(
        target=Target(post_id=LEADER), exemptions={"level-below": {OFFICE: "教导处酌情"}}
    )
    other_rule = below_plan(
        target=Target(post_id=LEADER), exemptions={"head-years": {LEADER: "另一条件"}}
    )
    by_level = below_plan(target=Target(level=4), exemptions={"level-below": {LEADER: "酌情"}})
    for p in (other_post, other_rule, by_level):
        result = only(p, person())
        assert result.outcome == "fail"
        assert result.exempt_reason is None
