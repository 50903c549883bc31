"""Rules on a person's own record at their boundaries: age band (29 February, both edges
inclusive), honours, the health attestation, manual rules and the recommendation scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import translation

from houbei.eligibility.records import HonourRecord, Ruling
from houbei.eligibility.rules import Plan, Verdict, explain

from .records_factory import D, only, person, plan, rule

# --- age band -------------------------------------------------------------------------


def band(as_of: dt.date, strength: str = "soft", **params: Any) -> Plan:
    return plan(rule("age_band", strength, **{"min_age": 28, "max_age": 45, **params}), as_of=as_of)


@pytest.mark.parametrize(
    ("birth", "as_of", "age"),
    [
        # 29 February turns a year older on 28 February of a non-leap year.
        (D(2000, 2, 29), D(2029, 2, 27), 28),
        (D(2000, 2, 29), D(2029, 2, 28), 29),
        (D(2000, 2, 29), D(2029, 3, 1), 29),
        (D(2000, 2, 29), D(2028, 2, 28), 27),
        (D(2000, 2, 29), D(2028, 2, 29), 28),
        (D(1997, 3, 1), D(2025, 2, 28), 27),
        (D(1997, 2, 28), D(2025, 2, 28), 28),
    ],
)
def test_age_band_counts_full_years_with_29_february_turning_on_28_february(
    birth: dt.date, as_of: dt.date, age: int
) -> None:
    result = only(band(as_of), person(birth_date=birth))
    assert result.short == f"{age}岁"
    assert f"时{age}周岁（{birth.isoformat()}出生）" in result.text


@pytest.mark.parametrize(
    ("birth", "as_of", "outcome"),
    [
        (D(1996, 2, 29), D(2024, 2, 28), "flag"),  # 27
        (D(1996, 2, 29), D(2024, 2, 29), "pass"),  # 28: lower edge included
        (D(1997, 3, 1), D(2025, 2, 28), "flag"),  # 27
        (D(1997, 3, 1), D(2025, 3, 1), "pass"),  # 28
        (D(1980, 2, 29), D(2025, 2, 27), "pass"),  # 44
        (D(1980, 2, 29), D(2025, 2, 28), "pass"),  # 45 on a non-leap 28 February
        (D(1980, 2, 29), D(2026, 2, 27), "pass"),  # 45: upper edge included
        (D(1980, 2, 29), D(2026, 2, 28), "flag"),  # 46 on a non-leap 28 February
        (D(1980, 3, 1), D(2026, 2, 28), "pass"),  # 45
        (D(1980, 3, 1), D(2026, 3, 1), "flag"),  # 46
    ],
)
def test_age_band_edges_28_and_45_are_inside(birth: dt.date, as_of: dt.date, outcome: str) -> None:
    record = person(birth_date=birth)
    result = only(band(as_of), record)
    assert result.outcome == outcome
    expected = Verdict.ELIGIBLE if outcome == "pass" else Verdict.FLAGGED
    assert explain(band(as_of), record).verdict == expected


def test_age_band_texts_show_the_age_and_the_band() -> None:
    with translation.override("zh-hans"):
        inside = only(band(D(2025, 2, 28)), person(birth_date=D(1980, 2, 29)))
        outside = only(band(D(2026, 2, 28)), person(birth_date=D(1980, 2, 29)))
    assert inside.text == "基准日2025-02-28时45周岁（1980-02-29出生），在28至45周岁之间。"
    assert outside.text == "基准日2026-02-28时46周岁（1980-02-29出生），不在28至45周岁之间。"


def test_age_band_as_a_hard_rule_fails_outside() -> None:
    p = band(D(2026, 2, 28), "hard")
    record = person(birth_date=D(1980, 2, 29))
    assert only(p, record).outcome == "fail"
    assert explain(p, record).verdict == Verdict.INELIGIBLE


@pytest.mark.parametrize(
    ("params", "birth", "outcome", "words"),
    [
        ({"min_age": None, "max_age": 45}, D(2000, 1, 1), "pass", "45周岁以下"),
        ({"min_age": None, "max_age": 45}, D(1970, 1, 1), "flag", "45周岁以下"),
        ({"min_age": 28, "max_age": None}, D(1970, 1, 1), "pass", "28周岁以上"),
        ({"min_age": 28, "max_age": None}, D(2000, 1, 1), "flag", "28周岁以上"),
    ],
)
def test_age_band_with_one_open_side(
    params: dict[str, Any], birth: dt.date, outcome: str, words: str
) -> None:
    result = only(band(D(2025, 9, 1), **params), person(birth_date=birth))
    assert result.outcome == outcome
    assert words in result.text


@pytest.mark.parametrize("strength", ["soft", "hard"])
def test_age_band_missing_birth_date_is_unknown_and_says_so(strength: str) -> None:
    p = band(D(2025, 9, 1), strength)
    record = person(birth_date=None)
    result = only(p, record)
    assert result.outcome == "unknown"
    assert result.text == "缺少出生日期，无法计算年龄（范围28至45周岁）。"
    assert result.short == "?"
    # Soft: an unknown only flags; hard: it holds the verdict back.
    expected = Verdict.FLAGGED if strength == "soft" else Verdict.INCOMPLETE
    assert explain(p, record).verdict == expected


def test_age_band_birth_after_the_reference_day_asks_for_a_check() -> None:
    result = only(band(D(2025, 9, 1)), person(birth_date=D(2026, 1, 1)))
    assert result.text == "出生日期（2026-01-01）晚于基准日，请核对。"
    assert result.short == "?"
    assert result.outcome != "pass"


def test_scope_age_puts_older_people_out_of_scope_and_missing_birth_incomplete() -> None:
    p = plan(rule("scope_age", max_age=40), as_of=D(2025, 9, 1))
    assert explain(p, person(birth_date=D(1984, 9, 2))).verdict == Verdict.ELIGIBLE  # 40
    assert explain(p, person(birth_date=D(1984, 9, 1))).verdict == Verdict.OUT_OF_SCOPE  # 41
    missing = explain(p, person(birth_date=None))
    assert missing.verdict == Verdict.INCOMPLETE
    assert missing.results[0].outcome == "unknown"
    assert "缺少出生日期" in missing.results[0].text


# --- honours (priority) ---------------------------------------------------------------

HONOURS_AS_OF = D(2024, 9, 1)


def honours_plan(**params: Any) -> Plan:
    return plan(rule("honours", **params), as_of=HONOURS_AS_OF)


@pytest.mark.parametrize(
    "title", ["“勤朴”教师", '"勤朴"教师', "勤朴教师", "「勤朴」 教师", "＂勤朴＂教师"]
)
def test_honours_match_whatever_the_quotes(title: str) -> None:
    result = only(honours_plan(), person(honours=[HonourRecord(title, 1, 2020)]))
    assert result.outcome == "pass"
    assert result.short == "1"


def test_honours_other_titles_do_not_count() -> None:
    result = only(honours_plan(), person(honours=[HonourRecord("优秀教师", 4, 2020)]))
    assert result.outcome == "fail"
    assert result.short == ""


def test_honours_below_the_minimum_level_do_not_count() -> None:
    record = person(honours=[HonourRecord("优秀党员", 1, 2020)])
    assert only(honours_plan(min_level=2), record).outcome == "fail"
    assert only(honours_plan(min_level=1), record).outcome == "pass"
    district = person(honours=[HonourRecord("优秀党员", 2, 2020)])
    assert only(honours_plan(min_level=2), district).outcome == "pass"


def test_honours_dated_after_the_reference_year_do_not_count() -> None:
    later = person(honours=[HonourRecord("优秀班主任", 1, 2025)])
    same_year = person(honours=[HonourRecord("优秀班主任", 1, 2024)])
    assert only(honours_plan(), later).outcome == "fail"
    assert only(honours_plan(), same_year).outcome == "pass"


def test_honours_texts_list_what_was_found_and_the_requirement() -> None:
    record = person(
        honours=[
            HonourRecord("“勤朴”教师", 1, 2019),
            HonourRecord("优秀党员", 2, 2021),
            HonourRecord("优秀班主任", 1, 2026),
        ]
    )
    with translation.override("zh-hans"):
        found = only(honours_plan(), record)
        none = only(honours_plan(), person())
    assert found.text == (
        "曾获2021年区级优秀党员、2019年校级“勤朴”教师"
        "（优先条件：校级或以上的优秀党员、“勤朴”教师、优秀班主任）。"
    )
    assert none.text == "未曾获得校级或以上的优秀党员、“勤朴”教师、优秀班主任称号。"


def test_honours_never_change_the_verdict_but_count_in_priority() -> None:
    p = plan(
        rule("years_at_school", min_years="5"),
        rule("honours", key="honours"),
        rule("honours", key="honours-district", titles=["优秀党员"], min_level=2),
        as_of=HONOURS_AS_OF,
    )
    base: dict[str, Any] = {"joined_school_on": D(2010, 9, 1)}
    without = explain(p, person(**base))
    one = explain(p, person(**base, honours=[HonourRecord("优秀党员", 1, 2020)]))
    two = explain(p, person(**base, honours=[HonourRecord("优秀党员", 3, 2020)]))
    assert [e.verdict for e in (without, one, two)] == [Verdict.ELIGIBLE] * 3
    assert [e.priority for e in (without, one, two)] == [0, 1, 2]
    # Honours do not rescue someone who fails a hard rule either.
    failing = explain(
        p, person(joined_school_on=D(2023, 9, 1), honours=[HonourRecord("优秀党员", 3, 2020)])
    )
    assert failing.verdict == Verdict.INELIGIBLE
    assert failing.priority == 2


# --- health attestation ---------------------------------------------------------------

HEALTH_AS_OF = D(2025, 9, 1)


def health(valid_months: int | None = None) -> Plan:
    return plan(rule("attestation", valid_months=valid_months), as_of=HEALTH_AS_OF)


@pytest.mark.parametrize(
    ("fit", "outcome", "verdict", "text"),
    [
        (True, "pass", Verdict.ELIGIBLE, "身心健康：已确认（2025-03-01）。"),
        (False, "fail", Verdict.INELIGIBLE, "身心健康：确认为否（2025-03-01）。"),
        (None, "unknown", Verdict.INCOMPLETE, "档案中未记录身心健康确认。"),
    ],
)
def test_attestation_without_validity_takes_the_record_as_it_stands(
    fit: bool | None, outcome: str, verdict: str, text: str
) -> None:
    record = person(fit_for_duty=fit, fit_for_duty_on=D(2025, 3, 1))
    result = only(health(), record)
    assert result.outcome == outcome
    assert result.text == text
    assert explain(health(), record).verdict == verdict


def test_attestation_without_validity_accepts_an_undated_or_later_confirmation() -> None:
    undated = only(health(), person(fit_for_duty=True, fit_for_duty_on=None))
    assert undated.outcome == "pass"
    assert undated.text == "身心健康：已确认（未记日期）。"
    later = only(health(), person(fit_for_duty=True, fit_for_duty_on=D(2025, 10, 1)))
    assert later.outcome == "pass"
    assert later.text == "身心健康：已确认（2025-10-01，晚于基准日）。"


def test_attestation_with_validity_accepts_exactly_the_window() -> None:
    p = health(12)
    oldest = person(fit_for_duty=True, fit_for_duty_on=D(2024, 9, 1))
    assert only(p, oldest).outcome == "pass"
    stale = only(p, person(fit_for_duty=True, fit_for_duty_on=D(2024, 8, 31)))
    assert stale.outcome == "unknown"
    assert stale.text == "身心健康确认于2024-08-31，距基准日已超过12个月，需重新确认。"
    assert only(p, person(fit_for_duty=False, fit_for_duty_on=D(2025, 1, 1))).outcome == "fail"


def test_attestation_with_validity_and_no_date_is_unknown() -> None:
    result = only(health(12), person(fit_for_duty=True, fit_for_duty_on=None))
    assert result.outcome == "unknown"
    assert "未知日期" in result.text


def test_attestation_with_validity_confirmed_after_the_reference_day_flags() -> None:
    p = health(12)
    record = person(fit_for_duty=True, fit_for_duty_on=D(2025, 9, 2))
    result = only(p, record)
    assert result.outcome == "flag"
    assert (
        result.text
        == "身心健康确认日期（2025-09-02）晚于基准日（2025-09-01），请核实基准日时的情况。"
    )
    assert explain(p, record).verdict == Verdict.FLAGGED


# --- manual rules ---------------------------------------------------------------------


def test_manual_rule_is_unknown_until_ruled_and_does_not_hold_the_verdict() -> None:
    p = plan(rule("manual", key="thinking"), as_of=HEALTH_AS_OF)
    result = only(p, person())
    assert result.strength == "manual"
    assert result.outcome == "unknown"
    assert result.text == "尚未记录（由组织考察等环节逐人记录）。"
    assert explain(p, person()).verdict == Verdict.ELIGIBLE


@pytest.mark.parametrize(
    ("ruled", "verdict"), [("pass", Verdict.ELIGIBLE), ("fail", Verdict.INELIGIBLE)]
)
def test_manual_rule_takes_the_ruling(ruled: str, verdict: str) -> None:
    ruling = Ruling(ruled, "考察组谈话记录", by="人事干部", on=D(2025, 10, 1))
    p = plan(rule("manual", key="thinking"), as_of=HEALTH_AS_OF, rulings={(1, "thinking"): ruling})
    explanation = explain(p, person())
    (result,) = explanation.results
    assert result.outcome == ruled
    assert result.computed == "unknown"
    assert result.ruling == ruling
    assert result.overridden
    assert explanation.verdict == verdict
    recorded = "已记录为符合" if ruled == "pass" else "已记录为不符合"
    assert result.text == f"{recorded}：考察组谈话记录"
    # Someone else's record is untouched.
    assert explain(p, person(2)).results[0].outcome == "unknown"


# --- scope ----------------------------------------------------------------------------


def test_scope_rules_put_people_out_of_scope() -> None:
    p = plan(
        rule("scope_establishment", values=["in"]),
        rule("scope_post_status", values=["on"]),
        rule("years_at_school", min_years="5"),
        as_of=HEALTH_AS_OF,
    )
    ok: dict[str, Any] = {"joined_school_on": D(2000, 9, 1)}
    assert explain(p, person(**ok)).verdict == Verdict.ELIGIBLE
    outside = explain(p, person(establishment="out", **ok))
    assert outside.verdict == Verdict.OUT_OF_SCOPE
    assert outside.results[0].outcome == "fail"
    assert outside.results[0].text == "编制：非在编（范围：在编）。"
    retired = explain(p, person(post_status="retired", joined_school_on=None))
    # Out of scope wins over an unknown hard rule.
    assert retired.verdict == Verdict.OUT_OF_SCOPE
    assert retired.results[1].text == "在岗状态：退休（范围：在岗）。"


def test_scope_with_several_values_admits_each() -> None:
    p = plan(rule("scope_post_status", values=["on", "off"]), as_of=HEALTH_AS_OF)
    assert explain(p, person(post_status="off")).verdict == Verdict.ELIGIBLE
    assert explain(p, person(post_status="transferred")).verdict == Verdict.OUT_OF_SCOPE
