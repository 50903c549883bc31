"""The matching on small hand-made rounds: every way a candidate can miss a post, the
tie-breaks, mentors across posts, preferred mentors, and the reasons in Chinese."""

from __future__ import annotations

import pytest

from houbei.rotations.explain import describe_miss, describe_outcome, outcome_summary
from houbei.rotations.matching import (
    Candidate,
    InstanceError,
    Mentor,
    MentorReason,
    Post,
    Reason,
    match,
)

from .school import (
    ACADEMIC,
    CLASS,
    GENERAL,
    GRADE,
    LI,
    MORAL,
    NAMES,
    PERSONNEL,
    SCHOOL,
    UNION,
    WANG,
    ZHAO,
    ZHOU,
    person,
)


def test_first_choice_with_the_post_mentor() -> None:
    result = match(
        [person(1, ACADEMIC, MORAL)],
        [Post(ACADEMIC, 3, 1, (1,), mentors=(WANG,)), Post(MORAL, 3, 1, (1,))],
        [Mentor(WANG, 1)],
    )
    outcome = result.outcome(1)
    assert outcome.post == ACADEMIC and outcome.mentor == WANG
    assert outcome.first_choice and outcome.choice == 1 and outcome.misses == ()
    assert describe_outcome(outcome, NAMES) == ["第一志愿：教导处，带教人员：王老师"]


def test_every_way_to_miss_a_post_is_named_in_the_order_listed() -> None:
    rival = person(2, GENERAL, UNION)
    me = person(
        1, 99, CLASS, SCHOOL, GRADE, MORAL, PERSONNEL, GENERAL, UNION, ACADEMIC,
        holds=frozenset({CLASS}), eligible_levels=frozenset({1, 2, 3}),
    )  # fmt: skip
    posts = [
        Post(CLASS, 1, 1, (1, 2)),
        Post(SCHOOL, 4, 1, (1,)),
        Post(GRADE, 2, 1, (), accept_others=True, declined=frozenset({1})),
        Post(MORAL, 3, 1, (2,)),
        Post(PERSONNEL, 3, 0, (1,)),
        Post(GENERAL, 3, 1, (2, 1)),
        Post(UNION, 3, 2, (3, 1), mentors=(LI,)),
        Post(ACADEMIC, 3, 1, (1,)),
    ]
    unionist = person(3, UNION)
    result = match([me, rival, unionist], posts, [Mentor(LI, 1)])
    outcome = result.outcome(1)
    assert outcome.post == ACADEMIC and outcome.choice == 9
    assert [(m.post, m.reason) for m in outcome.misses] == [
        (99, Reason.NOT_OFFERED),
        (CLASS, Reason.HELD_NOW),
        (SCHOOL, Reason.NOT_ELIGIBLE),
        (GRADE, Reason.DECLINED),
        (MORAL, Reason.NOT_RANKED),
        (PERSONNEL, Reason.NO_CAPACITY),
        (GENERAL, Reason.POST_FULL),
        (UNION, Reason.MENTOR_FULL),
    ]
    assert result.outcome(2).post == GENERAL and result.outcome(3).post == UNION
    by_post = {m.post: m for m in outcome.misses}
    assert by_post[SCHOOL].level == 4
    assert by_post[GENERAL].ahead == (2,)
    # 工会 has a second seat, but its only mentor has one place, taken by 3 (ranked first).
    union = by_post[UNION]
    assert union.ahead == (3,)
    assert [(m.mentor, m.capacity, m.mentees) for m in union.mentors] == [(LI, 1, (3,))]
    lines = describe_outcome(outcome, NAMES)
    assert lines[0] == "第9志愿：教导处"
    assert lines[1] == "#99：本轮未开放该岗位"
    assert lines[2] == "班主任：是本人现任岗位，不安排到现任岗位轮岗"
    assert lines[3] == "（副）校级：岗位层级为校级，本人不符合该层级的任职条件"
    assert lines[4] == "年级组长：岗位方（带教人员）未接受本人"
    assert lines[5] == "德育处：岗位方（带教人员）未将本人列入人选"
    assert lines[6] == "人事室：本轮没有名额"
    assert lines[7] == "总务处：名额已满，已安排岗位方排序在前的黄蔚敏"
    assert lines[8] == (
        "工会：尚有空位，但可带教的人员名额已满：李老师（可带1人，已带卢懿蕾），所带人员均排在本人之前"
    )
    assert len(lines) == 9


def test_a_post_breaks_a_tie_for_the_candidate_new_to_it_then_by_candidate_order() -> None:
    # 德育处 ranks 1, 2 and 3 equal (an accept set) and has one seat; 1 held it before.
    tied = (1, 2, 3)
    people = [
        person(1, MORAL, GENERAL, held=frozenset({MORAL})),
        person(2, MORAL, GENERAL),
        person(3, MORAL, GENERAL),
    ]
    posts = [Post(MORAL, 3, 1, (tied,)), Post(GENERAL, 3, 2, (tied,))]
    result = match(people, posts)
    assert result.assignment == {2: MORAL, 1: GENERAL, 3: GENERAL}
    miss_1 = result.outcome(1).misses[0]
    miss_3 = result.outcome(3).misses[0]
    assert miss_1.ahead == (2,) and miss_1.won_as_new == (2,) and miss_1.won_by_order == ()
    assert miss_3.ahead == (2,) and miss_3.won_as_new == () and miss_3.won_by_order == (2,)
    assert describe_miss(miss_1, NAMES) == (
        "德育处：名额已满，已安排岗位方排序在前的黄蔚敏"
        "（其中黄蔚敏与本人排序相同，按一岗多能优先安排未曾担任该岗位的人员）"
    )
    assert describe_miss(miss_3, NAMES).endswith("（其中黄蔚敏与本人排序相同，按名单顺序优先）")


def test_a_candidates_equal_choices_go_to_the_post_not_held_before() -> None:
    # 1 ranks 德育处 and 总务处 equal and has held 德育处: 总务处 comes first (一岗多能).
    me = person(1, (MORAL, GENERAL), held=frozenset({MORAL}))
    posts = [Post(MORAL, 3, 1, (1,)), Post(GENERAL, 3, 1, (1,))]
    outcome = match([me], posts).outcome(1)
    assert outcome.post == GENERAL and outcome.first_choice and outcome.misses == ()
    # With 总务处 taken by someone it ranks higher, 1 gets 德育处, still a first choice, and
    # the miss says the two were listed equal.
    rival = person(2, GENERAL)
    posts[1] = Post(GENERAL, 3, 1, (2, 1))
    outcome = match([me, rival], posts).outcome(1)
    assert outcome.post == MORAL and outcome.first_choice
    assert [(m.post, m.reason, m.tied) for m in outcome.misses] == [
        (GENERAL, Reason.POST_FULL, True)
    ]
    assert describe_miss(outcome.misses[0], NAMES).endswith(
        "（本人将该岗位与所得岗位列为同一志愿，先考虑了该岗位）"
    )
    # Equal choices neither held before follow the school's post order.
    fresh = person(1, (GENERAL, MORAL))
    assert match([fresh], [Post(MORAL, 3, 1, (1,)), Post(GENERAL, 3, 1, (1,))]).assignment == {
        1: MORAL
    }


def test_the_unplaced_get_a_reason_for_every_post_they_listed() -> None:
    people = [person(1, MORAL, GENERAL), person(2, MORAL, GENERAL), person(3)]
    posts = [Post(MORAL, 3, 1, (2, 1)), Post(GENERAL, 3, 1, (2,), accept_others=False)]
    result = match(people, posts)
    outcome = result.outcome(1)
    assert outcome.post is None and outcome.choice is None and not outcome.placed
    assert [(m.post, m.reason) for m in outcome.misses] == [
        (MORAL, Reason.POST_FULL),
        (GENERAL, Reason.NOT_RANKED),
    ]
    assert outcome_summary(outcome, NAMES) == "未安排岗位"
    assert [o.candidate for o in result.unplaced] == [1, 3]
    assert describe_outcome(result.outcome(3), NAMES) == ["未填写志愿，未安排岗位"]


def test_level_exemption_and_personal_waiver_open_a_post_above_the_candidates_levels() -> None:
    low = frozenset({1})
    people = [
        person(1, SCHOOL, eligible_levels=low),
        person(2, ACADEMIC, eligible_levels=low, cleared=frozenset({ACADEMIC})),
        person(3, MORAL, eligible_levels=low),
    ]
    posts = [
        Post(SCHOOL, 4, 1, (1,), level_exempt=True),
        Post(ACADEMIC, 3, 1, (2,)),
        Post(MORAL, 3, 1, (3,)),
    ]
    result = match(people, posts)
    assert result.assignment == {1: SCHOOL, 2: ACADEMIC}
    assert result.outcome(3).misses[0].reason is Reason.NOT_ELIGIBLE


def test_a_shared_mentor_goes_to_the_candidate_higher_in_their_posts_ranking() -> None:
    """王老师 mentors both 教导处 and 德育处 and can take one. 2 is 德育处's second choice,
    1 is 教导处's first: 王老师 goes to 1, whatever the order they apply in."""
    people = [person(1, ACADEMIC), person(2, MORAL)]
    posts = [
        Post(ACADEMIC, 3, 1, (1,), mentors=(WANG,)),
        Post(MORAL, 3, 1, (3, 2), mentors=(WANG,)),
    ]
    for ordering in (people, people[::-1]):
        result = match(ordering, posts, [Mentor(WANG, 1)])
        assert result.assignment == {1: ACADEMIC}
        miss = result.outcome(2).misses[0]
        assert miss.reason is Reason.MENTOR_FULL and miss.ahead == (1,)
        assert [(m.mentor, m.mentees) for m in miss.mentors] == [(WANG, (1,))]


def test_mentors_are_reassigned_so_a_second_post_can_be_mentored() -> None:
    """教导处 has 王 and 李, 德育处 only 王 (one place each). Whoever comes first, the
    result gives 教导处's person 李 and 德育处's 王."""
    people = [person(1, ACADEMIC), person(2, MORAL)]
    posts = [
        Post(ACADEMIC, 3, 1, (1,), mentors=(WANG, LI)),
        Post(MORAL, 3, 1, (2,), mentors=(WANG,)),
    ]
    for ordering in (people, people[::-1]):
        result = match(ordering, posts, [Mentor(WANG, 1), Mentor(LI, 1)])
        assert {(o.candidate, o.post, o.mentor) for o in result.outcomes} == {
            (1, ACADEMIC, LI),
            (2, MORAL, WANG),
        }


def test_preferred_mentors_given_in_priority_order_with_reassignment() -> None:
    """1 (教导处's first) and 2 both want 王 at 教导处; 王 has one place. 1 gets 王, 2 gets
    李 and is told 王 is full. 3 at 德育处 wants 周, who does not mentor 德育处."""
    people = [
        person(1, ACADEMIC, mentors={ACADEMIC: WANG}),
        person(2, ACADEMIC, mentors={ACADEMIC: WANG}),
        person(3, MORAL, mentors={MORAL: ZHOU}),
    ]
    posts = [
        Post(ACADEMIC, 3, 2, (1, 2), mentors=(LI, WANG)),
        Post(MORAL, 3, 1, (3,), mentors=(ZHAO,)),
    ]
    mentors = [Mentor(WANG, 1), Mentor(LI, 1), Mentor(ZHAO, 1), Mentor(ZHOU, 1)]
    result = match(people, posts, mentors)
    assert result.outcome(1).mentor == WANG and result.outcome(1).mentor_miss is None
    second = result.outcome(2)
    assert second.mentor == LI and second.mentor_miss is not None
    assert second.mentor_miss.reason is MentorReason.FULL and second.mentor_miss.mentees == (1,)
    third = result.outcome(3)
    assert third.mentor == ZHAO and third.mentor_miss is not None
    assert third.mentor_miss.reason is MentorReason.NOT_A_MENTOR
    assert (
        describe_outcome(second, NAMES)[-1] == "希望的带教人员王老师名额已满（可带1人，已带陈晔）"
    )
    assert describe_outcome(third, NAMES)[-1] == "希望的带教人员周老师不带教德育处"


def test_a_preferred_mentor_is_freed_by_moving_another_posts_mentee() -> None:
    """Before mentors are settled: 3 (德育处) has 王, 2 (教导处) has 赵, 1 (教导处) has 李.
    1 wants 王: 德育处's 3 moves to 李 and 1 takes 王; 2 keeps 赵."""
    people = [
        person(1, ACADEMIC, mentors={ACADEMIC: WANG}),
        person(2, ACADEMIC),
        person(3, MORAL),
    ]
    posts = [
        Post(ACADEMIC, 3, 2, (2, 1), mentors=(ZHAO, WANG, LI)),
        Post(MORAL, 3, 1, (3,), mentors=(WANG, LI)),
    ]
    mentors = [Mentor(WANG, 1), Mentor(LI, 1), Mentor(ZHAO, 1)]
    result = match(people, posts, mentors)
    assert {(o.candidate, o.mentor) for o in result.outcomes} == {(1, WANG), (2, ZHAO), (3, LI)}
    assert result.outcome(1).mentor_miss is None


def test_posts_without_mentors_need_none() -> None:
    result = match([person(1, CLASS, mentors={CLASS: WANG})], [Post(CLASS, 1, 1, (1,))])
    outcome = result.outcome(1)
    assert outcome.post == CLASS and outcome.mentor is None
    assert outcome.mentor_miss is not None
    assert outcome.mentor_miss.reason is MentorReason.NOT_A_MENTOR


@pytest.mark.parametrize(
    ("candidates", "posts", "mentors", "field"),
    [
        ([person(1), person(1)], [], [], "candidates"),
        ([], [Post(CLASS, 1), Post(CLASS, 1)], [], "posts"),
        ([], [], [Mentor(WANG), Mentor(WANG)], "mentors"),
        ([person(1, CLASS, CLASS)], [Post(CLASS, 1)], [], "candidate 1"),
        ([person(1, (CLASS, GRADE), CLASS)], [Post(CLASS, 1)], [], "candidate 1"),
        ([], [Post(CLASS, 1, 1, (1, 1))], [], f"post {CLASS}"),
        ([], [Post(CLASS, 1, 1, (1,), declined=frozenset({1}))], [], f"post {CLASS}"),
        ([], [Post(CLASS, 1, 1, mentors=(WANG,))], [], f"post {CLASS}"),
        ([], [Post(CLASS, 1, 1, mentors=(WANG, WANG))], [Mentor(WANG)], f"post {CLASS}"),
        ([], [Post(CLASS, 1, -1)], [], f"post {CLASS}"),
        ([], [], [Mentor(WANG, -1)], f"mentor {WANG}"),
    ],
)
def test_contradictory_input_is_refused_naming_where(candidates, posts, mentors, field) -> None:
    with pytest.raises(InstanceError) as raised:
        match(candidates, posts, mentors)
    assert raised.value.field == field


def test_ids_far_apart_give_the_same_result() -> None:
    """Candidate ids are looked up through a table when small (person ids) and a mapping
    otherwise; both give the same assignment."""
    far = 10_000_000

    def shifted(c: Candidate, by: int) -> Candidate:
        return Candidate(c.id + by, c.choices, c.eligible_levels)

    people = [person(1, MORAL, GENERAL), person(2, MORAL, GENERAL), person(3, GENERAL)]
    posts = [Post(MORAL, 3, 1, (2, 1, 3)), Post(GENERAL, 3, 1, (1, 3, 2))]
    near = match(people, posts).assignment
    moved = match(
        [shifted(c, far) for c in people],
        [Post(p.id, p.level, p.capacity, tuple(c + far for c in p.ranking)) for p in posts],  # type: ignore[operator]
    ).assignment
    assert near == {2: MORAL, 1: GENERAL}
    assert moved == {c + far: p for c, p in near.items()}
