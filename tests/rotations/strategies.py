"""Random two-way selection instances for the property tests."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

from houbei.rotations.matching import Candidate, Mentor, Post

NOT_OFFERED = 99  # a post id some candidates list but no post has


@dataclass(frozen=True)
class Instance:
    candidates: tuple[Candidate, ...]
    posts: tuple[Post, ...]
    mentors: tuple[Mentor, ...]


def _grouped(draw: st.DrawFn, items: list[int], ties: bool) -> tuple[int | tuple[int, ...], ...]:
    """``items`` in order, adjacent ones sometimes merged into a group of equals."""
    out: list[int | tuple[int, ...]] = []
    i = 0
    while i < len(items):
        size = draw(st.integers(1, 3)) if ties else 1
        group = items[i : i + size]
        out.append(group[0] if len(group) == 1 else tuple(group))
        i += size
    return tuple(out)


@st.composite
def instances(
    draw: st.DrawFn,
    *,
    max_candidates: int = 6,
    max_posts: int = 4,
    ties: bool = True,
    mentors: bool = True,
    rules: bool = True,
    max_capacity: int = 2,
    crowded: bool = False,
) -> Instance:
    """``crowded``: everyone acceptable everywhere, every post with a mentor, and fewer mentor
    places than seats — so the mentors decide and the cross-post rule is exercised."""
    if crowded:
        rules = False
        mentors = True
    n = draw(st.integers(2 if crowded else 0, max_candidates))
    m = draw(st.integers(1, max_posts))
    cids = list(range(1, n + 1))
    pids = list(range(11, 11 + m))
    mids = list(range(51, 51 + draw(st.integers(1 if crowded else 0, 3)))) if mentors else []
    mentor_list = tuple(
        Mentor(i, draw(st.integers(0 if not crowded else 1, 2 if not crowded else 1))) for i in mids
    )
    posts = []
    for pid in pids:
        ranked = draw(st.permutations(cids))[: draw(st.integers(n if crowded else 0, n))]
        others = draw(st.booleans()) if rules else False
        unranked = [c for c in cids if c not in ranked]
        declined = (
            frozenset(draw(st.sets(st.sampled_from(unranked))))
            if unranked and rules
            else frozenset()
        )
        post_mentors = tuple(
            draw(st.permutations(mids))[: draw(st.integers(1 if crowded else 0, len(mids)))]
        )
        posts.append(
            Post(
                pid,
                level=draw(st.integers(1, 2)) if rules else 1,
                capacity=draw(st.integers(0 if rules else 1, max_capacity)),
                ranking=_grouped(draw, ranked, ties),
                accept_others=others,
                declined=declined,
                level_exempt=draw(st.booleans()) if rules else False,
                mentors=post_mentors,
            )
        )
    candidates = []
    for cid in cids:
        listed = draw(st.permutations(pids + ([NOT_OFFERED] if rules else [])))
        listed = listed[: draw(st.integers(len(listed) if crowded else 0, len(listed)))]
        preferred = {}
        for post in posts:
            if post.mentors and draw(st.booleans()):
                preferred[post.id] = draw(st.sampled_from([*post.mentors, *mids, 77]))
        candidates.append(
            Candidate(
                cid,
                choices=_grouped(draw, listed, ties),
                eligible_levels=frozenset(draw(st.sets(st.sampled_from([1, 2])))) if rules else frozenset({1}),
                holds=frozenset(draw(st.sets(st.sampled_from(pids), max_size=1))) if rules else frozenset(),
                held=frozenset(draw(st.sets(st.sampled_from(pids)))) if ties or rules else frozenset(),
                cleared=frozenset(draw(st.sets(st.sampled_from(pids), max_size=1))) if rules else frozenset(),
                mentors=preferred,
            )
        )  # fmt: skip
    return Instance(tuple(candidates), tuple(posts), mentor_list)
