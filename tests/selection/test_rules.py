"""The counting rules, pure: quorum, scattered votes, 差额 warnings, the meeting's quorum,
the pass rule of more than half of the members who should attend, and the dates."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from houbei.selection import rules

TWO_THIRDS, HALF = Fraction(2, 3), Fraction(1, 2)


def test_a_round_reaches_its_quorum_at_exactly_two_thirds_and_not_one_below() -> None:
    assert rules.round_quorum_problem(20, 30, TWO_THIRDS) == ""
    with translation.override("zh-hans"):
        problem = rules.round_quorum_problem(19, 30, TWO_THIRDS)
    assert problem == "参加推荐19人，未达到应参加人数30人的2/3，本轮推荐无效。"
    assert rules.round_quorum_problem(0, 0, TWO_THIRDS)  # an empty roll never reaches it


def test_votes_scatter_below_the_trigger_share_only() -> None:
    assert rules.scattered(Fraction(29, 100), Fraction(30, 100))
    assert not rules.scattered(Fraction(30, 100), Fraction(30, 100))


def test_target_warning_under_competitive_inspection() -> None:
    with translation.override("zh-hans"):
        fewer = rules.target_warning("区级后备干部", 4, 5, competitive=True)
        equal = rules.target_warning("区级后备干部", 5, 5, competitive=True)
    assert fewer == "区级后备干部：考察对象4人，少于名额5人。"
    assert equal == "区级后备干部：考察对象5人，与名额相等，未实行差额考察。"
    assert rules.target_warning("区级后备干部", 6, 5, competitive=True) == ""
    # Without 差额 only fewer targets than places are warned of.
    assert rules.target_warning("区级后备干部", 5, 5, competitive=False) == ""
    assert rules.target_warning("区级后备干部", 4, 5, competitive=False)


def test_a_meeting_decides_with_two_thirds_present_and_not_below() -> None:
    assert rules.meeting_quorum_problem(6, 9, TWO_THIRDS) == ""
    with translation.override("zh-hans"):
        problem = rules.meeting_quorum_problem(5, 9, TWO_THIRDS)
    assert problem == "实到会成员5人，不足应到会成员9人的2/3，会议不能作出决定。"


def test_passing_needs_more_than_half_of_those_who_should_attend_not_of_those_present() -> None:
    # 9 should attend, 6 present, 4 agree: 4 of 6 present is a majority, 4 of 9 is not.
    verdict = rules.decide(expected=9, agree=4, disagree=0, defer=2, share=HALF)
    assert verdict.outcome == "postponed"
    assert rules.decide(expected=9, agree=5, disagree=1, defer=0, share=HALF).outcome == "passed"


def test_exactly_half_does_not_pass() -> None:
    assert rules.decide(expected=8, agree=4, disagree=0, defer=4, share=HALF).outcome == "postponed"


def test_a_majority_against_rejects_and_a_divided_body_postpones() -> None:
    assert rules.decide(expected=7, agree=2, disagree=4, defer=1, share=HALF).outcome == "rejected"
    with translation.override("zh-hans"):
        divided = rules.decide(expected=7, agree=3, disagree=3, defer=1, share=HALF)
    assert divided.outcome == "postponed"
    assert "意见分歧，暂缓决定" in divided.reason


@given(
    st.integers(1, 15).flatmap(
        lambda e: st.tuples(st.just(e), st.integers(0, e)).flatmap(
            lambda t: st.tuples(st.just(t[0]), st.just(t[1]), st.integers(0, t[0] - t[1]))
        )
    )
)
def test_decide_passes_exactly_when_agree_is_over_half_of_expected(case) -> None:
    expected, agree, disagree = case
    verdict = rules.decide(expected=expected, agree=agree, disagree=disagree, defer=0, share=HALF)
    assert (verdict.outcome == "passed") == (2 * agree > expected)
    assert not (verdict.outcome == "rejected" and 2 * disagree <= expected)


def test_add_months_keeps_the_day_or_takes_the_months_last() -> None:
    assert rules.add_months(dt.date(2021, 3, 15), 3) == dt.date(2021, 6, 15)
    assert rules.add_months(dt.date(2021, 11, 30), 3) == dt.date(2022, 2, 28)
    assert rules.add_months(dt.date(2023, 11, 30), 3) == dt.date(2024, 2, 29)


def test_a_pool_entry_is_valid_two_years_to_the_day_before_the_anniversary() -> None:
    assert rules.pool_valid_until(dt.date(2021, 4, 20), 2) == dt.date(2023, 4, 19)
    assert rules.pool_valid_until(dt.date(2024, 2, 29), 2) == dt.date(2026, 2, 27)
