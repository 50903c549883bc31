"""``check``: the warnings for an administrator's hand-edited assignment — rule violations
and planted blocking pairs of each kind, and their Chinese rendering."""

from __future__ import annotations

from houbei.rotations.explain import describe_blocking, describe_violation
from houbei.rotations.matching import (
    BlockingPair,
    BlockKind,
    Mentor,
    Placement,
    Post,
    Rule,
    check,
    match,
)

from .school import (
    ACADEMIC,
    CLASS,
    GENERAL,
    LI,
    MORAL,
    NAMES,
    SCHOOL,
    WANG,
    ZHAO,
    person,
)

PEOPLE = [
    person(1, ACADEMIC, MORAL),
    person(2, ACADEMIC, MORAL),
    person(3, MORAL, ACADEMIC),
]
POSTS = [
    Post(ACADEMIC, 3, 1, (1, 2, 3), mentors=(WANG,)),
    Post(MORAL, 3, 2, (3, 1, 2), mentors=(LI,)),
]
MENTORS = [Mentor(WANG, 1), Mentor(LI, 2)]


def test_the_matchings_own_result_passes() -> None:
    result = match(PEOPLE, POSTS, MENTORS)
    assert result.assignment == {1: ACADEMIC, 2: MORAL, 3: MORAL}
    assert check(PEOPLE, POSTS, MENTORS, result.placements).ok


def test_moving_a_person_out_of_a_full_post_shows_who_outranks_whom() -> None:
    # The administrator swaps 1 and 2: 教导处 ranks 1 above 2, and 1 prefers 教导处.
    edited = [Placement(2, ACADEMIC, WANG), Placement(1, MORAL, LI), Placement(3, MORAL, LI)]
    review = check(PEOPLE, POSTS, MENTORS, edited)
    assert review.violations == ()
    assert review.blocking == (BlockingPair(1, ACADEMIC, MORAL, BlockKind.OUTRANKS, (2,)),)
    assert describe_blocking(review.blocking[0], NAMES) == (
        "陈晔更希望去教导处（现安排在德育处），该岗位名额已满，但岗位方将其排在黄蔚敏之前"
    )


def test_leaving_a_seat_empty_shows_a_free_seat_pair() -> None:
    edited = [Placement(2, MORAL, LI), Placement(3, MORAL, LI)]  # 1 left out
    review = check(PEOPLE, POSTS, MENTORS, edited)
    assert review.blocking == (
        BlockingPair(1, ACADEMIC, None, BlockKind.FREE_SEAT),
        BlockingPair(1, MORAL, None, BlockKind.OUTRANKS, (2,)),
        BlockingPair(2, ACADEMIC, MORAL, BlockKind.FREE_SEAT),
    )
    assert describe_blocking(review.blocking[0], NAMES) == (
        "陈晔未安排岗位，而其填报了教导处，该岗位尚有空位和带教名额"
    )


def test_a_mentor_held_by_someone_ranked_lower_elsewhere_is_a_blocking_pair() -> None:
    people = [person(1, ACADEMIC), person(2, MORAL)]
    posts = [
        Post(ACADEMIC, 3, 1, (1,), mentors=(WANG,)),
        Post(MORAL, 3, 1, (3, 2), mentors=(WANG,)),
    ]
    review = check(people, posts, [Mentor(WANG, 1)], [Placement(2, MORAL, WANG)])
    assert review.violations == ()
    assert review.blocking == (BlockingPair(1, ACADEMIC, None, BlockKind.MENTOR, (2,)),)
    assert describe_blocking(review.blocking[0], NAMES) == (
        "陈晔未安排岗位，而其填报了教导处，该岗位尚有空位，其带教名额被排序在后的黄蔚敏占用"
    )


def test_a_block_through_a_tie_break_only_is_marked() -> None:
    people = [person(1, MORAL), person(2, MORAL)]
    posts = [Post(MORAL, 3, 1, ((1, 2),))]
    review = check(people, posts, [], [Placement(2, MORAL)])
    assert review.blocking == (BlockingPair(1, MORAL, None, BlockKind.OUTRANKS, (2,), by_tie=True),)
    assert describe_blocking(review.blocking[0], NAMES).endswith("（仅因排序相同时的先后规则）")


def test_every_rule_an_edited_assignment_breaks_is_listed() -> None:
    people = [
        person(1, ACADEMIC, holds=frozenset({CLASS})),
        person(2, ACADEMIC, eligible_levels=frozenset({1})),
        person(3, MORAL),
        person(4, ACADEMIC),
    ]
    posts = [
        Post(CLASS, 1, 1, (1,)),
        Post(ACADEMIC, 3, 1, (1, 2, 4), mentors=(WANG,)),
        Post(MORAL, 3, 1, (), declined=frozenset({3}), mentors=(LI,)),
        Post(SCHOOL, 4, 1, ()),
    ]
    mentors = [Mentor(WANG, 1), Mentor(LI, 1), Mentor(ZHAO, 1)]
    edited = [
        Placement(1, CLASS),
        Placement(2, ACADEMIC, WANG),
        Placement(3, MORAL, ZHAO),
        Placement(4, ACADEMIC, WANG),
        Placement(4, MORAL, LI),
        Placement(9, MORAL),
        Placement(3, GENERAL),
    ]
    review = check(people, posts, mentors, edited)
    found = {(v.rule, v.candidate, v.post) for v in review.violations}
    assert found == {
        (Rule.HELD_NOW, 1, CLASS),
        (Rule.NOT_CHOSEN, 1, CLASS),
        (Rule.NOT_ELIGIBLE, 2, ACADEMIC),
        (Rule.DECLINED, 3, MORAL),
        (Rule.NOT_A_MENTOR, 3, MORAL),
        (Rule.PLACED_TWICE, 4, MORAL),
        (Rule.UNKNOWN_CANDIDATE, 9, MORAL),
        (Rule.UNKNOWN_POST, 3, GENERAL),
        (Rule.POST_OVER_CAPACITY, None, ACADEMIC),
        (Rule.MENTOR_OVER_CAPACITY, None, None),
    }
    over = next(v for v in review.violations if v.rule is Rule.MENTOR_OVER_CAPACITY)
    assert (over.mentor, over.count, over.capacity) == (WANG, 2, 1)
    texts = {describe_violation(v, NAMES) for v in review.violations}
    assert "陈晔：班主任是其现任岗位" in texts
    assert "黄蔚敏：不符合教导处（中层）的任职层级条件" in texts
    assert "陈晔：意向表中没有填报班主任" in texts
    assert "卢懿蕾：德育处的岗位方未接受其" in texts
    assert "卢懿蕾：赵老师不是德育处的带教人员" in texts
    assert "教导处安排了2人，超过名额1人" in texts
    assert "王老师带教2人，超过其名额1人" in texts


def test_a_placement_without_a_mentor_names_the_mentors_with_room() -> None:
    people = [person(1, ACADEMIC), person(2, ACADEMIC)]
    posts = [Post(ACADEMIC, 3, 2, (1, 2), mentors=(WANG, LI))]
    review = check(people, posts, [Mentor(WANG, 1), Mentor(LI, 1)],
                   [Placement(1, ACADEMIC, WANG), Placement(2, ACADEMIC)])  # fmt: skip
    assert [(v.rule, v.candidate, v.free_mentors) for v in review.violations] == [
        (Rule.MENTOR_MISSING, 2, (LI,))
    ]
    assert describe_violation(review.violations[0], NAMES) == (
        "黄蔚敏：教导处尚未指定带教人员（尚有名额：李老师）"
    )
    assert review.blocking == ()
