"""Every way a person can miss a post, in words (``explain.py``): each of the matching's
reasons, the notes on ties, the preferred mentor, the summary of someone unplaced, and
why a reserve cadre is not in the matching at all. Pure: no database."""

from __future__ import annotations

import pytest

from houbei.rotations.explain import (
    Names,
    absent_reason,
    describe_mentor_miss,
    describe_miss,
    outcome_summary,
)
from houbei.rotations.matching import (
    Candidate,
    Mentor,
    MentorLoad,
    MentorMiss,
    MentorReason,
    Miss,
    Outcome,
    Post,
    Reason,
    match,
)

NAMES = Names({1: "陈晔", 2: "黄蔚敏", 3: "卢懿蕾", 9: "德育主任"}, {10: "德育处", 20: "教导处"})


@pytest.mark.parametrize(
    ("miss", "text"),
    [
        (Miss(10, Reason.NOT_OFFERED), "德育处：本轮未开放该岗位"),
        (Miss(10, Reason.HELD_NOW), "德育处：是本人现任岗位，不安排到现任岗位轮岗"),
        (
            Miss(10, Reason.NOT_ELIGIBLE, level=3),
            "德育处：岗位层级为中层，本人不符合该层级的任职条件",
        ),
        (Miss(10, Reason.DECLINED), "德育处：岗位方（带教人员）未接受本人"),
        (Miss(10, Reason.NOT_RANKED), "德育处：岗位方（带教人员）未将本人列入人选"),
        (Miss(10, Reason.NO_CAPACITY), "德育处：本轮没有名额"),
        (
            Miss(10, Reason.POST_FULL, ahead=(2, 3)),
            "德育处：名额已满，已安排岗位方排序在前的黄蔚敏、卢懿蕾",
        ),
        (
            Miss(10, Reason.MENTOR_FULL, ahead=(2,), mentors=(MentorLoad(9, 1, (2,)),)),
            "德育处：尚有空位，但可带教的人员名额已满：德育主任（可带1人，已带黄蔚敏），"
            "所带人员均排在本人之前",
        ),
        (
            Miss(10, Reason.POST_FULL, ahead=(2,), won_as_new=(2,)),
            "德育处：名额已满，已安排岗位方排序在前的黄蔚敏（其中黄蔚敏与本人排序相同，"
            "按一岗多能优先安排未曾担任该岗位的人员）",
        ),
        (
            Miss(10, Reason.POST_FULL, ahead=(2,), won_by_order=(2,)),
            "德育处：名额已满，已安排岗位方排序在前的黄蔚敏（其中黄蔚敏与本人排序相同，"
            "按名单顺序优先）",
        ),
        (
            Miss(10, Reason.POST_FULL, ahead=(2,), tied=True),
            "德育处：名额已满，已安排岗位方排序在前的黄蔚敏"
            "（本人将该岗位与所得岗位列为同一志愿，先考虑了该岗位）",
        ),
    ],
)
def test_each_reason_a_post_was_missed_in_words(miss, text):
    assert describe_miss(miss, NAMES) == text


def test_every_reason_has_its_own_words():
    texts = {describe_miss(Miss(10, reason, level=3), NAMES) for reason in Reason}
    assert len(texts) == len(Reason)


def test_the_preferred_mentor_missed_in_words():
    placed = Outcome(1, 20, None, 1)
    assert (
        describe_mentor_miss(MentorMiss(9, MentorReason.NOT_A_MENTOR), placed, NAMES)
        == "希望的带教人员德育主任不带教教导处"
    )
    assert (
        describe_mentor_miss(MentorMiss(9, MentorReason.FULL, 1, (2,)), placed, NAMES)
        == "希望的带教人员德育主任名额已满（可带1人，已带黄蔚敏）"
    )


def _unplaced(*choices, level=1, holds=()):
    """陈晔's outcome with ``choices`` among 德育处 (中层, one seat, taken by 黄蔚敏 whom the
    post ranks first) and 教导处 (中层, no seat)."""
    people = [
        Candidate(2, choices=(10,), eligible_levels=frozenset({1, 2, 3})),
        Candidate(
            1, choices=tuple(choices), eligible_levels=frozenset(range(1, level + 1)),
            holds=frozenset(holds),
        ),
    ]  # fmt: skip
    posts = [
        Post(10, level=3, capacity=1, ranking=(2,), accept_others=True),
        Post(20, level=3, capacity=0, accept_others=True),
    ]
    return match(people, posts, [Mentor(9, 1)]).outcome(1)


def test_the_summary_of_someone_unplaced_says_whether_any_post_could_have_been_theirs():
    assert outcome_summary(_unplaced(), NAMES) == "未填写志愿，未安排岗位"
    assert outcome_summary(_unplaced(10, 20, level=3), NAMES) == "未安排岗位"
    assert (
        outcome_summary(_unplaced(10, 20, level=2), NAMES)
        == "意向表所填岗位均不符合轮岗条件，未安排岗位"
    )
    assert (
        outcome_summary(_unplaced(10, level=3, holds=(10,)), NAMES)
        == "意向表所填岗位均不符合轮岗条件，未安排岗位"
    )


def test_a_reserve_cadre_not_in_the_matching_in_words():
    assert absent_reason(False) == "未提交意向表"
    assert absent_reason(True) == "已撤回意向表"
    assert absent_reason(True, "家中有事") == "已撤回意向表（家中有事）"
