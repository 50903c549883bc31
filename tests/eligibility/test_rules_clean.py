"""``clean_rule``: every unusable parameter is refused with a Chinese message that names
the field; usable ones are stored in one canonical form."""

from __future__ import annotations

from typing import Any

import pytest

from houbei.eligibility.defaults import PLAN_RULES
from houbei.eligibility.rules import REGISTRY, RuleError, Strength, clean_rule


def refused(type_: str, strength: str | None = None, **params: Any) -> RuleError:
    with pytest.raises(RuleError) as error:
        clean_rule(type=type_, strength=strength, params=params)
    return error.value


def has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("abc", "须为数字"),
        ("五", "须为数字"),
        ("5年", "须为数字"),
        ("-1", "须在0到60之间"),
        ("-0.5", "须在0到60之间"),
        ("60.5", "须在0到60之间"),
        ("NaN", "须在0到60之间"),
        ("Infinity", "须在0到60之间"),
        ("1.25", "最多一位小数"),
        ("0.05", "最多一位小数"),
        (0.1 + 0.2, "最多一位小数"),
    ],
)
@pytest.mark.parametrize("type_", ["years_at_school", "years_in_posts", "level_below"])
def test_clean_rule_refuses_bad_years(type_: str, value: Any, words: str) -> None:
    error = refused(type_, min_years=value)
    assert error.field == "min_years"
    assert words in error.message
    assert error.message.startswith("至少（年）")


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        ("5", "5"),
        (5, "5"),
        (" 5 ", "5"),
        ("5.0", "5"),
        ("1.5", "1.5"),
        (1.5, "1.5"),
        ("0", "0"),
        ("0.1", "0.1"),
        ("60", "60"),
        # Whole tens must not come back in exponent form ("1E+1").
        ("10", "10"),
        ("20.0", "20"),
        ("1e1", "10"),
    ],
)
def test_clean_rule_stores_years_in_plain_form(value: Any, stored: str) -> None:
    strength, params = clean_rule(
        type="years_at_school", strength=None, params={"min_years": value}
    )
    assert strength == Strength.HARD
    assert params == {"min_years": stored}


@pytest.mark.parametrize("value", ["", None])
def test_clean_rule_refuses_a_required_parameter_left_blank(value: Any) -> None:
    """A cleared form field must not fall back to the default without a word."""
    with pytest.raises(RuleError) as raised:
        clean_rule(type="years_at_school", strength=None, params={"min_years": value})
    assert raised.value.field == "min_years"
    assert "请填写" in raised.value.message


def test_clean_rule_takes_the_defaults_for_missing_parameters() -> None:
    assert clean_rule(type="years_at_school", strength=None, params={}) == (
        "hard",
        {"min_years": "5"},
    )
    assert clean_rule(type="honours", strength=None, params={}) == (
        "priority",
        {"titles": ["优秀党员", "“勤朴”教师", "优秀班主任"], "min_level": 1},
    )
    assert clean_rule(type="manual", strength=None, params={}) == ("manual", {})
    assert clean_rule(type="attestation", strength=None, params={}) == (
        "hard",
        {"valid_months": None},
    )


@pytest.mark.parametrize(
    ("params", "field", "words"),
    [
        ({"min_age": 46, "max_age": 45}, "max_age", "最小年龄不能大于最大年龄"),
        ({"min_age": None, "max_age": None}, "min_age", "请至少填写最小或最大年龄"),
        ({}, "min_age", "请至少填写最小或最大年龄"),
        ({"min_age": "28.5", "max_age": 45}, "min_age", "须为整数"),
        ({"min_age": "二十八", "max_age": 45}, "min_age", "须为整数"),
        ({"min_age": 28, "max_age": 71}, "max_age", "须在16到70之间"),
        ({"min_age": -1, "max_age": 45}, "min_age", "须在16到70之间"),
        ({"min_age": 15, "max_age": 45}, "min_age", "须在16到70之间"),
    ],
)
@pytest.mark.parametrize("type_", ["age_band", "scope_age"])
def test_clean_rule_refuses_bad_ages(
    type_: str, params: dict[str, Any], field: str, words: str
) -> None:
    error = refused(type_, **params)
    assert error.field == field
    assert words in error.message
    assert has_chinese(error.message)


def test_clean_rule_accepts_an_age_band_of_one_year_and_open_sides() -> None:
    assert clean_rule(type="age_band", strength=None, params={"min_age": "30", "max_age": 30}) == (
        "soft",
        {"min_age": 30, "max_age": 30},
    )
    assert clean_rule(type="scope_age", strength=None, params={"max_age": 40})[1] == {
        "min_age": None,
        "max_age": 40,
    }


@pytest.mark.parametrize("titles", [[], "", "  ", "、，,", ["", "  "], None])
def test_clean_rule_refuses_empty_honour_titles(titles: Any) -> None:
    error = refused("honours", titles=titles)
    assert error.field == "titles"
    assert error.message in {"请至少填写一个称号。", "请填写称号。"}


def test_clean_rule_splits_and_deduplicates_titles() -> None:
    _s, params = clean_rule(
        type="honours",
        strength=None,
        params={"titles": "优秀党员、 优秀班主任，优秀党员", "min_level": "2"},
    )
    assert params == {"titles": ["优秀党员", "优秀班主任"], "min_level": 2}


@pytest.mark.parametrize(
    ("value", "words"), [(0, "须在1到4之间"), (5, "须在1到4之间"), ("校级", "须为整数")]
)
def test_clean_rule_refuses_bad_honour_levels(value: Any, words: str) -> None:
    error = refused("honours", titles=["优秀党员"], min_level=value)
    assert error.field == "min_level"
    assert words in error.message


@pytest.mark.parametrize(
    ("value", "words"), [(0, "须在1到120之间"), (121, "须在1到120之间"), ("半年", "须为整数")]
)
def test_clean_rule_refuses_bad_validity_months(value: Any, words: str) -> None:
    error = refused("attestation", valid_months=value)
    assert error.field == "valid_months"
    assert words in error.message


@pytest.mark.parametrize(("value", "words"), [(0, "须在1到9之间"), ("高", "须为整数")])
def test_clean_rule_refuses_bad_target_levels(value: Any, words: str) -> None:
    error = refused("level_below", min_years="1", target_level=value)
    assert error.field == "target_level"
    assert words in error.message


@pytest.mark.parametrize(
    ("type_", "values"),
    [
        ("scope_establishment", ["elsewhere"]),
        ("scope_establishment", []),
        ("scope_post_status", ["on", "asleep"]),
        ("scope_post_status", "on,asleep"),
    ],
)
def test_clean_rule_refuses_scope_values_outside_the_choices(type_: str, values: Any) -> None:
    error = refused(type_, values=values)
    assert error.field == "values"
    assert "只能从以下选择" in error.message


@pytest.mark.parametrize(
    ("type_", "strength"),
    [
        ("years_at_school", "priority"),
        ("years_at_school", "scope"),
        ("years_in_posts", "manual"),
        ("age_band", "priority"),
        ("honours", "hard"),
        ("honours", "soft"),
        ("manual", "hard"),
        ("attestation", "scope"),
        ("scope_establishment", "hard"),
        ("scope_post_status", "soft"),
        ("scope_age", "hard"),
    ],
)
def test_clean_rule_refuses_a_strength_the_type_does_not_take(type_: str, strength: str) -> None:
    error = refused(type_, strength)
    assert error.field == "strength"
    assert "只能设为" in error.message
    assert has_chinese(error.message)


def test_clean_rule_refuses_an_unknown_type() -> None:
    error = refused("shoe_size")
    assert error.field == "type"
    assert error.message == "未知的条件类型“shoe_size”。"


def test_clean_rule_gives_each_type_its_default_strength() -> None:
    for code, kind in REGISTRY.items():
        assert kind.default_strength in kind.strengths, code


def test_the_plan_rules_are_clean_and_stable_under_cleaning() -> None:
    for _key, type_, strength, _label, params in PLAN_RULES:
        cleaned_strength, cleaned = clean_rule(type=type_, strength=strength, params=params)
        assert cleaned_strength == strength
        assert clean_rule(type=type_, strength=cleaned_strength, params=cleaned) == (
            cleaned_strength,
            cleaned,
        )
