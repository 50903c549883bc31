"""What strengths and rulings do to outcomes and verdicts, and the explanations of the
plan's default rules for one person."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from houbei.eligibility.defaults import PLAN_RULES
from houbei.eligibility.records import HonourRecord, Ruling, Target
from houbei.eligibility.rules import (
    RuleDef,
    RuleError,
    Verdict,
    compile_plan,
    explain,
    facts_of,
    judge,
    verdict_of,
)

from .records_factory import CLASS, GRADE, D, context, only, person, plan, rule, spell

AS_OF = D(2021, 1, 31)

# --- verdict from outcomes ------------------------------------------------------------


@pytest.mark.parametrize(
    ("strengths", "outcomes", "verdict"),
    [
        ([], [], Verdict.ELIGIBLE),
        (["hard", "hard"], ["pass", "pass"], Verdict.ELIGIBLE),
        (["hard", "soft"], ["pass", "flag"], Verdict.FLAGGED),
        (["hard", "soft"], ["pass", "unknown"], Verdict.FLAGGED),
        (["hard"], ["flag"], Verdict.FLAGGED),
        (["hard", "hard"], ["unknown", "pass"], Verdict.INCOMPLETE),
        (["hard", "hard"], ["unknown", "fail"], Verdict.INELIGIBLE),
        (["hard", "soft"], ["fail", "flag"], Verdict.INELIGIBLE),
        (["scope", "hard"], ["fail", "fail"], Verdict.OUT_OF_SCOPE),
        (["scope", "hard"], ["unknown", "pass"], Verdict.INCOMPLETE),
        (["manual", "hard"], ["unknown", "pass"], Verdict.ELIGIBLE),
        (["manual", "hard"], ["fail", "pass"], Verdict.INELIGIBLE),
        (["priority", "hard"], ["fail", "pass"], Verdict.ELIGIBLE),
        (["priority", "hard"], ["pass", "fail"], Verdict.INELIGIBLE),
        (["priority"], ["unknown"], Verdict.ELIGIBLE),
    ],
)
def test_verdict_of_combines_outcomes_by_strength(
    strengths: list[str], outcomes: list[str], verdict: str
) -> None:
    assert verdict_of(strengths, outcomes) == verdict


# --- strengths ------------------------------------------------------------------------


def test_soft_rule_failure_gives_flag_and_a_flagged_verdict() -> None:
    p = plan(rule("years_at_school", "soft", min_years="5"), as_of=AS_OF)
    record = person(joined_school_on=D(2016, 8, 1))
    explanation = explain(p, record)
    assert explanation.results[0].outcome == "flag"
    assert explanation.results[0].computed == "flag"
    assert explanation.verdict == Verdict.FLAGGED
    assert judge(p, [facts_of(p, record)]).verdicts == [Verdict.FLAGGED]


def test_the_same_failure_as_hard_excludes() -> None:
    p = plan(rule("years_at_school", "hard", min_years="5"), as_of=AS_OF)
    explanation = explain(p, person(joined_school_on=D(2016, 8, 1)))
    assert explanation.results[0].outcome == "fail"
    assert explanation.verdict == Verdict.INELIGIBLE


@pytest.mark.parametrize(
    ("type_", "strength"),
    [
        ("years_at_school", "scope"),
        ("years_at_school", "priority"),
        ("honours", "hard"),
        ("manual", "hard"),
        ("scope_establishment", "hard"),
        ("scope_age", "soft"),
    ],
)
def test_compile_plan_refuses_a_strength_the_type_does_not_take(type_: str, strength: str) -> None:
    params: dict[str, dict[str, Any]] = {
        "scope_establishment": {"values": ["in"]},
        "scope_age": {"max_age": 40},
    }
    cleaned = rule(type_, **params.get(type_, {})).params
    with pytest.raises(RuleError) as error:
        compile_plan([RuleDef("r", type_, strength, "r", cleaned)], context(AS_OF))
    assert error.value.field == "strength"
    assert "不能设为" in error.value.message


def test_compile_plan_refuses_an_unknown_type() -> None:
    with pytest.raises(RuleError) as error:
        compile_plan([RuleDef("r", "shoe_size", "hard", "r", {})], context(AS_OF))
    assert error.value.field == "type"
    assert "shoe_size" in error.value.message


# --- rulings --------------------------------------------------------------------------


def test_ruling_replaces_the_outcome_and_keeps_the_computed_one() -> None:
    ruling = Ruling("pass", "支委会研究，按五年计", by="校长", on=D(2021, 3, 1))
    p = plan(
        rule("years_at_school", min_years="5", key="school-years"),
        as_of=AS_OF,
        rulings={(1, "school-years"): ruling},
    )
    record = person(1, joined_school_on=D(2016, 8, 1))
    explanation = explain(p, record)
    (result,) = explanation.results
    assert result.outcome == "pass"
    assert result.computed == "fail"
    assert result.ruling == ruling
    assert result.overridden
    # The text still shows the computed figure.
    assert result.text == "在本校工作4年6个月（2016-08-01进校），要求满5年。"
    assert explanation.verdict == Verdict.ELIGIBLE
    judged = judge(p, [facts_of(p, record), facts_of(p, person(2, joined_school_on=D(2016, 8, 1)))])
    assert judged.outcomes == [["pass", "fail"]]
    assert judged.computed == [["fail", "fail"]]
    assert judged.verdicts == [Verdict.ELIGIBLE, Verdict.INELIGIBLE]


def test_ruling_can_fail_a_computed_pass() -> None:
    p = plan(
        rule("years_at_school", min_years="5", key="school-years"),
        as_of=AS_OF,
        rulings={(1, "school-years"): Ruling("fail", "档案有误")},
    )
    (result,) = explain(p, person(joined_school_on=D(2000, 1, 1))).results
    assert (result.computed, result.outcome) == ("pass", "fail")


def test_ruling_fail_on_a_soft_rule_only_flags() -> None:
    p = plan(
        rule("age_band", min_age=28, max_age=45, key="age"),
        as_of=AS_OF,
        rulings={(1, "age"): Ruling("fail", "考察组意见")},
    )
    explanation = explain(p, person(birth_date=D(1985, 1, 1)))
    assert explanation.results[0].computed == "pass"
    assert explanation.results[0].outcome == "flag"
    assert explanation.verdict == Verdict.FLAGGED


def test_ruling_settles_an_unknown_hard_rule() -> None:
    p = plan(
        rule("years_at_school", min_years="5", key="school-years"),
        as_of=AS_OF,
        rulings={(1, "school-years"): Ruling("pass", "人事档案核实")},
    )
    explanation = explain(p, person(joined_school_on=None))
    assert explanation.results[0].computed == "unknown"
    assert explanation.verdict == Verdict.ELIGIBLE


def test_rulings_for_other_rules_or_people_are_ignored() -> None:
    p = plan(
        rule("years_at_school", min_years="5", key="school-years"),
        as_of=AS_OF,
        rulings={(2, "school-years"): Ruling("pass", "x"), (1, "gone"): Ruling("pass", "y")},
    )
    explanation = explain(p, person(1, joined_school_on=D(2020, 1, 1)))
    assert explanation.results[0].outcome == "fail"
    assert explanation.results[0].ruling is None


def test_priority_ruling_counts_in_priority_only() -> None:
    p = plan(
        rule("years_at_school", min_years="5"),
        rule("honours", key="honours"),
        as_of=AS_OF,
        rulings={(1, "honours"): Ruling("pass", "区级表彰文件")},
    )
    explanation = explain(p, person(joined_school_on=D(2000, 1, 1)))
    assert explanation.priority == 1
    assert explanation.verdict == Verdict.ELIGIBLE


# --- the plan's rules, explained ------------------------------------------------------


def plan_rules() -> list[RuleDef]:
    return [
        rule(type_, strength, key=key, **params) for key, type_, strength, _l, params in PLAN_RULES
    ]


def test_plan_rules_explained_for_one_person() -> None:
    ctx = context(AS_OF, target=Target(level=2))
    p = compile_plan(plan_rules(), ctx)
    record = person(
        birth_date=D(1990, 5, 1),
        joined_school_on=D(2016, 8, 1),
        fit_for_duty=True,
        fit_for_duty_on=D(2020, 9, 1),
        spells=[spell(CLASS, D(2016, 9, 1), D(2019, 6, 30)), spell(GRADE, D(2019, 9, 1))],
        honours=[HonourRecord('"勤朴"教师', 1, 2019)],
    )
    with translation.override("zh-hans"):
        explanation = explain(p, record)
    texts = {r.key: r.text for r in explanation.results}
    outcomes = {r.key: r.outcome for r in explanation.results}
    assert texts["school-years"] == "在本校工作4年6个月（2016-08-01进校），要求满5年。"
    assert texts["head-years"] == (
        "担任班主任或科室组长累计4年3个月"
        "（班主任 2016-09-01至2019-06-30；年级组长 2019-09-01至今），要求满3年。"
    )
    assert texts["level-below"] == (
        "在下一级岗位（班主任）工作2年10个月（班主任 2016-09-01至2019-06-30），要求满1年。"
    )
    assert texts["age-band"] == "基准日2021-01-31时30周岁（1990-05-01出生），在28至45周岁之间。"
    assert texts["honours"] == (
        '曾获2019年校级"勤朴"教师（优先条件：校级或以上的优秀党员、“勤朴”教师、优秀班主任）。'
    )
    assert texts["health"] == "身心健康：已确认（2020-09-01）。"
    assert texts["thinking"] == "尚未记录（由组织考察等环节逐人记录）。"
    assert outcomes == {
        "in-establishment": "pass",
        "on-duty": "pass",
        "thinking": "unknown",
        "school-years": "fail",
        "head-years": "pass",
        "level-below": "pass",
        "age-band": "pass",
        "honours": "pass",
        "health": "pass",
    }
    assert explanation.verdict == Verdict.INELIGIBLE
    assert explanation.priority == 1


def test_shorts_and_labels_follow_the_plan_order() -> None:
    p = compile_plan(plan_rules(), context(AS_OF))
    explanation = explain(p, person(joined_school_on=D(2016, 8, 1)))
    assert [r.key for r in explanation.results] == p.keys
    assert explanation.results[p.keys.index("school-years")].short == "4年6个月"


def test_explanation_of_a_single_rule_helper_matches_explain() -> None:
    p = plan(rule("years_at_school", min_years="5"), as_of=AS_OF)
    record = person(joined_school_on=D(2016, 8, 1))
    assert only(p, record) == explain(p, record).results[0]
